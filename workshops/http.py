"""Small helpers for the JSON API: errors with stable codes, and strict JSON bodies."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import abort, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, default_exceptions


def api_abort(status: int, code: str, message: str, retry_after: int | None = None) -> NoReturn:
    """Stop with `{"error": code, "message": message}` and the given status."""
    error: HTTPException = default_exceptions[status](description=message)
    error.api_code = code
    if retry_after is not None:
        error.retry_after = retry_after
    raise error


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 415/400/422 error that says what is wrong."""
    if request.mimetype != "application/json":
        api_abort(
            415,
            "unsupported_media_type",
            _("Send JSON with the header Content-Type: application/json."),
        )
    data = request.get_json(silent=True)
    if data is None:
        api_abort(400, "invalid_json", _("The body is not valid JSON."))
    if not isinstance(data, dict):
        api_abort(422, "invalid_body", _("The body must be a JSON object."))
    return data


__all__ = ["abort", "api_abort", "json_body"]
