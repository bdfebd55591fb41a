"""Backup and restore on the command line: a round trip keeps rows; a wrong file is refused."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest

from app.extensions import db
from app.reports import backup as backups
from tests.conftest import make_app
from workshops.projects import service as projects
from workshops.projects.models import Project

pytestmark = pytest.mark.db


@pytest.fixture
def sqlite_app(tmp_path):
    """The app on an SQLite file, whatever TEST_DATABASE_URL says: this tests SQLite's way."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/app.sqlite3")
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def _add_project(slug: str) -> None:
    projects.create(projects.ProjectData(slug=slug, name=slug.title()), leaders=[])
    db.session.commit()


def _slugs() -> list[str]:
    db.session.remove()
    return sorted(db.session.scalars(db.select(Project.slug)))


def test_sqlite_backup_then_restore_brings_the_rows_back(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    _add_project("kept")
    backup_file = tmp_path / "backups" / "kraftverk.sqlite3"

    made = runner.invoke(args=["backup", str(backup_file)])
    _add_project("after-backup")
    restored = runner.invoke(args=["restore", str(backup_file)])

    assert made.exit_code == 0, made.output
    assert backup_file.read_bytes().startswith(backups.SQLITE_HEADER)
    assert restored.exit_code == 0, restored.output
    assert _slugs() == ["kept"]


def test_backup_is_taken_while_a_connection_writes(sqlite_app, tmp_path):
    _add_project("one")
    database = tmp_path / "app.sqlite3"
    writer = sqlite3.connect(database)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "UPDATE project SET name = 'uncommitted' WHERE slug = 'one'"
    )  # a transaction still open

    backups.backup(f"sqlite:///{database}", tmp_path / "copy.sqlite3")
    writer.rollback()
    writer.close()

    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("SELECT slug, name FROM project").fetchall() == [("one", "One")]
    copy.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,sector\nSmia,25.50\n", "is not an SQLite backup"),
        (b"PGDMP\x01\x0e\x00", "is not an SQLite backup"),
    ],
)
def test_restore_of_a_file_that_is_no_backup_exits_1_with_one_line(
    sqlite_app, tmp_path, content, message
):
    _add_project("kept")
    wrong = tmp_path / "wrong.bin"
    wrong.write_bytes(content)

    result = sqlite_app.test_cli_runner().invoke(args=["restore", str(wrong)])

    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert _slugs() == ["kept"]


def test_restore_refuses_an_sqlite_file_of_another_app(sqlite_app, tmp_path):
    other = tmp_path / "other.sqlite3"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.commit()
    connection.close()

    result = sqlite_app.test_cli_runner().invoke(args=["restore", str(other)])

    assert result.exit_code == 1
    assert "not one of Kraftverk" in result.output


def test_restore_refuses_a_damaged_sqlite_file(sqlite_app, tmp_path):
    _add_project("kept")
    good = tmp_path / "good.sqlite3"
    backups.backup(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], good)
    damaged = tmp_path / "damaged.sqlite3"
    data = bytearray(good.read_bytes())
    data[4096:] = os.urandom(len(data) - 4096)  # every page after the schema page
    damaged.write_bytes(bytes(data))

    result = sqlite_app.test_cli_runner().invoke(args=["restore", str(damaged)])

    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert _slugs() == ["kept"]


def test_restore_of_a_missing_file_exits_1(sqlite_app, tmp_path):
    result = sqlite_app.test_cli_runner().invoke(args=["restore", str(tmp_path / "none")])

    assert result.exit_code == 1
    assert "there is no file at" in result.output


def test_postgresql_backup_refuses_a_file_without_the_pg_dump_magic(tmp_path):
    wrong = tmp_path / "dump.sqlite3"
    wrong.write_bytes(backups.SQLITE_HEADER + b"\x00" * 100)

    with pytest.raises(backups.BackupError, match="not a PostgreSQL backup"):
        backups.restore("postgresql+psycopg://kraft@localhost:1/kraft", wrong)


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
    or shutil.which("pg_dump") is None,
    reason="needs the PostgreSQL test cluster that make test starts",
)
def test_postgresql_backup_then_restore_brings_the_rows_back(app, runner, tmp_path):
    _add_project("kept")
    backup_file = tmp_path / "kraftverk.dump"

    made = runner.invoke(args=["backup", str(backup_file)])
    _add_project("after-backup")
    db.session.remove()
    restored = runner.invoke(args=["restore", str(backup_file)])

    assert made.exit_code == 0, made.output
    assert backup_file.read_bytes().startswith(backups.PG_DUMP_MAGIC)
    assert restored.exit_code == 0, restored.output
    assert _slugs() == ["kept"]
