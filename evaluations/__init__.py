"""Evaluation forms, anonymous answers and their pie charts."""

from __future__ import annotations

from flask import Flask

from app.extensions import csrf
from workshops.events import on_workshop_created


def form_a_for_new_workshop(workshop) -> None:
    """Give a new workshop its own form as a draft, named after it: Form A with its steps as
    "which parts" options, or Form B for the last workshop (W5)."""
    from evaluations import live

    live.create_for(workshop)


def init_app(app: Flask) -> None:
    """Register the pages and the API, the new-workshop hook, the demo part and the OpenAPI."""
    from evaluations import api, demo, live, routes

    csrf.exempt(api.bp)  # JSON only: a cross-site form cannot send it without a preflight
    app.register_blueprint(routes.bp)
    app.register_blueprint(api.bp)
    on_workshop_created(app, form_a_for_new_workshop)
    live.init_app(app)
    app.extensions.setdefault("kraftverk.demo", []).append(demo.load)
    app.extensions.setdefault("kraftverk.openapi", []).append(api.openapi)
