"""The participants' JSON API: live state and joining (INTERFACES.md)."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask_babel import gettext as _

from app.db import utcnow
from app.extensions import db
from workshops import codes, devices, participants, state
from workshops.http import api_abort, json_body

bp = Blueprint("workshops_api", __name__, url_prefix="/api/v1/workshops")


def workshop_or_404(raw_code: str):
    """The workshop with this join code (any spelling), or a JSON 404."""
    code = codes.normalise(raw_code)
    workshop = state.find_open(code) if code else None
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
    tag, track = found
    # An unchanged poll costs one small query and answers 304 with no body.
    if request.if_none_match.contains(tag):
        return _not_modified(tag)
    workshop = workshop_or_404(code)
    body = state.as_json(state.snapshot(workshop, utcnow(), track=track))
    response = Response(body, mimetype="application/json")
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _not_modified(tag: str) -> Response:
    response = Response(status=304)
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache"
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
    db.session.commit()
    return {
        "name": participant.name,
        "business": participant.business_name,
        "track": participant.track,
    }, 200


def openapi_paths(spec: dict) -> None:
    """Describe this blueprint's endpoints in the OpenAPI document."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    code_param = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
    spec["paths"]["/workshops/{code}"] = {
        "get": {
            "summary": "Live state of a workshop",
            "parameters": [code_param],
            "responses": {
                "200": {"description": "The state", "content": {"application/json": {}}},
                "304": {"description": "Unchanged since the ETag given in If-None-Match"},
                "404": {"description": "Unknown code", "content": error},
            },
        }
    }
    spec["paths"]["/workshops/{code}/join"] = {
        "post": {
            "summary": "Say who this device is",
            "parameters": [code_param],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string", "maxLength": participants.MAX_NAME},
                                "business": {
                                    "type": "string",
                                    "maxLength": participants.MAX_BUSINESS,
                                },
                                "track": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": {"description": "Saved", "content": {"application/json": {}}},
                "404": {"description": "Unknown code", "content": error},
                "409": {"description": "Closed", "content": error},
                "415": {"description": "Not JSON", "content": error},
                "422": {"description": "Invalid field", "content": error},
            },
        }
    }


def init_app(app) -> None:
    """Register the API (CSRF-exempt: JSON only) and its OpenAPI paths."""
    from app.extensions import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.extensions.setdefault("kraftverk.openapi", []).append(openapi_paths)
