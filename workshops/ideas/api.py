"""The phones' API for ideas, dot votes and interests (INTERFACES.md)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, request
from flask_babel import gettext as _

from app.db import iso_z, utcnow
from app.extensions import db
from workshops import codes, devices
from workshops.http import api_abort, json_body
from workshops.ideas import capture as ideas
from workshops.ideas import votes
from workshops.live import participants, state
from workshops.live.api import not_modified, workshop_or_404

bp = Blueprint("ideas_api", __name__, url_prefix="/api/v1/workshops")


IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,128}$")
IDEA_STATUS = {
    "not_found": 404,
    "workshop_closed": 409,
    "invalid_text": 422,
    "idempotency_conflict": 409,
    "rate_limited": 429,
}


def _idea_message(code: str) -> str:
    return {
        "not_found": _("No workshop has this code."),
        "workshop_closed": _("This workshop is closed."),
        "invalid_text": _("Write an idea of 1 to %(n)s characters.", n=ideas.MAX_LENGTH),
        "idempotency_conflict": _("This key was already used for another idea."),
        "rate_limited": _("You are sending ideas very fast. Wait a few seconds; nothing is lost."),
    }[code]


def _device_key() -> str:
    return participants.device_key(devices.current_device())


@bp.post("/<code>/ideas")
def post_idea(code: str):
    """Store an idea in the workshop's current step; 201 only once it is committed."""
    data = json_body()
    key = request.headers.get("Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY.match(key):
        api_abort(422, "invalid_idempotency_key", _("The Idempotency-Key is not valid."))
    for field, limit in (("name", 120), ("business", 160), ("track", 40)):
        value = data.get(field)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            api_abort(422, f"invalid_{field}", _("Check the field: %(field)s.", field=field))
    try:
        stored = ideas.submit(
            codes.normalise(code) or "",
            data.get("text"),
            device=_device_key(),
            key=key,
            name=data.get("name") or "",
            business=data.get("business") or "",
            track=data.get("track") or None,
        )
    except ideas.IdeaError as error:
        db.session.rollback()
        api_abort(IDEA_STATUS[error.code], error.code, _idea_message(error.code), error.retry_after)
    return {"id": stored.id, "created_at": iso_z(stored.created_at)}, 201


def idea_json(idea, themes: dict, totals: dict | None, interests: dict) -> dict:
    """One idea as the wall and the phones see it (text exactly as typed)."""
    item = {
        "id": idea.id,
        "text": idea.text,
        "created_at": iso_z(idea.created_at),
        "step": idea.step_id,
        "track": idea.track,
        "theme": themes.get(idea.theme_id),
        "name": idea.author_name or None,
        "business": idea.business_name or None,
        "interests": len(interests.get(idea.id, [])),
    }
    if totals is not None:
        item["votes"] = totals.get(idea.id, 0)
    return item


@bp.get("/<code>/ideas")
def list_ideas(code: str):
    """The ideas shown on the wall, newest first; votes once the leader reveals them."""
    workshop = workshop_or_404(code)
    tag = ideas.list_etag(workshop)
    if request.if_none_match.contains(tag):
        return not_modified(tag)
    latest = votes.latest_round(workshop)
    totals = votes.totals(workshop, latest) if latest and latest.revealed else None
    themes = {t.id: t.name for t in ideas.themes(workshop)}
    interests = votes.interests_by_idea(workshop)
    body = [idea_json(i, themes, totals, interests) for i in ideas.visible(workshop)]
    response = Response(state.as_json(body), mimetype="application/json")
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache"
    return response


VOTE_STATUS = {
    "vote_closed": 409,
    "invalid_dots": 422,
    "invalid_idea": 422,
    "no_dots_left": 409,
    "invalid_business": 422,
    "workshop_closed": 409,
}


def _vote_message(code: str) -> str:
    return {
        "vote_closed": _("No vote is open right now."),
        "invalid_dots": _("That number of dots is not possible."),
        "invalid_idea": _("That idea is not in this workshop."),
        "no_dots_left": _("You have no dots left to spend."),
        "invalid_business": _("Write the name of your business (up to 160 characters)."),
        "workshop_closed": _("This workshop is closed."),
    }[code]


@bp.post("/<code>/votes")
def post_vote(code: str):
    """Spend dots on an idea while a vote is open; a device never exceeds its dots."""
    data = json_body()
    workshop = workshop_or_404(code)
    try:
        result = votes.cast(
            workshop, data.get("idea"), data.get("dots", 1), _device_key(), utcnow()
        )
    except votes.VoteError as error:
        db.session.rollback()
        api_abort(VOTE_STATUS[error.code], error.code, _vote_message(error.code))
    return result, 201


@bp.get("/<code>/votes")
def my_votes(code: str):
    """Whether a vote is open, and how many dots this device has left."""
    workshop = workshop_or_404(code)
    vote_round = votes.open_round(workshop)
    left = votes.dots_left(workshop, _device_key()) if vote_round else None
    return {
        "open": vote_round is not None,
        "dots": vote_round.dots if vote_round else 0,
        "dots_left": left,
    }


@bp.post("/<code>/interests")
def post_interest(code: str):
    """'I want to work on this': record the device's business's interest in an idea."""
    data = json_body()
    workshop = workshop_or_404(code)
    try:
        interest = votes.mark_interest(
            workshop, data.get("idea"), data.get("business"), _device_key(), utcnow()
        )
    except votes.VoteError as error:
        db.session.rollback()
        api_abort(VOTE_STATUS[error.code], error.code, _vote_message(error.code))
    return {"idea": interest.idea_id, "business": interest.business_name}, 201


def init_app(app) -> None:
    """Register the API (CSRF-exempt: JSON only)."""
    from app.extensions import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
