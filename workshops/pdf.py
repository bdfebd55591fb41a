"""HTML to PDF with WeasyPrint, fetching nothing but the app's own static files.

The one URL fetcher of the app (the agenda, the guide, the report and the method description all
use it): it reads the static files of the app and of every blueprint from disk, and the SVG and
PNG figures the report embeds as data: URLs; it refuses every other URL, so no text typed by a
user can make the renderer fetch anything. WeasyPrint is imported inside the functions, keeping it out
of the app's start-up.
"""

from __future__ import annotations

import atexit
import base64
import gc
import importlib
import io
import json
import logging
import mimetypes
import os
import re
import select
import signal
import struct
import sys
import threading
import traceback
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, redirect_stdout, suppress
from pathlib import Path
from urllib.parse import unquote, urlsplit

from workshops import collector, glyphs

log = logging.getLogger(__name__)

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


_LOADING = threading.Lock()


def load_weasyprint():
    """Import WeasyPrint, its library probes that miss failing at once; the module.

    WeasyPrint finds Pango and its companions by trying each library's names for every platform
    in turn. For a name that does not load, cffi asks ctypes.util.find_library, which on Linux
    runs ldconfig, gcc and ld in child processes: about 0.17 s of every first PDF of a process on
    this project's machines, for names that cannot be found there anyway. While WeasyPrint loads,
    find_library answers "not found" at once, so the names that load directly (libpango-1.0.so.0,
    libpango-1.0.dylib ...) are reached sooner. Should none of them load, WeasyPrint is imported
    again with the ordinary probes, so a system whose libraries only find_library can locate works
    as before. Other threads asking find_library while WeasyPrint loads get "not found" too
    (nothing of the app's does).
    """
    # import_module waits while another thread is still importing it.
    if "weasyprint" in sys.modules:
        return importlib.import_module("weasyprint")
    import ctypes.util

    with _LOADING:
        if "weasyprint" in sys.modules:
            return importlib.import_module("weasyprint")
        probe = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None  # noqa: ARG005 - find_library's signature
        try:
            # A miss prints WeasyPrint's installation advice: not true yet, so not shown.
            with redirect_stdout(io.StringIO()):
                return importlib.import_module("weasyprint")
        except OSError:
            for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
                del sys.modules[name]
        finally:
            ctypes.util.find_library = probe
        return importlib.import_module("weasyprint")


class FetchRefused(ValueError):
    """The HTML asked for a URL outside the app's static files."""


def static_roots() -> dict[str, Path]:
    """URL path prefix ("static/", "reports/static/", ...) -> folder on disk, for the app's
    static files and those of every blueprint that has some."""
    from flask import current_app

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
    load_weasyprint()
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
    bytes on every host. The first PDF a made_ahead() block asks for is made by its child.
    """
    ahead = _Ahead.take()
    if ahead is not None:
        made = ahead.render(html, variant)
        if made is not None:
            return made
    return _render(html, variant)


def _render(html: str, variant: str | None, roots: Mapping[str, Path] | None = None) -> bytes:
    HTML = load_weasyprint().HTML  # noqa: N806 - WeasyPrint's class

    deflate_faster()
    # Fonts WeasyPrint rewrites (colour emoji) get this time, not now: the same bytes every time.
    os.environ.setdefault("SOURCE_DATE_EPOCH", REPRODUCIBLE_EPOCH)
    html, figures = take_out_figures(isolate_as_characters(html))
    html = glyphs.visible(html)  # a character no font draws becomes a visible U+FFFD
    fetcher = static_only_fetcher(roots, figures=figures)
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


def warm_up() -> None:
    """Make a PDF of a page with a little of everything the app's PDFs have (headings, a list,
    a table, both kinds of figure, page numbers, tags), for what WeasyPrint does once per
    process: loading image decoders and fonts, reading C type declarations. Made by
    made_ahead()'s child while it waits for the HTML."""
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (2, 2), "#0072b2").save(png, "PNG")
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
        b'<path d="M4 4 L8 4 A4 4 0 0 1 4 8 Z" fill="#e69f00"/><text x="1" y="7">1</text></svg>'
    )
    html = (
        '<html lang="nb"><head><title>Kraftverk</title><meta name="description" content="-">'
        "<style>@page { size: A4; @bottom-right { content: counter(page) } }"
        ' html { font-family: "Noto Sans", "DejaVu Sans", sans-serif }</style></head><body>'
        "<h1>Kraftverk</h1><h2>\u00c6 \u00f8 \u00e5 \u00e4 \u00f6</h2>"
        "<p>Tekst <b>halvfet</b> <i>kursiv</i> \U0001f600</p><ul><li>Ett</li></ul>"
        "<table><thead><tr><th scope='col'>A</th></tr></thead><tbody><tr><td>1 "
        f'<img alt="1" src="{DATA_PNG}{base64.b64encode(png.getvalue()).decode()}"> '
        f'<img alt="2" src="{DATA_SVG}{base64.b64encode(svg).decode()}"></td></tr></tbody>'
        "</table></body></html>"
    )
    _render(html, PDF_VARIANT, {})


class _Ahead:
    """A forked child that loads WeasyPrint at once, then makes the PDF of the HTML it is sent.

    The parent and the child talk through two pipes: the HTML, the variant and the static
    folders the PDF may read (the child needs no app) down, the PDF up, each after its length.
    The child collects none of the parent's objects (no finaliser of a database connection of
    the parent's runs in it), touches no database and leaves by os._exit, so nothing of the
    parent's is closed or run twice. Creating one raises OSError (every pipe closed again) when
    the system has no pipe or process to give.
    """

    current: _Ahead | None = None
    early: _Ahead | None = None  # started by start_ahead() before the app, not yet taken

    def __init__(self) -> None:
        self.owner = threading.get_ident()
        opened: list[int] = []
        try:
            down_read, down = os.pipe()
            opened += [down_read, down]
            up, up_write = os.pipe()
            opened += [up, up_write]
            self.pid = os.fork()
        except OSError:
            for fd in opened:
                with suppress(OSError):
                    os.close(fd)
            raise
        if self.pid == 0:  # pragma: no cover - the child, seen by the tests through its pipes
            # The child makes one PDF and leaves by os._exit: the cycle collector would only walk
            # the parent's objects and what WeasyPrint loads, again and again, for nothing.
            gc.disable()
            gc.freeze()
            os.close(down)
            os.close(up)
            self._serve(down_read, up_write)
        os.close(down_read)
        os.close(up_write)
        self.down: int | None = down
        self.up: int | None = up

    @staticmethod
    def _serve(down: int, up: int) -> None:  # pragma: no cover - runs in the child
        code = 1
        try:
            load_weasyprint()
            glyphs.coverage()  # what the PDF needs first, while the parent still works
            if not select.select([down], [], [], 0)[0]:  # the HTML has not come yet
                warm_up()
            with os.fdopen(down, "rb") as inbox, os.fdopen(up, "wb") as outbox:
                size, tag, folders = struct.unpack("!QBI", inbox.read(13))
                html = inbox.read(size).decode("utf-8", "surrogatepass")
                variant = inbox.read(tag).decode("ascii") or None
                roots = {
                    prefix: Path(folder)
                    for prefix, folder in json.loads(inbox.read(folders)).items()
                }
                made = _render(html, variant, roots)
                outbox.write(struct.pack("!Q", len(made)) + made)
            code = 0
        except struct.error:
            code = 0  # the parent needed no PDF and closed the pipe
        except BaseException:  # noqa: BLE001 - reported, and the parent makes the PDF itself
            traceback.print_exc()
        finally:
            os._exit(code)

    @classmethod
    def take(cls) -> _Ahead | None:
        """The child of the running made_ahead() block, once, in the thread that started it."""
        ahead = cls.current
        if ahead is None or ahead.owner != threading.get_ident():
            return None
        cls.current = None
        return ahead

    def render(self, html: str, variant: str | None) -> bytes | None:
        """The child's PDF of html, or None (logged) when the child failed. Interrupted here
        (any exception), the child is ended before the exception goes on."""
        data = html.encode("utf-8", "surrogatepass")
        tag = (variant or "").encode("ascii")
        made, size = None, -1
        try:
            folders = json.dumps({prefix: str(path) for prefix, path in static_roots().items()})
            roots = folders.encode("utf-8")
            down, self.down = self.down, None
            with os.fdopen(down, "wb") as outbox:
                head = struct.pack("!QBI", len(data), len(tag), len(roots))
                outbox.write(head + data + tag + roots)
            up, self.up = self.up, None
            with os.fdopen(up, "rb") as inbox:
                head = inbox.read(8)
                if len(head) == 8:
                    size = struct.unpack("!Q", head)[0]
                    made = inbox.read(size)
        except OSError as error:
            self.stop()
            log.warning("the PDF child could not be reached (%s): made here instead", error)
            return None
        except BaseException:
            self.stop()
            raise
        status = self._reap()
        if status not in (0, None) or made is None or len(made) != size:
            log.warning("the PDF child failed (wait status %s): made here instead", status)
            return None
        return made

    def stop(self) -> None:
        """End the child and close what is left of the pipes."""
        for fd in (self.down, self.up):
            if fd is not None:
                with suppress(OSError):
                    os.close(fd)
        self.down = self.up = None
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self._reap()

    def _reap(self) -> int | None:
        """The child's wait status once it has ended; None when it was reaped already (a
        process that ignores SIGCHLD has its children reaped by the system)."""
        try:
            return os.waitpid(self.pid, 0)[1]
        except ChildProcessError:
            return None


@contextmanager
def made_ahead() -> Iterator[None]:
    """Load WeasyPrint in a child process while the block gathers what its PDF shows.

    For a command that makes one PDF in a fresh process: loading WeasyPrint takes about a
    quarter of a second (most of it Python, holding the interpreter), which a forked child spends
    on another core while the block reads the database and renders the HTML; the block's first
    html_to_pdf is then made by that child, with the same bytes. Nothing happens where
    WeasyPrint is loaded already, where processes cannot fork, in a process that runs other
    threads (a forked child could find a lock held by one of them forever), or inside another
    such block; a child that cannot be started or fails only means the PDF is made in this
    process (logged). A child start_ahead() started earlier in this thread is taken instead.
    """
    early, ahead = _Ahead.early, None
    if early is not None and early.owner == threading.get_ident() and _Ahead.current is None:
        _Ahead.early = None  # the child start_ahead() started
        ahead = _Ahead.current = early
    elif not (
        "weasyprint" in sys.modules
        or not hasattr(os, "fork")
        or threading.active_count() > 1  # a fork copies one thread and every lock held
        or _Ahead.current is not None
    ):
        try:
            ahead = _Ahead.current = _Ahead()
        except OSError as error:
            log.warning("no child process for the PDF (%s): made here", error)
    try:
        yield
    finally:
        if ahead is not None and _Ahead.current is ahead:  # never asked for a PDF
            _Ahead.current = None
            ahead.stop()


# Flask commands that make one PDF in a made_ahead() block, and the options of the flask command
# itself that take a value (`flask --app run report ...`).
PDF_COMMANDS = frozenset({"report"})
_FLASK_OPTIONS_WITH_VALUES = frozenset({"--app", "-A", "--env-file", "-e"})


def runs_pdf_command(argv: list[str]) -> bool:
    """Whether argv is a `flask` command line whose command is one of PDF_COMMANDS."""
    if not argv or not (
        Path(argv[0]).name == "flask" or argv[0].endswith(f"flask{os.sep}__main__.py")
    ):
        return False
    words = iter(argv[1:])
    for word in words:
        if word in _FLASK_OPTIONS_WITH_VALUES:
            next(words, None)
        elif not word.startswith("-"):
            return word in PDF_COMMANDS
    return False


def start_ahead() -> None:
    """Start made_ahead()'s child now, for a command that makes one PDF and has not built its
    app yet (run.py calls it first thing for the `report` command).

    The child then loads WeasyPrint while this process imports and builds the app, not only
    while the block reads the data: for the report command, about 0.4 s of the app's start-up
    (its imports, most of all) that was spent before the child was forked. The next made_ahead()
    block of this thread takes the child; a process that never opens one (a slug that does not
    exist, a PDF kept already) ends it at exit. The same conditions as made_ahead()'s hold.
    """
    if (
        _Ahead.early is not None
        or "weasyprint" in sys.modules
        or not hasattr(os, "fork")
        or threading.active_count() > 1
    ):
        return
    try:
        _Ahead.early = _Ahead()
    except OSError as error:
        log.warning("no child process for the PDF (%s): made here", error)
        return
    atexit.register(_stop_early)


def _stop_early() -> None:
    ahead, _Ahead.early = _Ahead.early, None
    if ahead is not None:
        ahead.stop()


CACHE = "kraftverk.pdf_cache"  # app.extensions key: the app's PDF cache, when it keeps one


def keep_pdfs_with(app, cache: Callable[..., bytes]) -> None:
    """Let the app keep made PDFs: cache(kind, lang, html, project_id=..., build=...) -> bytes."""
    app.extensions[CACHE] = cache


def kept_pdf(kind: str, lang: str, html: str, *, project_id: int | None = None) -> bytes:
    """The PDF of html, from the app's PDF cache when it has one (made and kept otherwise)."""
    from flask import current_app

    cache = current_app.extensions.get(CACHE)

    def build() -> bytes:
        return html_to_pdf(html)

    if cache is None:
        return build()
    return cache(kind, lang, html, project_id=project_id, build=build)
