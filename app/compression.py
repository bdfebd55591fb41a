"""Gzip for text answers: scripts, stylesheets, SVG and JSON, when the browser takes it.

A venue has one shared Wi-Fi, often slow: a phone's first visit loads its script and its
stylesheet, about three times smaller compressed. Static files are compressed once per file
version and kept in memory; other answers as they are sent. HTML pages are never compressed:
a page holds the form's CSRF token next to text a visitor may have put there, and the length
of a compressed page would let an eavesdropper guess the token a character at a time (BREACH).
Left as they are too: answers under MIN_SIZE, answers with an entity tag of the app's own (the
live state's 304 answers compare it as sent), streamed answers, and anything already encoded.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from flask import Flask, current_app, request
from flask.wrappers import Response

MIN_SIZE = 1024
LEVEL = 6
TEXT_TYPES = frozenset(
    {
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
        "text/plain",
        "text/calendar",
    }
)
_KEPT_FILES = 256


def compress(body: bytes) -> bytes:
    """The same bytes every time for the same body (no time in the gzip header)."""
    return gzip.compress(body, compresslevel=LEVEL, mtime=0)


def _is_static(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))


def _static_file(response: Response) -> Path | None:
    """The file a static answer sends, when the request names one on disk."""
    filename = (request.view_args or {}).get("filename")
    if not filename:
        return None
    if request.endpoint == "static":
        folder = current_app.static_folder
    else:
        blueprint = current_app.blueprints.get(request.endpoint.rsplit(".", 1)[0])
        folder = blueprint.static_folder if blueprint else None
    if not folder:
        return None
    root = Path(folder).resolve()
    path = (root / filename).resolve()
    return path if root in path.parents and path.is_file() else None


def init_app(app: Flask) -> None:
    """Compress text answers for browsers that accept gzip."""
    kept: dict[tuple[str, int, int], bytes] = {}

    @app.after_request
    def _gzip(response: Response) -> Response:
        if (
            response.status_code != 200
            or response.mimetype not in TEXT_TYPES
            or "Content-Encoding" in response.headers
            or not request.accept_encodings["gzip"]
        ):
            return response
        static = _is_static(request.endpoint)
        if response.is_streamed and not (static and response.direct_passthrough):
            return response
        if not static and response.get_etag()[0] is not None:
            return response
        if static:
            path = _static_file(response)
            if path is None:
                return response
            stat = path.stat()
            key = (str(path), stat.st_mtime_ns, stat.st_size)
            if stat.st_size < MIN_SIZE:
                return response
            body = kept.get(key)
            if body is None:
                body = compress(path.read_bytes())
                if len(kept) >= _KEPT_FILES:
                    kept.clear()
                kept[key] = body
            response.direct_passthrough = False
            close = getattr(response.response, "close", None)
            if close is not None:
                close()  # the file the answer would have sent
            response.set_data(body)
            # The file's entity tag names the uncompressed bytes; Last-Modified still lets the
            # browser revalidate an unversioned file.
            del response.headers["ETag"]
            response.headers.pop("Accept-Ranges", None)  # ranges of the compressed bytes: none
        else:
            data = response.get_data()
            if len(data) < MIN_SIZE:
                return response
            response.set_data(compress(data))
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        return response
