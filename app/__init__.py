"""Kraftverk's web shell: the application factory."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import jinja2
from flask import Flask
from jinja2 import FileSystemBytecodeCache
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import babel, csrf, db, login_manager, migrate
from config import BASE_DIR, Config
from method import parsed


def create_app(config: type[Config] = Config) -> Flask:
    """Build the app: settings, extensions, then each package's blueprints and commands."""
    config.resolve()
    app = Flask(__name__, instance_path=str(config.INSTANCE_PATH), instance_relative_config=True)
    app.config.from_object(config)
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)

    from app import i18n

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)

    # Not at the top: domain packages import app.extensions, which runs this module.
    import evaluations
    import workshops
    from app import (
        api,
        assets,
        auth,
        cli,
        compression,
        errors,
        input_guard,
        keys,
        reports,
        routes,
        security,
    )

    del keys  # imported for its model (the shared session secret, used by run.py)
    for package in (
        i18n,
        assets,
        compression,
        security,
        input_guard,
        errors,
        routes,
        api,
        auth,
        workshops,
        evaluations,
        reports,
        cli,
    ):
        package.init_app(app)
    if not app.testing:  # a test's app has an instance folder of its own, thrown away after it
        keep_compiled_templates(app)  # last: the extensions the packages added shape the code
        parsed.keep_in(Path(app.instance_path) / "cache" / "method-data")  # the method's YAML
    return app


class CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's compiled templates kept in a folder, so a new process (a command, a new worker)
    loads them instead of compiling them again (the report's templates: about 0.09 s).

    Jinja keeps one file per template and uses it only while the template's source has the same
    checksum and Python the same version, so a changed template is compiled again. Files are
    written under a temporary name and renamed, so several workers can share the folder. The
    folder is made when the first template is kept; a folder that cannot be read or written,
    or a damaged file, only means compiling again.
    """

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            return


def keep_compiled_templates(app: Flask) -> None:
    """Keep compiled templates in the instance folder, in a folder named after the Jinja version
    and the settings that shape compiled code (another version or setting uses another folder)."""
    env = app.jinja_env
    settings = repr(
        (
            sorted(env.extensions),
            env.block_start_string,
            env.block_end_string,
            env.variable_start_string,
            env.variable_end_string,
            env.comment_start_string,
            env.comment_end_string,
            env.line_statement_prefix,
            env.line_comment_prefix,
            env.trim_blocks,
            env.lstrip_blocks,
            env.newline_sequence,
            env.keep_trailing_newline,
            env.optimized,
            getattr(env.autoescape, "__qualname__", env.autoescape),
        )
    )
    version = hashlib.sha256(f"{jinja2.__version__} {settings}".encode()).hexdigest()[:16]
    folder = Path(app.instance_path) / "cache" / "templates" / version
    env.bytecode_cache = CompiledTemplates(str(folder))
