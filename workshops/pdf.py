"""HTML to PDF with WeasyPrint, fetching nothing but the app's own static files.

The one URL fetcher of the app (the agenda, the guide, the report and the method description all
use it): it reads the static files of the app and of every blueprint from disk, and the SVG and
PNG figures the report embeds as data: URLs; it refuses every other URL, so no text typed by a
user can make the renderer fetch anything. WeasyPrint is imported inside the functions, keeping it out
of the app's start-up.
"""

from __future__ import annotations

import base64
import mimetypes
import os
import re
import warnings
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app

from workshops import collector, glyphs

# Relative URLs in the PDF's HTML resolve against this origin, which the fetcher maps to the
# static folders on disk. The .invalid top-level domain never resolves, should anything leak.
BASE_URL = "https://kraftverk.invalid/"
DATA_SVG = "data:image/svg+xml;base64,"
DATA_PNG = "data:image/png;base64,"
# PDF/A-3a: archivable (fonts embedded, sRGB output intent, XMP identification) and tagged
# (structure tree of headings, tables, lists and figures with their alt text).
PDF_VARIANT = "pdf/a-3a"
REPRODUCIBLE_EPOCH = "1577836800"  # 2020-01-01: reproducible-builds' SOURCE_DATE_EPOCH
# zlib's default level. pydyf (WeasyPrint's PDF writer) deflates every stream at level 9, which
# measured a third of writing the demo report for 2 % smaller files.
DEFLATE_LEVEL = 6


class FetchRefused(ValueError):
    """The HTML asked for a URL outside the app's static files."""


def static_roots() -> dict[str, Path]:
    """URL path prefix ("static/", "reports/static/", ...) -> folder on disk, for the app's
    static files and those of every blueprint that has some."""
    roots = {}
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint != "static" and not rule.endpoint.endswith(".static"):
            continue
        if rule.endpoint == "static":
            folder = current_app.static_folder
        else:
            folder = current_app.blueprints[rule.endpoint.rsplit(".", 1)[0]].static_folder
        prefix = rule.rule.split("<", 1)[0].lstrip("/")
        if folder and prefix:
            roots[prefix] = Path(folder)
    return roots


def resolve_static(url: str, roots: Mapping[str, Path]) -> Path:
    """The file on disk a URL names, or FetchRefused when it is not a static file."""
    if not url.startswith(BASE_URL):
        raise FetchRefused(f"only the app's static files may be fetched, not {url[:80]!r}")
    relative = unquote(urlsplit(url).path).lstrip("/")
    for prefix, folder in roots.items():
        if relative.startswith(prefix):
            path = (folder / relative[len(prefix) :]).resolve()
            if path.is_relative_to(folder) and path.is_file():
                return path
    raise FetchRefused(f"no static file at {url[:80]!r}")


FIGURES = "figures/"  # under BASE_URL: the figures html_to_pdf took out of the HTML
_DATA_SRC = re.compile(r'src="data:(image/(?:png|svg\+xml));base64,([A-Za-z0-9+/=]+)"')


def isolate_as_characters(html: str) -> str:
    """Replace the app's <bdi> elements by Unicode's isolates (FSI ... PDI) around their text.

    Both keep a text's direction to itself; WeasyPrint lays out each element as a box of its
    own, the characters as part of the line (measured: roughly a tenth of the demo report's
    layout time), and draws nothing for them. Only markup the app wrote matches: escaped user
    text has no "<".
    """
    return html.replace("<bdi>", "\u2068").replace("</bdi>", "\u2069")


_ISOLATES = {0x2068: None, 0x2069: None}


def take_out_figures(html: str) -> tuple[str, dict[str, tuple[bytes, str]]]:
    """Replace each base64 image in a src="..." attribute by a short URL the fetcher serves.

    HTML parsing is slow on long attributes, and every figure is parsed once instead of once per
    character. Only markup the app wrote matches: escaped user text has no literal quote.
    """
    figures: dict[str, tuple[bytes, str]] = {}

    def short(match: re.Match) -> str:
        name = f"{FIGURES}{len(figures)}"
        figures[name] = (base64.b64decode(match.group(2)), match.group(1))
        return f'src="{BASE_URL}{name}"'

    return _DATA_SRC.sub(short, html), figures


def static_only_fetcher(
    roots: Mapping[str, Path] | None = None,
    figures: Mapping[str, tuple[bytes, str]] | None = None,
):
    """A WeasyPrint URL fetcher that reads static files from disk and refuses the rest.

    figures maps names under BASE_URL ("figures/0") to (bytes, media type) made by the app.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = {
        prefix: Path(folder).resolve()
        for prefix, folder in (static_roots() if roots is None else roots).items()
    }

    class StaticOnlyFetcher(URLFetcher):
        """Serve the static folders under BASE_URL and base64 SVG data; refuse every other URL."""

        def fetch(self, url: str, headers=None) -> URLFetcherResponse:  # noqa: ARG002 - WeasyPrint's signature
            name = url[len(BASE_URL) :] if url.startswith(BASE_URL) else ""
            if figures and name in figures:
                body, kind = figures[name]
                return URLFetcherResponse(url, body, {"Content-Type": kind})
            for prefix, kind in ((DATA_SVG, "image/svg+xml"), (DATA_PNG, "image/png")):
                if url.startswith(prefix):
                    # Figures the report itself made: user text never becomes a URL (escaped).
                    body = base64.b64decode(url[len(prefix) :], validate=True)
                    return URLFetcherResponse(url, body, {"Content-Type": kind})
            path = resolve_static(url, allowed)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return StaticOnlyFetcher()


class _Deflate:
    """zlib for pydyf: the same functions, with compressobj() at DEFLATE_LEVEL at most."""

    def __getattr__(self, name: str):
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level: int = -1, *args, **kwargs):
        return zlib.compressobj(min(level, DEFLATE_LEVEL), *args, **kwargs)


def deflate_faster() -> None:
    """Let pydyf deflate at DEFLATE_LEVEL instead of 9 (the same bytes every time)."""
    import pydyf

    if not isinstance(pydyf.zlib, _Deflate):
        pydyf.zlib = _Deflate()


def html_to_pdf(html: str, variant: str | None = PDF_VARIANT) -> bytes:
    """Render `html` as a tagged PDF/A (A4 and print styles come from the HTML's own CSS).

    The title, subject and language come from the HTML's <title>, <meta name="description"> and
    <html lang>. No creation or modification date is written, so the same HTML gives the same
    bytes on every host.
    """
    from weasyprint import HTML

    deflate_faster()
    # Fonts WeasyPrint rewrites (colour emoji) get this time, not now: the same bytes every time.
    os.environ.setdefault("SOURCE_DATE_EPOCH", REPRODUCIBLE_EPOCH)
    html, figures = take_out_figures(isolate_as_characters(html))
    html = glyphs.visible(html)  # a character no font draws becomes a visible U+FFFD
    fetcher = static_only_fetcher(figures=figures)
    # The cycle collector rests while the PDF is laid out and written: laying out allocates
    # millions of short-lived objects, most kept until the PDF is written, and the collector
    # would walk them again and again (a fifth of the demo report's time, as measured).
    with warnings.catch_warnings(), collector.paused():
        # WeasyPrint reads its sRGB output profile from a file it never closes.
        warnings.simplefilter("ignore", ResourceWarning)
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        rendered = document.render(pdf_variant=variant, pdf_tags=True)
        for page in rendered.pages:  # the outline's titles without the isolates
            page.bookmarks = [
                (level, label.translate(_ISOLATES), target, state)
                for level, label, target, state in page.bookmarks
            ]
        return rendered.write_pdf(pdf_variant=variant, pdf_tags=True)


CACHE = "kraftverk.pdf_cache"  # app.extensions key: the app's PDF cache, when it keeps one


def keep_pdfs_with(app, cache: Callable[..., bytes]) -> None:
    """Let the app keep made PDFs: cache(kind, lang, html, project_id=..., build=...) -> bytes."""
    app.extensions[CACHE] = cache


def kept_pdf(kind: str, lang: str, html: str, *, project_id: int | None = None) -> bytes:
    """The PDF of html, from the app's PDF cache when it has one (made and kept otherwise)."""
    cache = current_app.extensions.get(CACHE)

    def build() -> bytes:
        return html_to_pdf(html)

    if cache is None:
        return build()
    return cache(kind, lang, html, project_id=project_id, build=build)
