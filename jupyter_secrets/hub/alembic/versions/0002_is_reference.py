"""secrets.is_reference: a reference (core/references.py) told apart without decrypting.

The service sets it from the stored form's marker on every write; rows written before this
revision are flagged once by the service at its first unlocked start (``Repository.open``:
it needs the service keys, which migrations never see).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("secrets") as batch:
        batch.add_column(
            sa.Column("is_reference", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("secrets") as batch:
        batch.drop_column("is_reference")
    op.execute("DELETE FROM service_meta WHERE key = 'references_flagged'")
