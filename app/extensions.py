"""Flask extensions, created unbound so any module can import them before an app exists."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.db import Base


class DeferredMigrate:
    """Flask-Migrate, set up only when it is used: importing it imports Alembic, which only the
    `db` commands and the migration tests need, so no app start pays for it.

    `init_app` puts two stand-ins where Flask-Migrate puts its own: `app.extensions["migrate"]`
    and the `db` command group. The first use of either (an attribute of the first, or running or
    listing the commands of the second) sets up the real `flask_migrate.Migrate` on the app with
    the same arguments, which replaces both."""

    def __init__(self, **options) -> None:
        self.options = options

    def init_app(self, app: Flask, db: SQLAlchemy, directory: str) -> None:
        def settings() -> object:
            self._set_up(app, db, directory)
            return app.extensions["migrate"]

        def commands() -> click.Group:
            self._set_up(app, db, directory)
            return app.cli.commands["db"]

        app.extensions["migrate"] = _MigrateStandIn(settings)
        app.cli.add_command(_DbCommandsStandIn(commands), "db")

    def _set_up(self, app: Flask, db: SQLAlchemy, directory: str) -> None:
        """Set up the real Flask-Migrate on the app, once: it replaces both stand-ins."""
        if isinstance(app.extensions.get("migrate"), _MigrateStandIn):
            from flask_migrate import Migrate

            Migrate(app, db, directory, **self.options)


class _MigrateStandIn:
    """Stands for Flask-Migrate's settings on the app; sets up the real ones when first read."""

    def __init__(self, load: Callable[[], object]) -> None:
        self._load = load

    def __getattr__(self, name: str):
        if name.startswith("_"):  # not Flask-Migrate's: copy and pickle look for these
            raise AttributeError(name)
        return getattr(self._load(), name)


class _DbCommandsStandIn(click.Group):
    """Stands for Flask-Migrate's `db` command group; sets up the real one when first used."""

    def __init__(self, load: Callable[[], click.Group]) -> None:
        super().__init__("db", help="Perform database migrations.")
        self._load = load

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        return self._load().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._load().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load().get_command(ctx, cmd_name)


db = SQLAlchemy(model_class=Base)
migrate = DeferredMigrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
