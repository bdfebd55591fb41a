"""HTML to PDF with WeasyPrint, fetching nothing but the app's own static files."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


class StaticOnlyFetcher(URLFetcher):
    """Serve /static/... from disk and refuse every other URL, so user text can never fetch."""

    def __init__(self, static_folder: str) -> None:
        super().__init__(allowed_protocols=("file", "http", "https"))
        self.root = Path(static_folder).resolve()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        """Return a static file's bytes, or raise for anything else."""
        path = urlsplit(url).path
        if path.startswith("/static/"):
            candidate = (self.root / unquote(path[len("/static/") :])).resolve()
            if candidate.is_file() and self.root in candidate.parents:
                kind = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, candidate.read_bytes(), {"Content-Type": kind})
        raise ValueError(f"refused to fetch {url[:80]}")


def html_to_pdf(html: str) -> bytes:
    """Render `html` as a PDF (A4 and print styles come from the HTML's own CSS)."""
    fetcher = StaticOnlyFetcher(current_app.static_folder)
    return HTML(string=html, base_url="file:///", url_fetcher=fetcher).write_pdf()
