"""Render the method report and the method description: HTML for the screen, PDF by WeasyPrint.

User text reaches the PDF only through Jinja's autoescaping, and WeasyPrint's URL fetcher serves
nothing but the app's own static files, read from disk: an idea that looks like an image tag or a
file URL stays text, and no text can make the renderer fetch anything.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.reports.data import Network, ReportData
from method import taxonomy

# Relative URLs in the PDF's HTML resolve against this origin, which the fetcher maps to the
# static folders on disk. The .invalid top-level domain never resolves, should anything leak.
BASE_URL = "https://kraftverk.invalid/"
STYLESHEET = "reports/static/report.css"

STATUS_LABELS = {
    "planned": _l("Planned"),
    "live": _l("Running"),
    "paused": _l("Paused"),
    "closed": _l("Held"),
}
CONNECTION_LABELS = {
    "suggested": _l("Suggested"),
    "introduced": _l("Introduced"),
    "met": _l("Met"),
    "collaborating": _l("Collaborating"),
    "declined": _l("Declined"),
}
ORIGIN_LABELS = {
    "suggested": _l("Suggested by Kraftverk"),
    "workshop": _l("Met in a workshop"),
    "manual": _l("Added by the leader"),
}
ECOSYSTEM_LABELS = {
    "proposed": _l("Proposed"),
    "forming": _l("Forming"),
    "testing": _l("Testing"),
    "selling": _l("Selling"),
    "active": _l("Active"),
    "paused": _l("Paused"),
    "ended": _l("Ended"),
}
TARGET_LABELS = {
    "attendees": _l("Attendees"),
    "businesses": _l("Businesses"),
    "ideas": _l("Ideas"),
    "connections": _l("Connections"),
    "ecosystems": _l("Ecosystems"),
}

_SVG_START = re.compile(r"<svg[\s>]")


class FetchRefused(ValueError):
    """The report asked for a URL outside the app's static files."""


def _static_roots() -> dict[str, Path]:
    """URL path prefix -> folder, for the app's static files and this package's."""
    roots = {"static/": Path(current_app.static_folder)}
    blueprint = current_app.blueprints.get("reports")
    if blueprint is not None and blueprint.static_folder:
        roots["reports/static/"] = Path(blueprint.static_folder)
    return roots


def static_only_fetcher(roots: Mapping[str, Path] | None = None):
    """A WeasyPrint URL fetcher that reads the app's static files from disk and refuses the rest."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = {prefix: Path(folder).resolve() for prefix, folder in (roots or {}).items()}
    if roots is None:
        allowed = {prefix: folder.resolve() for prefix, folder in _static_roots().items()}

    class StaticOnlyFetcher(URLFetcher):
        """Serve files under the static folders for BASE_URL; refuse every other URL."""

        def fetch(self, url: str, headers=None) -> URLFetcherResponse:  # noqa: ARG002 - WeasyPrint's signature
            if url.startswith(DATA_SVG):
                # Charts the report itself made: user text never becomes a URL (it is escaped).
                body = base64.b64decode(url[len(DATA_SVG) :], validate=True)
                return URLFetcherResponse(url, body, {"Content-Type": "image/svg+xml"})
            path = resolve_static(url, allowed)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return StaticOnlyFetcher()


def resolve_static(url: str, roots: Mapping[str, Path]) -> Path:
    """The file on disk a report URL names, or FetchRefused when it is not a static file."""
    if not url.startswith(BASE_URL):
        raise FetchRefused(f"only the app's static files may be fetched, not {url[:80]!r}")
    parts = urlsplit(url)
    relative = unquote(parts.path).lstrip("/")
    for prefix, folder in roots.items():
        if relative.startswith(prefix):
            path = (folder / relative[len(prefix) :]).resolve()
            if path.is_relative_to(folder) and path.is_file():
                return path
    raise FetchRefused(f"no static file at {url[:80]!r}")


def css_string(text: str) -> str:
    """Quote text as a CSS string, escaping what could end it."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;!?%()-/" else f"\\{ord(ch):x} " for ch in str(text)
    )
    return f'"{escaped}"'


def page_counter_css() -> str:
    """CSS content for the footer's "Page N of M", in the current language."""
    marker = _("Page %(page)s of %(pages)s", page="\x00page\x00", pages="\x00pages\x00")
    pieces = []
    for n, piece in enumerate(marker.split("\x00")):
        if n % 2:
            pieces.append(f"counter({piece})")
        elif piece:
            pieces.append(css_string(piece))
    return " ".join(pieces) or "counter(page)"


def inline_svg(data: bytes | str) -> Markup:
    """An SVG document as markup to place in HTML: from its <svg> element on.

    The SVG comes from matplotlib, which escapes every text it draws.
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    match = _SVG_START.search(text)
    # Generated SVG, every text escaped by matplotlib.
    return Markup(text[match.start() :] if match else "")  # noqa: S704  # nosec B704


DATA_SVG = "data:image/svg+xml;base64,"


def svg_image(data: bytes | str, alt: str = "") -> Markup:
    """An SVG as an <img> with a data URL: WeasyPrint draws it much faster than inline SVG."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    encoded = base64.b64encode(raw).decode("ascii")
    # A constant template; format() escapes the alt text and the base64 data.
    template = Markup('<img class="chart-image" alt="{}" src="' + DATA_SVG + '{}">')  # noqa: S704  # nosec B704
    return template.format(alt, encoded)


def _chart_svg(chart) -> Markup | None:
    """An evaluation chart as inline SVG (through the evaluations' image cache when it has one)."""
    from evaluations.routes import chart_cache  # matplotlib stays out of start-up

    return svg_image(chart_cache().get(chart, "svg"), chart.title)


def network_svg(network: Network | None, lang: str) -> Markup | None:
    """The network figure as inline SVG, or None when there is none or pairing cannot draw it."""
    if network is None:
        return None
    # Heavy libraries stay out of start-up: only the report needs them.
    import matplotlib
    import networkx as nx

    from evaluations.charts import _SVG_LOCK as lock  # one SVG writer at a time, app-wide
    from workshops.businesses.pairing import network_figure

    graph = nx.Graph()
    for node_id, name, group in network.nodes:
        # matplotlib reads "$...$" as mathematics; a name is text.
        graph.add_node(node_id, name=name.replace("$", r"\$"), group=group)
    for a, b, weight in network.edges:
        graph.add_edge(a, b, weight=weight)
    if network.kind == "connections":
        graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0])
    # Text as text: the names stay selectable and the file small.
    with lock, matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kraft"}):
        data = network_figure(graph, fmt="svg", lang=lang, max_nodes=60)
    return svg_image(data)


def date_text(value: datetime | None, lang: str, fmt: str = "long") -> str:
    """A date in the report's language."""
    return format_date(value, format=fmt, locale=lang) if value else ""


def datetime_text(value: datetime | None, lang: str) -> str:
    """A date and time (already in the project's time zone) in the report's language."""
    if not value:
        return ""
    return format_datetime(value, format="medium", tzinfo=value.tzinfo, locale=lang)


def _helpers(lang: str) -> dict:
    def group_label(key: str | None) -> str:
        if not key:
            return _("Sector not given or not recognised")
        return taxonomy.group_label(key, lang)

    return {
        "lang": lang,
        "date": lambda value, fmt="long": date_text(value, lang, fmt),
        "datetime": lambda value: datetime_text(value, lang),
        "decimal": lambda value: format_decimal(value, format="#,##0.0", locale=lang),
        "label": lambda labels, key: str(labels.get(key, key)),
        "group_label": group_label,
        "status_labels": STATUS_LABELS,
        "connection_labels": CONNECTION_LABELS,
        "origin_labels": ORIGIN_LABELS,
        "ecosystem_labels": ECOSYSTEM_LABELS,
        "target_labels": TARGET_LABELS,
    }


def _programme_helpers(lang: str) -> dict:
    from method import catalogue

    return {
        "programme": catalogue.programme(),
        "text": lambda value: value.get(lang) if value else "",
    }


def report_body(report: ReportData, lang: str) -> Markup:
    """The report's sections as HTML in lang (shared by the preview and the PDF)."""
    with force_locale(lang):
        charts_svg: dict[int, Markup | None] = {}
        for form in report.evaluations:
            for question in form.questions:
                if question.chart is not None:
                    charts_svg[id(question)] = _chart_svg(question.chart)
        # A rendered template: Jinja has escaped every value in it.
        return Markup(  # noqa: S704  # nosec B704
            render_template(
                "reports/_report_body.html",
                report=report,
                network_svg=network_svg(report.network, lang),
                chart_svg=lambda question: charts_svg.get(id(question)),
                **_helpers(lang),
                **_programme_helpers(lang),
            )
        )


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=static_only_fetcher()).write_pdf()


def report_pdf(report: ReportData, lang: str) -> bytes:
    """The method report as a PDF in lang."""
    body = report_body(report, lang)
    with force_locale(lang):
        html = render_template(
            "reports/report_pdf.html",
            report=report,
            body=body,
            stylesheet=STYLESHEET,
            # Our own CSS, built from constants.
            page_counter=Markup(page_counter_css()),  # noqa: S704  # nosec B704
            **_helpers(lang),
        )
    return _pdf(html)


def method_html(lang: str, *, standalone: bool) -> str:
    """The method description in lang: a page of the site, or a document for the PDF."""
    with force_locale(lang):
        return render_template(
            "reports/method_pdf.html" if standalone else "reports/method.html",
            stylesheet=STYLESHEET,
            # Our own CSS, built from constants.
            page_counter=Markup(page_counter_css()),  # noqa: S704  # nosec B704
            **_helpers(lang),
            **_programme_helpers(lang),
        )


def method_pdf(lang: str) -> bytes:
    """The method description as a PDF in lang."""
    return _pdf(method_html(lang, standalone=True))
