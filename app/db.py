"""The declarative base, time helpers and SQLite connection settings."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import current_app, has_app_context
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool

from config import StartupError

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model; names constraints so migrations stay stable on both engines."""

    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo (how times are stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored naive UTC time made aware, for formatting and JSON."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso_z(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a trailing Z, as every time in our JSON."""
    aware = as_utc(value)
    return aware.isoformat(timespec="seconds").replace("+00:00", "Z") if aware else None


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Turn on WAL, a busy timeout and foreign keys for every SQLite connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    busy_ms = 10000
    if has_app_context():
        busy_ms = int(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", busy_ms))
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# A pooled PostgreSQL connection idle this long is checked before reuse (one round trip); one in
# steady use is not, so a busy request costs no extra round trip. A connection that died in use (a
# restarted server) fails its request with a 503 (errors.py), and SQLAlchemy then replaces every
# connection of the pool.
IDLE_PING_SECONDS = 10.0


@event.listens_for(Pool, "checkin")
def _idle_since(_dbapi_connection, record) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    """Check a PostgreSQL connection that sat idle in the pool; a dead one is replaced."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return
    autocommit = dbapi_connection.autocommit
    try:
        dbapi_connection.autocommit = True  # no transaction left open by the check
        dbapi_connection.execute("SELECT 1")
        dbapi_connection.autocommit = autocommit
    except Exception as error:  # any failure: let the pool connect anew (it retries checkout)
        raise DisconnectionError(str(error)) from error


def check_database(app) -> None:
    """Reach the database once at start; one clear line (no traceback) when it cannot be reached."""
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as error:
            cause = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
            where = engine.url.render_as_string(hide_password=True)
            raise StartupError(
                f"Error: cannot start: the database at {where} cannot be reached ({cause});"
                " check DATABASE_URL"
            ) from None
