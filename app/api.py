"""The JSON API under /api/v1: shared rules and the OpenAPI description."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, request, url_for

from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}


def _limit_body() -> None:
    """Refuse API bodies over the limit before anything reads them."""
    if not request.path.startswith("/api/"):
        return
    length = request.content_length
    if length is not None and length > current_app.config["API_MAX_BODY"]:
        abort(413)


@bp.get("/openapi.json")
def openapi():
    """An OpenAPI 3 description of every /api/v1 endpoint."""
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "Kraftverk API", "version": "1"},
        "servers": [{"url": url_for("api.openapi").rsplit("/", 1)[0]}],
        "paths": {
            "/openapi.json": {
                "get": {
                    "summary": "This description",
                    "responses": {"200": {"description": "OpenAPI document"}},
                }
            }
        },
        "components": {"schemas": {"Error": ERROR_SCHEMA}},
    }
    for contribute in current_app.extensions.get("kraftverk.openapi", []):
        contribute(spec)
    return spec


def init_app(app: Flask) -> None:
    """Register the API blueprint (exempt from CSRF: it accepts JSON only)."""
    csrf.exempt(bp)
    app.before_request(_limit_body)
    app.extensions.setdefault("kraftverk.openapi", [])
    app.register_blueprint(bp)
