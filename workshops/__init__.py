"""The process itself, one room per domain: projects, programme, live, ideas, businesses (with
pairing), registrations and privacy. A few shared modules (http, devices, codes, events, pdf,
spreadsheets, demo) sit beside the rooms."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # run.py imports workshops.pdf before Flask (see pdf.start_ahead)
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the rooms' blueprints, their registry entries and this package's part of the demo."""
    from workshops import demo, devices, events
    from workshops.businesses import counts as business_counts
    from workshops.businesses import meetings, products
    from workshops.businesses import registry as business_registry
    from workshops.businesses import views as business_views
    from workshops.ideas import api as ideas_api
    from workshops.ideas import counts as idea_counts
    from workshops.ideas import steps as idea_steps
    from workshops.ideas import views as idea_views
    from workshops.ideas import votes
    from workshops.live import api as live_api
    from workshops.live import views as live_views
    from workshops.privacy import views as privacy_views
    from workshops.programme import builder as programme_builder
    from workshops.programme import views as programme_views
    from workshops.projects import queries as project_queries
    from workshops.projects import views as project_views
    from workshops.registrations import counts as registration_counts
    from workshops.registrations import views as registration_views

    devices.init_app(app)
    live_api.init_app(app)
    ideas_api.init_app(app)
    idea_steps.init_app(app)
    meetings.init_app(app)
    products.init_app(app)
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
    # The rooms below never import the rooms above: these fill the registries they offer.
    events.on_starting_programme(app, programme_builder.add_default_programme)
    for counter in (
        registration_counts.for_project,
        business_counts.for_project,
        idea_counts.for_project,
    ):
        project_queries.count_toward_targets(app, counter)
    votes.name_businesses_with(app, business_registry.business_named)
