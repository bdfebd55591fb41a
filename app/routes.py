"""The public front page, the join box, and the health check."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select, text

from app.db import utcnow
from app.extensions import db
from workshops.programme import lookup
from workshops.programme.models import Workshop
from workshops.projects.models import Project

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """What Kraftverk is, the join box, and upcoming public workshops."""
    upcoming = db.session.execute(
        select(Workshop, Project)
        .join(Project, Project.id == Workshop.project_id)
        .where(
            Workshop.is_public.is_(True),
            Workshop.status != "closed",
            Workshop.starts_at >= utcnow(),
        )
        .order_by(Workshop.starts_at)
        .limit(10)
    ).all()
    return render_template("index.html", upcoming=upcoming)


@bp.get("/join")
def join():
    """Take a typed join code to its workshop page, or say that no workshop has it."""
    raw = request.args.get("code", "")
    workshop = lookup.by_code(raw)
    if workshop is not None and workshop.status != "closed":
        return redirect(f"/j/{workshop.join_code}")
    flash(
        _("No open workshop has the code %(code)s. Check the code on the wall.", code=raw[:20]),
        "error",
    )
    return redirect(url_for("main.index")), 303


@bp.get("/healthz")
def healthz():
    """200 when the app and its database answer; 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.rollback()
        return {"status": "unavailable", "database": "down"}, 503
    return {"status": "ok", "database": "ok"}


def init_app(app: Flask) -> None:
    """Register the public pages."""
    app.register_blueprint(bp)
