"""The report pages (preview, PDF), the exports, and the public method description."""

from __future__ import annotations

import json
import re
import unicodedata

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import login_required

from app.reports import cache, data, export, render
from workshops import heavy, public_cache
from workshops.projects import access

bp = Blueprint(
    "reports",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/reports/static",
)


def _report_language(project) -> str:
    """The project's language, unless ?lang= asks for another supported one."""
    asked = request.args.get("lang", "")
    return asked if asked in current_app.config["LANGUAGES"] else project.language


def report_filename(slug: str, lang: str) -> str:
    """The report PDF's file name, its word in lang: "kraftverk-demo-rapport.pdf".

    Kept to ASCII letters, digits and hyphens (accents dropped), so every browser and mail
    program keeps the name as it is.
    """
    with force_locale(lang):
        word = _("report")
    folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
    word = re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "report"
    return f"kraftverk-{slug}-{word}.pdf"


def _download(content: bytes, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    response = Response(content, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/projects/<slug>/report")
@login_required
@heavy.limited
def report(slug: str):
    """The method report as a page, in the project's language, with the downloads."""
    project = access.project_for(slug)
    lang = _report_language(project)
    body = render.report_body(data.assemble(project, lang), lang)
    return render_template("reports/report.html", project=project, body=body, report_lang=lang)


@bp.get("/projects/<slug>/report.pdf")
@login_required
@heavy.limited
def report_pdf(slug: str):
    """The method report as a PDF for the municipality."""
    project = access.project_for(slug)
    lang = _report_language(project)
    pdf = render.kept_report_pdf(project, lang)
    return _download(pdf, "application/pdf", report_filename(project.slug, lang))


@bp.get("/projects/<slug>/export.json")
@login_required
@heavy.limited
def export_json(slug: str):
    """The whole project as JSON, as the export command writes it."""
    project = access.project_for(slug)
    text = json.dumps(export.project_json(project), ensure_ascii=False, indent=2)
    return _download(
        text.encode("utf-8"), "application/json", f"kraftverk-{project.slug}.json", inline=True
    )


@bp.get("/projects/<slug>/export.xlsx")
@login_required
@heavy.limited
def export_xlsx(slug: str):
    """The whole project as a workbook with one sheet per kind."""
    project = access.project_for(slug)
    return _download(
        export.project_xlsx(project, _report_language(project)),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"kraftverk-{project.slug}.xlsx",
    )


@bp.get("/method")
def method():
    """What the method is, its default programme and how to take part, in the page's language.

    Anonymous visitors share one body per language and process (workshops/public_cache.py)."""
    lang = str(get_locale() or "nb")
    return public_cache.serve((), lambda: render.method_html(lang, standalone=False), ttl=None)


@bp.get("/method.pdf")
def method_pdf():
    """The method description as a PDF anyone may download.

    Made once per text of the method (its HTML) and renderer version and kept in the database
    (app/reports/cache.py); each process then serves its bytes from memory, with an ETag."""
    lang = str(get_locale() or "nb")

    def build() -> Response:
        with heavy.slot():
            pdf = cache.html_pdf("method", lang, render.method_html(lang, standalone=True))
        return _download(pdf, "application/pdf", f"kraftverk-method-{lang}.pdf")

    return public_cache.serve((), build, ttl=None, everyone=True)
