"""The process itself, one room per domain: projects, programme, live, ideas, businesses (with
pairing), registrations and privacy. A few shared modules (http, devices, codes, events, pdf,
spreadsheets, demo) sit beside the rooms."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the rooms' blueprints and this package's part of the demo."""
    from workshops import demo, devices
    from workshops.businesses import views as business_views
    from workshops.ideas import api as ideas_api
    from workshops.ideas import views as idea_views
    from workshops.live import api as live_api
    from workshops.live import views as live_views
    from workshops.privacy import views as privacy_views
    from workshops.programme import views as programme_views
    from workshops.projects import views as project_views
    from workshops.registrations import views as registration_views

    devices.init_app(app)
    live_api.init_app(app)
    ideas_api.init_app(app)
    for blueprint in (
        project_views.bp,
        live_views.bp,
        programme_views.bp,
        idea_views.bp,
        registration_views.bp,
        business_views.bp,
        privacy_views.bp,
    ):
        app.register_blueprint(blueprint)
    app.extensions.setdefault("kraftverk.demo", []).append(demo.load)
