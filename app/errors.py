"""Errors as pages in the user's language, or as JSON under /api/."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.extensions import db

log = logging.getLogger(__name__)


def wants_json() -> bool:
    """True for API calls, which always get JSON errors."""
    return request.path.startswith("/api/")


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        403: (_("Not allowed"), _("You do not have access to this page.")),
        404: (_("Not found"), _("We could not find what you were looking for.")),
        405: (_("Not allowed"), _("This action is not possible here.")),
        409: (_("Conflict"), _("This could not be done in the current state.")),
        413: (_("Too large"), _("What you sent is too large.")),
        415: (_("Wrong format"), _("Send JSON with the header Content-Type: application/json.")),
        422: (_("Invalid input"), _("Some of what you sent is not valid.")),
        429: (_("Too many requests"), _("Please wait a moment and try again.")),
        500: (_("Something went wrong"), _("An error on our side. It has been logged.")),
        503: (_("Busy"), _("The service is busy. Please try again in a moment.")),
    }


def error_code(error: HTTPException) -> str:
    """A stable machine-readable code for an error, e.g. 'not_found'."""
    custom = getattr(error, "api_code", None)
    return custom or (error.name or "error").lower().replace(" ", "_").replace("'", "")


def handle_http_error(error: HTTPException):
    """Answer an HTTP error as JSON for the API, else as a page."""
    status = error.code or 500
    title, default_message = _messages().get(status, (error.name, error.description or ""))
    custom = error.description if getattr(error, "api_code", None) or _is_custom(error) else None
    message = custom or default_message
    headers = {}
    retry = getattr(error, "retry_after", None)
    if retry:
        headers["Retry-After"] = str(retry)
    if wants_json():
        return {"error": error_code(error), "message": message}, status, headers
    return (
        render_template("errors/http.html", status=status, title=title, message=message),
        status,
        headers,
    )


def _is_custom(error: HTTPException) -> bool:
    """True when a view passed its own description to abort()."""
    return bool(error.description) and error.description != type(error).description


def handle_csrf_error(error: CSRFError):
    """A missing or expired form token: explain and ask to try again."""
    message = _("The form had expired or was sent from elsewhere. Please try again.")
    if wants_json():
        return {"error": "csrf_failed", "message": message}, 400
    return render_template(
        "errors/http.html", status=400, title=_("Please try again"), message=message
    ), 400


def handle_database_busy(error: OperationalError):
    """The database is busy or gone: tell the client to retry, never a 500 page."""
    log.warning("database unavailable: %s", error)

    db.session.rollback()
    title, message = _messages()[503]
    headers = {"Retry-After": "2"}
    if wants_json():
        return {"error": "unavailable", "message": message}, 503, headers
    return (
        render_template("errors/http.html", status=503, title=title, message=message),
        503,
        headers,
    )


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_busy)
