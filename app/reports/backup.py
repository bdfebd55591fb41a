"""Back up and restore the app's database: SQLite by its online backup API, PostgreSQL by pg_dump.

A restore first checks that the file is a backup of the same engine; an SQLite restore replaces
the database file atomically, after checking the copy's integrity.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import URL, make_url

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is one line for the operator."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory: there is no file to back up or replace")
    return Path(url.database)


def _temporary_next_to(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    return Path(name)


def _check_sqlite(path: Path) -> None:
    """Raise BackupError unless path is a sound SQLite database holding Kraftverk's tables."""
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path.name} is not an SQLite backup")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = connection.execute("PRAGMA integrity_check").fetchone()
            has_projects = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'project'"
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path.name} is not a readable SQLite database: {error}") from error
    if result != "ok":
        raise BackupError(f"{path.name} fails the integrity check: {result}")
    if not has_projects:
        raise BackupError(f"{path.name} is an SQLite database, but not one of Kraftverk")


def _sqlite_backup(database: Path, target: Path) -> None:
    if not database.is_file():
        raise BackupError(f"there is no database file at {database}")
    temporary = _temporary_next_to(target)
    try:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        destination = sqlite3.connect(temporary)
        try:
            source.backup(destination)  # consistent even while the app writes
            destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            destination.close()
            source.close()
        os.replace(temporary, target)
    except sqlite3.Error as error:
        raise BackupError(f"the backup failed: {error}") from error
    finally:
        temporary.unlink(missing_ok=True)


def _sqlite_restore(backup: Path, database: Path) -> None:
    _check_sqlite(backup)
    temporary = _temporary_next_to(database)
    try:
        shutil.copyfile(backup, temporary)
        _check_sqlite(temporary)
        # A write-ahead log left from the old database must never be replayed into the new one.
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.replace(temporary, database)
    finally:
        temporary.unlink(missing_ok=True)


def _pg_arguments(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL without the password, and an environment that carries it."""
    plain = url.set(drivername="postgresql", password=None)
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian package postgresql-client)")
    # A fixed program with arguments from the app's own settings and the operator's file name.
    result = subprocess.run(  # noqa: S603
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(f"{command[0]} failed: {lines[-1] if lines else result.returncode}")


def _check_pg_dump(path: Path) -> None:
    with path.open("rb") as handle:
        if handle.read(len(PG_DUMP_MAGIC)) != PG_DUMP_MAGIC:
            raise BackupError(f"{path.name} is not a PostgreSQL backup (pg_dump -Fc)")


def backup(database_url: str, target: Path) -> None:
    """Write a backup of the database at database_url to target."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_path(url), target)
    elif url.get_backend_name() == "postgresql":
        connection, environment = _pg_arguments(url)
        temporary = _temporary_next_to(target)
        try:
            _run(["pg_dump", "-Fc", "--no-owner", "-f", str(temporary), connection], environment)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
    else:
        raise BackupError(f"cannot back up a {url.get_backend_name()} database")


def restore(database_url: str, source: Path) -> None:
    """Replace the database at database_url with the backup in source, after checking it."""
    url = make_url(database_url)
    if not source.is_file():
        raise BackupError(f"there is no file at {source}")
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_restore(source, _sqlite_path(url))
        elif url.get_backend_name() == "postgresql":
            _check_pg_dump(source)
            connection, environment = _pg_arguments(url)
            command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
            _run([*command, "-d", connection, str(source)], environment)
        else:
            raise BackupError(f"cannot restore a {url.get_backend_name()} database")
    except OSError as error:
        raise BackupError(f"cannot read or write: {error.strerror or error}") from error


@contextlib.contextmanager
def released(engine):
    """Close the app's pooled connections around a restore, so none holds the old file."""
    engine.dispose()
    try:
        yield
    finally:
        engine.dispose()
