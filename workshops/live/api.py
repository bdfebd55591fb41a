"""The phones' live API: the state they poll and joining (INTERFACES.md)."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask_babel import get_locale
from flask_babel import gettext as _

from app.db import utcnow
from app.extensions import csrf, db
from workshops import codes, devices
from workshops.http import api_abort, json_body
from workshops.live import participants, state
from workshops.programme import lookup

bp = Blueprint("workshops_api", __name__, url_prefix="/api/v1/workshops")


def workshop_or_404(raw_code: str):
    """The workshop with this join code (any spelling), or a JSON 404."""
    workshop = lookup.by_code(raw_code)
    if workshop is None:
        api_abort(404, "not_found", _("No workshop has this code."))
    return workshop


@bp.get("/<code>")
def live_state(code: str):
    """The live state, or 304 when the device already has it."""
    token = devices.current_device(create=False)
    device_key = participants.device_key(token) if token else None
    found = state.current_etag(codes.normalise(code) or "", device_key)
    if found is None:
        api_abort(404, "not_found", _("No workshop has this code."))
    tag, track = found.tag, found.track
    if token and found.open and not found.joined:
        # A phone's first poll: from now on it counts as joined. The page alone does not count
        # it (link previews and crawlers fetch pages, never poll), so this write happens once.
        participants.ensure(workshop_or_404(code), token)
        db.session.commit()
    # An unchanged poll costs one small query and answers 304 with no body.
    if request.if_none_match.contains_weak(tag):
        return not_modified(tag, STATE_VARY)
    workshop = workshop_or_404(code)
    # The method's texts in the phone's language (state.method_texts).
    lang = str(get_locale())
    body = state.as_json(state.snapshot(workshop, utcnow(), track=track, lang=lang))
    response = Response(body, mimetype="application/json")
    response.set_etag(tag, weak=True)  # one validator for the texts in every language
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Vary"] = STATE_VARY
    return response


STATE_VARY = "Cookie, Accept-Language"  # the device, and the language of the method's texts


def not_modified(tag: str, vary: str | None = None) -> Response:
    response = Response(status=304)
    response.set_etag(tag, weak=vary is not None)
    response.headers["Cache-Control"] = "no-cache"
    if vary:
        response.headers["Vary"] = vary
    return response


@bp.post("/<code>/join")
def join(code: str):
    """Say who this device is (all optional): name, business, track."""
    data = json_body()
    workshop = workshop_or_404(code)
    if workshop.status == "closed":
        api_abort(409, "workshop_closed", _("This workshop is closed."))
    participant = participants.ensure(workshop, devices.current_device())
    invalid = participants.update(participant, workshop, data)
    if invalid:
        db.session.rollback()
        api_abort(422, f"invalid_{invalid[0]}", _("Check the field: %(field)s.", field=invalid[0]))
    answer = {
        "name": participant.name,
        "business": participant.business_name,
        "track": participant.track,
    }
    db.session.commit()  # the answer was read before: no second transaction to reload it
    return answer, 200


def nullable(kind: str) -> dict:
    """An OpenAPI schema of `kind` that may be null."""
    return {"type": kind, "nullable": True}


# The errors any write to /workshops/{code}/... may answer.
WRITE_ERRORS = (400, 404, 409, 413, 415, 422, 503)
STATE_SCHEMA = {
    "type": "object",
    "required": ["code", "title", "status", "visibility", "server_time", "step", "agenda"],
    "properties": {
        "code": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "string", "enum": ["planned", "live", "paused", "closed"]},
        "visibility": {"type": "string", "enum": ["open", "stepwise", "hidden"]},
        "server_time": {"type": "string"},
        "step": {"type": "object", "nullable": True},
        "agenda": {"type": "array", "items": {"type": "object"}},
    },
}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def operation(summary: str, ok: str, ok_schema: dict | None, errors: tuple, body=None) -> dict:
    """Describe one operation on /workshops/{code}...: its answers, errors and body."""
    error = _json({"$ref": "#/components/schemas/Error"})
    responses = {ok: {"description": "OK", **({"content": _json(ok_schema)} if ok_schema else {})}}
    for status in errors:
        responses[str(status)] = {"description": "Error", "content": error}
    operation = {
        "summary": summary,
        "parameters": [
            {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "responses": responses,
    }
    if body is not None:
        operation["requestBody"] = {"required": True, "content": _json(body)}
    return operation


def openapi_paths(spec: dict) -> None:
    """Describe this blueprint's endpoints in the OpenAPI document."""
    state_get = operation("Live state of a workshop", "200", STATE_SCHEMA, (404, 503))
    state_get["responses"]["304"] = {"description": "Unchanged since If-None-Match"}
    spec["paths"]["/workshops/{code}"] = {"get": state_get}
    spec["paths"]["/workshops/{code}/join"] = {
        "post": operation(
            "Say who this device is",
            "200",
            {"type": "object"},
            WRITE_ERRORS,
            {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "maxLength": participants.MAX_NAME},
                    "business": {"type": "string", "maxLength": participants.MAX_BUSINESS},
                    "track": {"type": "string"},
                },
            },
        )
    }


def init_app(app) -> None:
    """Register the API (CSRF-exempt: JSON only) and its OpenAPI paths."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.extensions.setdefault("kraftverk.openapi", []).append(openapi_paths)
