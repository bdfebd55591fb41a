"""The whole project as JSON (INTERFACES.md, "export") and as an XLSX workbook.

JSON keeps every text exactly as typed; times are ISO 8601 in UTC with Z. The workbook's sheets are
written by workshops/spreadsheets.py, so a text that looks like a formula never runs.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.db import iso_z
from app.extensions import db
from app.reports import data
from evaluations import store
from evaluations.api import form_json
from evaluations.models import EvaluationForm
from method import taxonomy
from workshops import spreadsheets
from workshops.businesses import pairing_service
from workshops.businesses.models import Business
from workshops.programme.models import Step
from workshops.programme.queries import workshops_of
from workshops.projects.models import Project


def export_sector(sector: str) -> str:
    """The NACE code when one was given, else the taxonomy's group key, else the word as written."""
    code = taxonomy.parse_nace(sector)
    if code:
        return code
    return data.sector_group(sector) or sector


def _steps_of(project: Project) -> dict[int, list[Step]]:
    steps: dict[int, list[Step]] = defaultdict(list)
    ids = [w.id for w in workshops_of(project)]
    if ids:
        for step in db.session.scalars(
            select(Step).where(Step.workshop_id.in_(ids)).order_by(Step.position, Step.id)
        ):
            steps[step.workshop_id].append(step)
    return steps


def _evaluations(project: Project) -> list[dict]:
    forms = list(
        db.session.scalars(
            select(EvaluationForm)
            .where(EvaluationForm.project_id == project.id)
            .order_by(EvaluationForm.id)
        )
    )
    counts = store.counts(f.id for f in forms)
    result = []
    for form in forms:
        described = form_json(form, project.language)
        result.append(
            {
                "title": described["title"],
                "token": form.token,
                "status": form.status,
                "kind": form.kind,
                "questions": [
                    {
                        "id": q["id"],
                        "type": q["type"],
                        "text": q["text"],
                        "options": [{"id": o["id"], "text": o["text"]} for o in q["options"]],
                    }
                    for q in described["questions"]
                ],
                "responses": counts.get(form.id, 0),
            }
        )
    return result


def project_json(project: Project) -> dict:
    """The whole project as one JSON object in INTERFACES.md's shape (plus a few extra keys)."""
    workshops = workshops_of(project)
    steps = _steps_of(project)
    codes = {w.id: w.join_code for w in workshops}
    step_of = {s.id: s for items in steps.values() for s in items}
    votes, interests = data.idea_extras(project)
    businesses = list(
        db.session.scalars(
            select(Business)
            .where(Business.project_id == project.id)
            .order_by(Business.name, Business.id)
        )
    )
    return {
        "project": {
            "slug": project.slug,
            "name": project.name,
            "municipality": project.municipality,
            "language": project.language,
            "timezone": project.timezone,
            "targets": project.targets(),
            "description": project.description,
        },
        "workshops": [
            {
                "title": w.title,
                "join_code": w.join_code,
                "status": w.status,
                "starts_at": iso_z(w.starts_at),
                "visibility": w.visibility,
                "template": w.template_key,
                "place": w.place,
                "steps": [
                    {
                        "title": s.title,
                        "minutes": s.minutes,
                        "collects": list(s.collects or []),
                        "key": s.key,
                    }
                    for s in steps[w.id]
                ],
            }
            for w in workshops
        ],
        "businesses": [
            {
                "name": b.name,
                "sector": export_sector(b.sector),
                "offers": list(b.offers or []),
                "needs": list(b.needs or []),
                "offers_free": list(b.offers_free or []),
                "needs_free": list(b.needs_free or []),
                "assumed": bool(b.assumed),
                "municipality": b.municipality,
            }
            for b in businesses
        ],
        "ideas": [
            {
                "id": idea.id,
                "workshop": codes.get(idea.workshop_id),
                "step": step_of[idea.step_id].title if idea.step_id in step_of else None,
                "step_key": step_of[idea.step_id].key if idea.step_id in step_of else None,
                "track": idea.track,
                "theme": data.theme_of(idea),
                "text": idea.text,
                "created_at": iso_z(idea.created_at),
                "hidden": idea.hidden_at is not None,
                "votes": votes.get(idea.id, 0),
                "interests": interests.get(idea.id, []),
            }
            for idea in pairing_service.project_ideas(project)
        ],
        "evaluations": _evaluations(project),
        "connections": [
            {"a": a, "b": b, "status": c.status, "origin": c.origin}
            for c, a, b in data.connections_of(project)
        ],
        "ecosystems": [
            {
                "name": e.name,
                "businesses": [m.name for m in e.members],
                "product": e.product,
                "status": e.status,
                "ideas": [idea.text for idea in e.ideas],  # what the product grew from
            }
            for e in data.ecosystems_of(project)
        ],
    }


def _sheet(workbook, title: str, header: list[str], rows: list[list]) -> None:
    spreadsheets.fill_sheet(
        workbook.create_sheet(title=spreadsheets.sheet_title(title)), header, rows
    )


def _evaluation_rows(project: Project, lang: str) -> list[list]:
    available, forms = data.evaluation_results(project, lang)
    rows = []
    for form in forms if available else []:
        rows.append([form.title, "", "", form.responses, None])
        for question in form.questions:
            if question.too_few:
                rows.append([form.title, question.title, _("Too few answers to show"), None, None])
            elif question.table:
                for label, n, percent in question.table:
                    rows.append([form.title, question.title, label, n, percent])
            else:
                rows.append([form.title, question.title, "", question.respondents, None])
    return rows


def project_xlsx(project: Project, lang: str | None = None) -> bytes:
    """The whole project as a workbook with a sheet per kind, headers in lang."""
    lang = lang or project.language
    exported = project_json(project)
    from openpyxl import Workbook  # imported where used: the app starts without it

    workbook = Workbook()
    workbook.remove(workbook.active)
    with force_locale(lang):
        _sheet(
            workbook,
            _("Workshops"),
            [_("Title"), _("Code"), _("Status"), _("Starts (UTC)"), _("Place"), _("Steps")],
            [
                [
                    w["title"],
                    w["join_code"],
                    w["status"],
                    w["starts_at"],
                    w["place"],
                    len(w["steps"]),
                ]
                for w in exported["workshops"]
            ],
        )
        _sheet(
            workbook,
            _("Steps"),
            [_("Workshop"), _("Code"), "#", _("Step"), _("Minutes"), _("Collects")],
            [
                [w["title"], w["join_code"], n, s["title"], s["minutes"], ", ".join(s["collects"])]
                for w in exported["workshops"]
                for n, s in enumerate(w["steps"], start=1)
            ],
        )
        _sheet(
            workbook,
            _("Businesses"),
            [
                _("Name"),
                _("Sector"),
                _("Offers"),
                _("Needs"),
                _("Offers, own words"),
                _("Needs, own words"),
                _("Municipality"),
            ],  # fmt: skip
            [
                [
                    b["name"],
                    b["sector"],
                    ", ".join(b["offers"]),
                    ", ".join(b["needs"]),
                    "; ".join(b["offers_free"]),
                    "; ".join(b["needs_free"]),
                    b["municipality"],
                ]  # fmt: skip
                for b in exported["businesses"]
            ],
        )
        _sheet(
            workbook,
            _("Ideas"),
            [
                "ID",
                _("Workshop"),
                _("Step"),
                _("Idea"),
                _("Theme"),
                _("Track"),
                _("Votes"),
                _("Interested businesses"),
                _("Posted (UTC)"),
                _("Hidden from the wall"),
            ],  # fmt: skip
            [
                [
                    i["id"],
                    i["workshop"],
                    i["step"],
                    i["text"],
                    i["theme"],
                    i["track"],
                    i["votes"],
                    ", ".join(i["interests"]),
                    i["created_at"],
                    _("yes") if i["hidden"] else "",
                ]  # fmt: skip
                for i in exported["ideas"]
            ],
        )
        _sheet(
            workbook,
            _("Connections"),
            [_("Business"), _("Business"), _("Status"), _("How it came about")],
            [[c["a"], c["b"], c["status"], c["origin"]] for c in exported["connections"]],
        )
        _sheet(
            workbook,
            _("Ecosystems"),
            [_("Name"), _("Businesses"), _("Joint product"), _("Status")],
            [
                [e["name"], ", ".join(e["businesses"]), e["product"], e["status"]]
                for e in exported["ecosystems"]
            ],
        )
        _sheet(
            workbook,
            _("Evaluations"),
            [_("Form"), _("Question"), _("Answer"), _("Number"), "%"],
            _evaluation_rows(project, lang),
        )
    return spreadsheets.workbook_bytes(workbook)
