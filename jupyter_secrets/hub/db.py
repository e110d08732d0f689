"""The service's tables (SQLAlchemy Core) and the database's set-up: engine and migrations.

One set of tables holds every hub user's rows, each keyed by the hub user name: ``users`` (the
wrapped data key and a change counter, the cheap version check of single-user servers),
``secrets`` (metadata in clear, the value sealed by the user's data key), ``bindings``,
``projects``, ``audit`` (who did what, never a value) and ``service_meta`` (the key check).
The schema is Alembic's (``alembic/versions``): ``upgrade()`` brings any database, new or of an
older release, to the current one; several replicas starting at once are serialised by a
PostgreSQL advisory lock.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("data_key", LargeBinary, nullable=False),  # wrapped by the primary service key
    Column("version", BigInteger, nullable=False, default=0),
    Column("created", String(20), nullable=False),
)

secrets = Table(
    "secrets",
    metadata,
    Column("user", String(255), nullable=False),
    Column("id", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("binary", Boolean, nullable=False, default=False),
    Column("created", String(20), nullable=False),
    Column("modified", String(20), nullable=False),
    Column("expires", String(20)),
    Column("namespace", Text),  # the JupyterLab extension keeping it; NULL: the user's own
    # A reference's stored form (store/base.py REFERENCE_MARKER), set by the service from the
    # plaintext on every write: listings tell references apart without decrypting (0002).
    Column("is_reference", Boolean, nullable=False, default=False),
    PrimaryKeyConstraint("user", "id"),
    UniqueConstraint("user", "name_key", name="uq_secrets_user_name_key"),
    ForeignKeyConstraint(["user"], ["users.name"], ondelete="CASCADE"),
)

bindings = Table(
    "bindings",
    metadata,
    Column("user", String(255), nullable=False),
    Column("project_id", String(64), nullable=False),
    Column("slot_id", String(64), nullable=False),
    Column("secret_id", String(64), nullable=False),
    PrimaryKeyConstraint("user", "project_id", "slot_id"),
    ForeignKeyConstraint(["user", "secret_id"], ["secrets.user", "secrets.id"], ondelete="CASCADE"),
    Index("ix_bindings_secret", "user", "secret_id"),
)

projects = Table(
    "projects",
    metadata,
    Column("user", String(255), nullable=False),
    Column("id", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("last_path", Text, nullable=False),
    PrimaryKeyConstraint("user", "id"),
)

audit = Table(
    "audit",
    metadata,
    Column(
        "id", Integer().with_variant(BigInteger, "postgresql"), primary_key=True, autoincrement=True
    ),
    Column("at", String(20), nullable=False),
    Column("user", String(255), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("secret_id", String(64)),
    Column("project_id", String(64)),
    Index("ix_audit_user_at", "user", "at"),
)

service_meta = Table(
    "service_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

MIGRATIONS = Path(__file__).with_name("alembic")


def async_url(url: str) -> str:
    """The URL with an asyncio driver: ``postgresql://`` -> asyncpg, ``sqlite://`` -> aiosqlite."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("db_url must look like postgresql://user@host/db or sqlite:///path")
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+asyncpg://{rest}"
    if scheme == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    return url


def make_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    url = async_url(url)
    if url.startswith("sqlite"):
        # One connection: SQLite has one writer; a timeout rather than "database is locked".
        return create_async_engine(url, connect_args={"timeout": 30})
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", async_url(url).replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the database to the current schema (blocking; run before serving)."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")
