"""Versioned static URLs: every url_for('static', ...) carries ?v=<hash of the file>.

A browser that cached an older script or stylesheet asks for the new address as soon as the
file changes, so a phone that reloads the page never runs old JavaScript against a newer API.
So a file asked for by its current version may be kept for a year without asking again
(`immutable`): on a venue's shared Wi-Fi every page a phone opens costs no round trip per script
and stylesheet. Any other request for a static file (no version, an older one) is revalidated.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, request
from flask.wrappers import Response

YEAR = 365 * 24 * 3600


def file_version(folder: str, filename: str, cache: dict[str, str]) -> str | None:
    """A short hash of the file's bytes (cached per file), or None when there is no such file."""
    if filename in cache:
        return cache[filename]
    root = Path(folder).resolve()
    path = (root / filename).resolve()
    if root not in path.parents or not path.is_file():
        return None
    digest = hashlib.blake2s(path.read_bytes(), digest_size=5).hexdigest()
    cache[filename] = digest
    return digest


def init_app(app: Flask) -> None:
    """Add the version to static URLs; while debugging, hash anew each time."""
    cache: dict[str, str] = {}

    @app.url_defaults
    def _version_static(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "v" in values or not values.get("filename"):
            return
        if app.debug:
            cache.clear()
        version = file_version(app.static_folder, values["filename"], cache)
        if version:
            values["v"] = version

    @app.after_request
    def _keep_versioned(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename")
        wanted = request.args.get("v")
        if wanted and filename and wanted == file_version(app.static_folder, filename, cache):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
