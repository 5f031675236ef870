"""Schema migrations (Alembic), packaged with the archive so an installed copy can migrate itself.

`upgrade(engine)` brings any database to the newest schema; Archive calls it on open.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

HERE = Path(__file__).parent
BASELINE = "0001"  # the schema the walking skeleton made with create_all
_PG_LOCK = 0x676F76706C616E73  # "govplans": one migrator at a time across processes


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Migrate to head; a database made before migrations existed is stamped as the baseline first."""
    with engine.connect() as connection:
        if current(connection) == head():
            return
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        if current(connection) == head():  # another process migrated while we waited
            return
        config = alembic_config(connection)
        tables = set(inspect(connection).get_table_names())
        if current(connection) is None and "documents" in tables:
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
