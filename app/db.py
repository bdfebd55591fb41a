"""The declarative base, time helpers and SQLite connection settings."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from flask import current_app, has_app_context
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool

from config import StartupError

log = logging.getLogger(__name__)

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
    # A page or row freed by an update is overwritten with zeros, not left for a reader of the
    # file (anonymous answers rewrite their form's row: see forget_old_versions).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


FORGET_WAIT_MS = 100  # how long one try waits for readers (writers wait meanwhile)
FORGET_AFTER = 0.5  # seconds from an answer to the try that empties the log (answers share it)
FORGET_RETRIES = (1.0, 5.0, 30.0, 120.0)  # seconds before each later try, while readers stay


def forget_old_versions(engine: Engine, *, retries: tuple[float, ...] = FORGET_RETRIES) -> bool:
    """Empty SQLite's write-ahead log: the database keeps no earlier state of its rows.

    In WAL mode every commit appends the pages it changed to the -wal file beside the database,
    and older copies stay there until the log is checkpointed and restarted. For a form's
    responses (one row rewritten by every answer, see evaluations/store.py) that history would be
    every state of the row in order: a reader of the files who watched the room could tell whose
    answers are whose. The checkpoint copies the last state into the database file (freed space
    is zeroed: secure_delete) and truncates the log to nothing.

    One try waits at most FORGET_WAIT_MS for readers that still use the log (new writers wait
    meanwhile); while they keep it busy, a timer thread tries again after each of `retries`
    seconds. Returns whether this try emptied the log. Nothing to do on PostgreSQL, whose old
    row versions stay in its table files until vacuumed and reused (docs/privacy.md).
    """
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={FORGET_WAIT_MS}")
        try:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0]
        except OperationalError as error:  # locked past the wait: as busy
            log.info("the write-ahead log could not be emptied now (%s)", error)
            busy = 1
        finally:
            connection.invalidate()  # its busy timeout is not the pool's: never reused
    if busy and retries:
        _later(retries[0], engine, retries[1:])
    elif busy:
        log.warning("the write-ahead log stayed busy: it is emptied after the next answer")
    return not busy


_FORGETTING = threading.Lock()
_pending: set[int] = set()  # engines with a try on its way


def forget_old_versions_soon(engine: Engine) -> None:
    """After an answer: empty the log FORGET_AFTER seconds later, in a timer thread.

    The answer is committed before; the phone is not kept waiting, and answers that come
    together (a room answering at once) share one try instead of each holding up the others'
    writes while it waits for readers. The history lives that long, not longer.
    """
    if engine.dialect.name != "sqlite":
        return
    with _FORGETTING:
        if id(engine) in _pending:
            return
        _pending.add(id(engine))
    _later(FORGET_AFTER, engine, FORGET_RETRIES, pending=True)


def _later(seconds: float, engine: Engine, retries: tuple[float, ...], *, pending=False) -> None:
    def run() -> None:
        if pending:
            with _FORGETTING:
                _pending.discard(id(engine))
        try:
            forget_old_versions(engine, retries=retries)
        except Exception:  # a thread of its own: logged, and the next answer tries again
            log.exception("emptying the write-ahead log failed")

    timer = threading.Timer(seconds, run)
    timer.daemon = True
    timer.start()


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
