"""The access log of `make run` (gunicorn), without the requests that answer an evaluation.

Evaluations are anonymous: a log line with the address and the exact time of the request that
stored an answer would undo that (and so would the lines of the form and thanks pages around it).
The logger below writes no line for any request to an answering page or the answering API, nor for
a request whose Referer is such a page (the thanks page's style sheet would give the moment of the
answer); every other request is logged as gunicorn does by default. app/gunicorn_conf.py names it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from gunicorn.glogging import Logger

# Path prefixes of the respondent's requests: the form page, its thanks page, the JSON API.
PRIVATE_PREFIXES = ("/e/", "/api/v1/evaluations/")


def is_private(path: str) -> bool:
    """Whether a request to this path answers (or shows) an evaluation form."""
    return path.startswith(PRIVATE_PREFIXES)


def from_private_page(referer: str) -> bool:
    """Whether a request was made by an answering page (its style sheet, script, icons)."""
    return bool(referer) and is_private(urlsplit(referer).path)


class PrivateAccessLogger(Logger):
    """gunicorn's logger, writing no access line for the respondents' requests, nor for the
    files their pages load (whose Referer names the page, and so the moment of an answer)."""

    def access(self, resp, req, environ, request_time):
        path = environ.get("PATH_INFO", "") or getattr(req, "path", "") or ""
        if is_private(path) or from_private_page(environ.get("HTTP_REFERER", "")):
            return
        super().access(resp, req, environ, request_time)
