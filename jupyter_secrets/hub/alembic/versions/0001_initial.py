"""The first schema of the hub service: users, secrets, bindings, projects, audit, service_meta.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("data_key", sa.LargeBinary, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("created", sa.String(20), nullable=False),
    )
    op.create_table(
        "secrets",
        sa.Column("user", sa.String(255), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_key", sa.Text, nullable=False),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("binary", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created", sa.String(20), nullable=False),
        sa.Column("modified", sa.String(20), nullable=False),
        sa.Column("expires", sa.String(20)),
        sa.Column("namespace", sa.Text),
        sa.PrimaryKeyConstraint("user", "id"),
        sa.UniqueConstraint("user", "name_key", name="uq_secrets_user_name_key"),
        sa.ForeignKeyConstraint(["user"], ["users.name"], ondelete="CASCADE"),
    )
    op.create_table(
        "bindings",
        sa.Column("user", sa.String(255), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("slot_id", sa.String(64), nullable=False),
        sa.Column("secret_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("user", "project_id", "slot_id"),
        sa.ForeignKeyConstraint(
            ["user", "secret_id"], ["secrets.user", "secrets.id"], ondelete="CASCADE"
        ),
    )
    op.create_index("ix_bindings_secret", "bindings", ["user", "secret_id"])
    op.create_table(
        "projects",
        sa.Column("user", sa.String(255), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("last_path", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("user", "id"),
    )
    op.create_table(
        "audit",
        sa.Column(
            "id",
            sa.Integer().with_variant(sa.BigInteger, "postgresql"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("at", sa.String(20), nullable=False),
        sa.Column("user", sa.String(255), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("secret_id", sa.String(64)),
        sa.Column("project_id", sa.String(64)),
    )
    op.create_index("ix_audit_user_at", "audit", ["user", "at"])
    op.create_table(
        "service_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for table in ("service_meta", "audit", "projects", "bindings", "secrets", "users"):
        op.drop_table(table)
