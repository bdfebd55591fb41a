"""Projects, live workshops, participants, ideas, businesses and the pairing graph."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints and its part of the demo."""
    from workshops import (
        api,
        business_views,
        demo,
        devices,
        idea_views,
        live_views,
        privacy_views,
        programme_views,
        public,
        routes,
    )

    devices.init_app(app)
    api.init_app(app)
    app.register_blueprint(routes.bp)
    app.register_blueprint(live_views.bp)
    app.register_blueprint(programme_views.bp)
    app.register_blueprint(idea_views.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(business_views.bp)
    app.register_blueprint(privacy_views.bp)
    app.extensions.setdefault("kraftverk.demo", []).append(demo.load)
