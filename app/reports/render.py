"""Render the method report and the method description: HTML for the screen, PDF by WeasyPrint.

User text reaches the PDF only through Jinja's autoescaping, and the PDF is made by
workshops/pdf.py, whose URL fetcher serves nothing but the app's own static files, read from disk,
and the charts embedded here: an idea that looks like an image tag or a file URL stays text, and
no text can make the renderer fetch anything.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from datetime import datetime

from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_decimal
from flask import render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.reports import cache, data, figures
from app.reports.data import Network, ReportData
from method import catalogue, taxonomy
from workshops import glyphs
from workshops.businesses.forms import ECOSYSTEM_STATUS_LABELS, SIZE_LABELS, STAGE_LABELS
from workshops.pdf import DATA_PNG, html_to_pdf
from workshops.projects.forms import TARGET_LABELS, USE_LABELS  # the project form's words

STYLESHEET = "reports/static/report.css"
# An evaluation row's options as lines (evaluation_helpers): at most this many workshops, and
# labels at most this wide in em, the option column's 13 em less its colour key's 1.2 em and a
# little to spare for a browser's fonts.
LINES_COLUMNS = 5
LINES_LABEL_EM = 11.4
# A control or format character (a line break, a tab, a direction mark, a zero-width joiner) or a
# line or paragraph separator in a label: its lines or its width may not be what was measured.
_NOT_ONE_LINE = frozenset({"Cc", "Cf", "Zl", "Zp"})

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


def png_image(data: bytes, alt: str, css_class: str) -> Markup:
    """A PNG as an <img> with a data URL and alt text."""
    encoded = base64.b64encode(data).decode("ascii")
    # A constant template; format() escapes the class, the alt text and the base64 data.
    template = Markup('<img class="{}" alt="{}" src="' + DATA_PNG + '{}">')  # noqa: S704  # nosec B704
    return template.format(css_class, alt, encoded)


NETWORK_NODES = 60  # the most businesses a network figure of the report draws


def network_graph(network: Network, edges=None):
    """The network (or its edges given) as a small graph; for connections, only the businesses
    that have one."""
    from workshops.businesses.pairing.figure import SmallGraph

    graph = SmallGraph()
    for node_id, name, group in network.nodes:
        graph.add_node(node_id, name=name, group=group)
    for a, b, weight in network.edges if edges is None else edges:
        graph.add_edge(a, b, weight=weight)
    if network.kind == "connections":
        graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0])
    return graph


def network_png(
    network: Network | None,
    lang: str,
    edges=None,
    width_mm: float = 150.0,
    frame: dict | None = None,
) -> bytes | None:
    """The network figure as a PNG at print resolution, or None when there is nothing to draw.

    A picture drawn with Pillow rather than SVG: WeasyPrint would lay out each letter of its
    labels on its own. The businesses' names are listed in the report's text. frame (see
    figure.network_frame) puts each business where another figure has it.
    """
    if network is None:
        return None
    # The figure's code (and Pillow) load only when a report has a network to draw.
    from workshops.businesses.pairing.figure import raster_network

    graph = network_graph(network, edges)
    if graph.number_of_nodes() == 0:
        return None
    # Drawn at the width it is printed, so its names print at 6.5-7.5 pt.
    font_pt = 6.5 if width_mm < 100 else 7.5
    png, _layout = raster_network(
        graph,
        lang,
        max_nodes=NETWORK_NODES,
        width_mm=width_mm,
        dpi=200,
        font_pt=font_pt,
        unknown_label=_("Sector not given or not recognised"),
        frame=frame,
    )
    return png


def network_figures(network: Network | None, lang: str) -> list[tuple[str, Markup | None]]:
    """(caption, image or None) for the network at the first workshop and at the end.

    One figure when the network did not change after the first workshop (or there are only
    suggestions). Two figures share one frame: each business stands in the same place in both,
    so what grew between them shows. The frame places the NETWORK_NODES businesses with the
    strongest ties over both; a figure that draws one outside it is laid out on its own.
    """
    if network is None:
        return []
    figures: list[tuple[str, Markup | None]] = []
    pair = network.start_edges is not None and set(network.start_edges) != set(network.edges)
    width_mm = 83.0 if pair else 150.0  # side by side, or one alone (report.css)
    frame = None
    if pair:
        from workshops.businesses.pairing.figure import network_frame

        both = network_graph(network, tuple(network.edges) + tuple(network.start_edges))
        frame = network_frame(both, max_nodes=NETWORK_NODES)
        start = network_png(network, lang, network.start_edges, width_mm, frame)
        alt = ngettext(
            "The network after the first workshop: %(num)s tie",
            "The network after the first workshop: %(num)s ties",
            len(network.start_edges),
        )
        alt = f"{alt}: {tie_list(network, network.start_edges)}" if network.start_edges else alt
        image = png_image(start, alt, "network-image") if start else None
        figures.append((_("After the first workshop"), image))
    end = network_png(network, lang, width_mm=width_mm, frame=frame)
    if end is not None:
        if network.kind == "suggested":
            alt = ngettext(
                "No connections yet; the partners Kraftverk suggests: %(num)s pair",
                "No connections yet; the partners Kraftverk suggests: %(num)s pairs",
                len(network.edges),
            )
        else:
            alt = ngettext(
                "The network at the end: %(num)s tie",
                "The network at the end: %(num)s ties",
                len(network.edges),
            )
        alt = f"{alt}: {tie_list(network, network.edges)}"
        figures.append((_("At the end"), png_image(end, alt, "network-image")))
    return figures


ALT_TIES = 40  # pairs a figure's alt text names; the rest are counted


def tie_list(network: Network, edges) -> str:
    """The pairs a network figure draws, by the names it gives them ("A – B, C – D"), for its
    alt text: a screen reader hears what the lines show."""
    names = {node_id: name for node_id, name, _group in network.nodes}
    pairs = [f"{names.get(a, a)} – {names.get(b, b)}" for a, b, _weight in edges[:ALT_TIES]]
    if len(edges) > ALT_TIES:
        pairs.append(ngettext("%(num)s more", "%(num)s more", len(edges) - ALT_TIES))
    return ", ".join(pairs)


_KEPT_SPACES = re.compile(r"[\t\n\r\f]|  |^\s|\s$")


def verbatim_inline(text: str) -> Markup:
    """Text exactly as typed, inline and isolated from the text around it: a <bdi>, or a span
    that keeps its line breaks and runs of spaces when it has some to keep (a span is one more
    box to lay out; a <bdi> becomes two characters in the PDF), or that cuts off the marks a
    letter stacks beyond writing (glyphs.stacks_marks)."""
    if glyphs.stacks_marks(text):
        return Markup('<span class="verbatim clipped">{}</span>').format(text)  # noqa: S704  # nosec B704
    if _KEPT_SPACES.search(text):
        return Markup('<span class="verbatim">{}</span>').format(text)  # noqa: S704  # nosec B704
    return Markup("<bdi>{}</bdi>").format(text)  # noqa: S704  # nosec B704


def clipped(text: str | None) -> str:
    """ " clipped" for a text whose letters stack marks beyond writing (the class that keeps them
    inside its box), else nothing: added to a class attribute in the templates."""
    return " clipped" if text and glyphs.stacks_marks(text) else ""


def question_groups(rows) -> list[tuple[bool, list]]:
    """The evaluation rows as (single, rows): questions only one workshop asked two by two
    (single), every other question alone."""
    groups: list[tuple[bool, list]] = []
    for row in rows:
        single = bool(row.kind) and len(row.cells) == 1
        if single and groups and groups[-1][0] and len(groups[-1][1]) == 1:
            groups[-1][1].append(row)
        else:
            groups.append((single, [row]))
    return groups


def evaluation_helpers(lines: bool = False) -> dict:
    """Template helpers that draw an evaluation row's pies and bars beside their numbers.

    With lines (the PDF), a pie row of at most LINES_COLUMNS workshops whose option labels each
    fit on one line puts its options as lines: one cell of labels and one cell of numbers per
    workshop, each option on the same line in every cell (eval_as_lines). A cell per number is
    a box each for WeasyPrint to lay out: as lines, the demo's evaluation section takes a fifth
    to a quarter less time to lay out and write (best of 12 alternating runs in two series:
    0.78 and 0.71 s of CPU with a row per option, 0.59 and 0.58 s as lines). A
    screen reader then reads a cell's labels and then its numbers, so each pie's alt text says
    every option with its count and share; the preview page keeps a row per option.
    """

    def fills(row) -> list[str]:
        return figures.colours(len(row.labels), row.ordinal)

    def base(row, cell) -> int:
        return sum(cell.counts) if row.kind == "pie" else cell.respondents

    def share(row, cell, index: int) -> str:
        count = cell.counts[index] if index < len(cell.counts) else 0
        return f"{count} ({figures.percent_text(count, base(row, cell))})"

    def alt(row, cell) -> str:
        return figures.alt_text(
            f"{row.title} – {cell.label}:",
            row.labels,
            cell.counts,
            base(row, cell),
            f"n = {cell.respondents}",
        )

    def pie(row, cell) -> Markup:
        return figures.image(figures.pie_svg(cell.counts, fills(row)), alt(row, cell), "pie")

    def bar(row, cell, index: int) -> Markup:
        count = cell.counts[index] if index < len(cell.counts) else 0
        percent = 100 * count / cell.respondents if cell.respondents else 0
        return figures.css_bar(percent, "mini-bar", fills(row)[0])

    def key_class(row, index: int) -> str:
        return figures.key_class(fills(row)[index])

    def fill_class(row, index: int) -> str:
        return figures.colour_class(fills(row)[index])

    def as_lines(row) -> bool:
        if not lines or row.kind != "pie" or len(row.cells) > LINES_COLUMNS:
            return False
        if any(unicodedata.category(c) in _NOT_ONE_LINE for label in row.labels for c in label):
            return False  # a label of two lines would put the labels out of step
        # The figure's fonts measure the labels; their code loads with the first row asked.
        from workshops.businesses.pairing.figure import width_in_em

        return all(width_in_em(label) <= LINES_LABEL_EM for label in row.labels)

    def shares(row, cell) -> str:
        return "\n".join(share(row, cell, i) for i in range(len(row.labels)))

    def goal_bar(percent: int) -> Markup:
        return figures.css_bar(percent, "bar")

    return {
        "eval_groups": question_groups,
        "eval_pie": pie,
        "eval_bar": bar,
        "eval_share": share,
        "eval_alt": alt,
        "key_class": key_class,
        "fill_class": fill_class,
        "eval_as_lines": as_lines,
        "eval_shares": shares,
        "goal_bar": goal_bar,
    }


def date_text(value: datetime | None, lang: str, fmt: str = "long") -> str:
    """A date in the report's language."""
    return format_date(value, format=fmt, locale=lang) if value else ""


def datetime_text(value: datetime | None, lang: str) -> str:
    """A date and time (already in the project's time zone) in the report's language, without
    seconds."""
    if not value:
        return ""
    pattern = get_datetime_format("medium", locale=lang)
    day = format_date(value, format="medium", locale=lang)
    time = format_time(value, format="short", tzinfo=value.tzinfo, locale=lang)
    return pattern.replace("{1}", day).replace("{0}", time)


def _helpers(lang: str) -> dict:
    def group_label(key: str | None) -> str:
        if not key:
            return _("Sector not given or not recognised")
        return taxonomy.group_label(key, lang)

    return {
        "lang": lang,
        "verbatim_inline": verbatim_inline,
        "clipped": clipped,
        "date": lambda value, fmt="long": date_text(value, lang, fmt),
        "datetime": lambda value: datetime_text(value, lang),
        "decimal": lambda value: format_decimal(value, format="#,##0.0", locale=lang),
        "label": lambda labels, key: str(labels.get(key, key)),
        "group_label": group_label,
        "status_labels": STATUS_LABELS,
        "connection_labels": CONNECTION_LABELS,
        "origin_labels": ORIGIN_LABELS,
        "ecosystem_labels": ECOSYSTEM_STATUS_LABELS,
        "target_labels": TARGET_LABELS,
        "use_labels": USE_LABELS,
        "size_labels": SIZE_LABELS,
        "stage_labels": STAGE_LABELS,
    }


def _programme_helpers(lang: str) -> dict:
    return {
        "programme": catalogue.programme(),
        "text": lambda value: value.get(lang) if value else "",
    }


def report_body(report: ReportData, lang: str, *, lines: bool = False) -> Markup:
    """The report's sections as HTML in lang (shared by the preview and the PDF; lines: see
    evaluation_helpers)."""
    with force_locale(lang):
        # A rendered template: Jinja has escaped every value in it.
        return Markup(  # noqa: S704  # nosec B704
            render_template(
                "reports/_report_body.html",
                report=report,
                network_figures=network_figures(report.network, lang),
                **_helpers(lang),
                **_programme_helpers(lang),
                **evaluation_helpers(lines),
            )
        )


def kept_report_pdf(project, lang: str) -> bytes:
    """The project's report in lang: the kept PDF when its data is unchanged, else made and kept
    (the download and the `report` command share it)."""
    report = data.assemble(project, lang)
    return cache.cached_pdf(
        "report",
        lang,
        cache.fingerprint(report),
        lambda: report_pdf(report, lang),
        project_id=project.id,
    )


def report_pdf(report: ReportData, lang: str) -> bytes:
    """The method report as a PDF in lang."""
    body = report_body(report, lang, lines=True)
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
    return html_to_pdf(html)


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
    return html_to_pdf(method_html(lang, standalone=True))
