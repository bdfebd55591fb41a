"""Evaluation forms, anonymous answers and their pie charts."""

from __future__ import annotations

from flask import Flask


def form_a_for_new_workshop(workshop) -> None:
    """Give a new workshop its Form A as a draft, with its steps as "which parts" options."""
    from evaluations import builder

    builder.from_template(workshop.project, "A", workshop=workshop)


def init_app(app: Flask) -> None:
    """Register the pages and the API, the new-workshop hook, the demo part and the OpenAPI."""
    from app.extensions import csrf
    from evaluations import api, demo, routes
    from workshops.events import on_workshop_created

    csrf.exempt(api.bp)  # JSON only: a cross-site form cannot send it without a preflight
    app.register_blueprint(routes.bp)
    app.register_blueprint(api.bp)
    on_workshop_created(app, form_a_for_new_workshop)
    app.extensions.setdefault("kraftverk.demo", []).append(demo.load)
    app.extensions.setdefault("kraftverk.openapi", []).append(api.openapi)
