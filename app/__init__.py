"""Kraftverk's web shell: the application factory."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import babel, csrf, db, login_manager, migrate
from config import BASE_DIR, Config


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
    from app import api, assets, auth, cli, errors, input_guard, keys, reports, routes, security

    del keys  # imported for its model (the shared session secret, used by run.py)
    for package in (
        i18n,
        assets,
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
    return app
