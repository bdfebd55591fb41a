"""Small helpers for the JSON API: errors with stable codes, and strict JSON bodies; and the
characters no text a person sends may hold."""

from __future__ import annotations

import re
from typing import Any, NoReturn

from flask import abort, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, default_exceptions

# C0 control characters other than tab, line feed and carriage return, and lone UTF-16 surrogates
# (half of a character): nobody types them, PostgreSQL refuses NUL, and the others break mail
# headers, CSV and XLSX files and terminals. Refused on every request (app/input_guard) and in
# imported files (businesses.registry).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def first_control(text: str) -> str | None:
    """The first forbidden control character in the text, or None."""
    found = CONTROL.search(text)
    return found.group() if found else None


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
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a body we take
        data = None
    if data is None:
        api_abort(400, "invalid_json", _("The body is not valid JSON."))
    if not isinstance(data, dict):
        api_abort(422, "invalid_body", _("The body must be a JSON object."))
    if _has_nul(data):
        # Nobody types a NUL character, and PostgreSQL cannot store one in a text column.
        api_abort(422, "invalid_text", _("The text contains a character that is not allowed."))
    return data


def _has_nul(data: object) -> bool:
    """True when a string anywhere in the parsed body (keys included) holds a NUL character."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


__all__ = ["CONTROL", "abort", "api_abort", "first_control", "json_body"]
