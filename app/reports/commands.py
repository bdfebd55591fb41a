"""The report, export, backup and restore commands; each a thin call into this package."""

from __future__ import annotations

import atexit
import gc
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli import fail, project_or_exit
from app.extensions import db
from app.reports import backup as backups
from app.reports import export, render
from method import files
from workshops.pdf import made_ahead


def write_atomically(path: Path, content: bytes) -> None:
    """Write content to path through a temporary file, so a reader never sees half of it; a
    path that cannot be written ends the command with one line."""
    try:
        files.write_atomically(path, content)
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror or error}")


@click.command("report")
@click.option("--project", "slug", required=True, help="The project's slug.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", default=None, help="nb, sv, da, fi or en (default: the project's).")
@with_appcontext
def report_command(slug: str, output: Path, lang: str | None) -> None:
    """Write the method report of a project as a PDF (kept PDFs are shared with the download)."""
    project = project_or_exit(slug)
    if lang is not None and lang not in current_app.config["LANGUAGES"]:
        fail(f"'{lang}' is not one of {', '.join(current_app.config['LANGUAGES'])}")
    lang = lang or project.language
    # WeasyPrint loads in a child while the report's data is read (a kept PDF needs neither).
    with made_ahead():
        made = render.kept_report_pdf(project, lang)
    write_atomically(output, made)
    click.echo(f"Wrote the report of {project.slug} to {output}")
    # The command ends the process: at exit, what making the PDF left in reference cycles is not
    # walked and freed one object at a time (about 0.1 s of the demo's report); the operating
    # system takes the memory back. Module teardown still closes what the app holds open.
    atexit.register(gc.freeze)


@click.command("export")
@click.option("--project", "slug", required=True, help="The project's slug.")
@click.option("--output", default=None, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(slug: str, output: Path | None) -> None:
    """Write the whole project as JSON (standard output when no file is given)."""
    text = json.dumps(export.project_json(project_or_exit(slug)), ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
    else:
        write_atomically(output, (text + "\n").encode("utf-8"))


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Back up the database to FILE while the app runs (SQLite: online backup; PostgreSQL: pg_dump -Fc)."""
    try:
        backups.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], file)
    except (backups.BackupError, OSError) as error:
        fail(str(error))
    click.echo(f"Backed up the database to {file}")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Replace the database with the backup in FILE. Stop the server first.

    The file must be a backup of the same engine (SQLite file, or pg_dump -Fc for PostgreSQL);
    it is checked before anything is replaced.
    """
    db.session.remove()
    try:
        with backups.released(db.engine):
            backups.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], file)
    except backups.BackupError as error:
        fail(str(error))
    click.echo(f"Restored the database from {file}")


COMMANDS = (report_command, export_command, backup_command, restore_command)
