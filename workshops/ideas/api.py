"""The phones' API for ideas, dot votes and interests (INTERFACES.md)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, request
from flask_babel import gettext as _

from app.db import iso_z, utcnow
from app.extensions import csrf, db
from workshops import codes, devices
from workshops.http import api_abort, json_body
from workshops.ideas import capture as ideas
from workshops.ideas import listing, votes
from workshops.live import participants, state
from workshops.live.api import (
    WRITE_ERRORS,
    not_modified,
    nullable,
    operation,
    workshop_or_404,
)

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


def _idempotency_key() -> str | None:
    """The request's Idempotency-Key header, if valid (else a 422)."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY.match(key):
        api_abort(422, "invalid_idempotency_key", _("The Idempotency-Key is not valid."))
    return key


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
    step = data.get("step")  # the step the phone showed when the idea was written
    if step is not None and (type(step) is not int or not 0 < step < 2**31):
        api_abort(422, "invalid_step", _("Check the field: %(field)s.", field="step"))
    try:
        stored = ideas.submit(
            codes.normalise(code) or "",
            data.get("text"),
            device=_device_key(),
            key=key,
            name=data.get("name") or "",
            business=data.get("business") or "",
            track=data.get("track") or None,
            written_in=step,
        )
    except ideas.IdeaError as error:
        db.session.rollback()
        api_abort(IDEA_STATUS[error.code], error.code, _idea_message(error.code), error.retry_after)
    return {"id": stored.id, "created_at": iso_z(stored.created_at)}, 201


@bp.get("/<code>/ideas")
def list_ideas(code: str):
    """The ideas shown on the wall, newest first; only what changed when `since` is a cursor."""
    workshop = workshop_or_404(code)
    tag = listing.etag(workshop)
    if request.if_none_match.contains_weak(tag):
        return not_modified(tag)
    body = listing.listing(workshop, request.args.get("since"))
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
    """Spend dots on an idea while a vote is open; a device never exceeds its dots.

    Keyed like ideas: a retry with the same Idempotency-Key is counted once.
    """
    data = json_body()
    key = _idempotency_key()
    workshop = workshop_or_404(code)
    try:
        result = votes.cast(
            workshop, data.get("idea"), data.get("dots", 1), _device_key(), utcnow(), key=key
        )
    except votes.VoteError as error:
        db.session.rollback()
        api_abort(VOTE_STATUS[error.code], error.code, _vote_message(error.code))
    return result, 201


@bp.get("/<code>/votes")
def my_votes(code: str):
    """Whether a vote is open, this device's dots left and its dots on each idea."""
    workshop = workshop_or_404(code)
    vote_round = votes.open_round(workshop)
    device = _device_key()
    left = votes.dots_left(workshop, device) if vote_round else None
    return {
        "open": vote_round is not None,
        "dots": vote_round.dots if vote_round else 0,
        "dots_left": left,
        "mine": {str(k): v for k, v in votes.mine(workshop, device).items()},
    }


@bp.post("/<code>/interests")
def post_interest(code: str):
    """'I want to work on this': record the device's business's interest in an idea.

    Once per device and idea, so a retry (with or without its Idempotency-Key) stores nothing
    more and gets the same answer, even after the workshop closed.
    """
    data = json_body()
    _idempotency_key()
    workshop = workshop_or_404(code)
    try:
        interest = votes.mark_interest(
            workshop, data.get("idea"), data.get("business"), _device_key(), utcnow()
        )
    except votes.VoteError as error:
        db.session.rollback()
        api_abort(VOTE_STATUS[error.code], error.code, _vote_message(error.code))
    return {"idea": interest.idea_id, "business": interest.business_name}, 201


IDEA_SCHEMA = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "integer"},
        "text": {"type": "string"},
        "created_at": {"type": "string"},
        "step": {"type": "integer"},
        "track": {"type": "string"},
        "theme": {"type": "string"},
        "votes": {"type": "integer"},
        "hidden": {"type": "boolean"},
    },
}
IDEA_LIST_SCHEMA = {
    "type": "object",
    "required": ["cursor", "full", "ideas"],
    "properties": {
        "cursor": {"type": "string"},
        "full": {"type": "boolean"},
        "ideas": {"type": "array", "items": IDEA_SCHEMA},
    },
}


def openapi_paths(spec: dict) -> None:
    """Describe this blueprint's endpoints in the OpenAPI document."""
    idea_list = operation(
        "Visible ideas, newest first; only what changed since a cursor",
        "200",
        IDEA_LIST_SCHEMA,
        (404, 503),
    )
    idea_list["parameters"].append(
        {
            "name": "since",
            "in": "query",
            "required": False,
            "description": "The cursor of an earlier answer; unknown or too old: the whole list",
            "schema": {"type": "string"},
        }
    )
    idea_list["responses"]["304"] = {"description": "Unchanged since If-None-Match"}
    idea_post = operation(
        "Send an idea (stored before the 201)",
        "201",
        {
            "type": "object",
            "required": ["id", "created_at"],
            "properties": {"id": {"type": "integer"}, "created_at": {"type": "string"}},
        },
        (*WRITE_ERRORS, 429),
        {
            "type": "object",
            "required": ["text"],
            "properties": {
                "text": {"type": "string", "minLength": 1, "maxLength": ideas.MAX_LENGTH},
                "name": {"type": "string", "maxLength": 120},
                "business": {"type": "string", "maxLength": 160},
                "track": {"type": "string", "maxLength": 40},
                "step": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "The step the phone showed when the idea was written: the "
                    "idea is kept in it when it is a started step of this workshop (a queued idea "
                    "arriving later, also up to 15 minutes after the close).",
                },
            },
        },
    )
    idea_post["parameters"].append(
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY.pattern},
        }
    )
    spec["paths"]["/workshops/{code}/ideas"] = {"get": idea_list, "post": idea_post}
    spec["paths"]["/workshops/{code}/votes"] = {
        "get": operation(
            "Whether a vote is open and the device's dots left",
            "200",
            {
                "type": "object",
                "properties": {
                    "open": {"type": "boolean"},
                    "dots": {"type": "integer"},
                    "dots_left": nullable("integer"),
                    "mine": {
                        "type": "object",
                        "description": "This device's dots per idea id in the open vote",
                        "additionalProperties": {"type": "integer"},
                    },
                },
            },
            (404, 503),
        ),
        "post": operation(
            "Spend (or take back) dots on an idea",
            "201",
            {
                "type": "object",
                "properties": {
                    "idea": {"type": "integer"},
                    "dots_left": {"type": "integer"},
                    "dots": {"type": "integer"},
                },
            },
            WRITE_ERRORS,
            {
                "type": "object",
                "required": ["idea"],
                "properties": {"idea": {"type": "integer"}, "dots": {"type": "integer"}},
            },
        ),
    }
    spec["paths"]["/workshops/{code}/interests"] = {
        "post": operation(
            "I want to work on this idea",
            "201",
            {
                "type": "object",
                "properties": {"idea": {"type": "integer"}, "business": {"type": "string"}},
            },
            WRITE_ERRORS,
            {
                "type": "object",
                "required": ["idea", "business"],
                "properties": {
                    "idea": {"type": "integer"},
                    "business": {"type": "string", "maxLength": 160},
                },
            },
        )
    }
    keyed = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY.pattern},
    }
    for path in ("/workshops/{code}/votes", "/workshops/{code}/interests"):
        spec["paths"][path]["post"]["parameters"].append(dict(keyed))


def init_app(app) -> None:
    """Register the API (CSRF-exempt: JSON only) and its OpenAPI paths."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.extensions.setdefault("kraftverk.openapi", []).append(openapi_paths)
