"""The evaluation step in the live room: the workshop's own form on the phones and the wall.

Registered into the live room's step registry at start-up. The form is the one made with the
workshop (Form A, Form B for W5), created when the step starts only if it is missing and never
made again, so printed QR codes keep working. Ending the step takes the form off the phones;
the form itself stays open (METHOD.md: open some days more) until the leader closes it.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from flask import url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from evaluations import builder, store
from evaluations.models import EvaluationForm
from workshops.live import steps
from workshops.live.steps import Kind, Panel


def kind_for(workshop) -> str:
    """Form B closes the process (W5); Form A follows every other workshop."""
    return "B" if (workshop.template_key or "") == "W5" else "A"


def for_workshop(workshop) -> EvaluationForm | None:
    """The workshop's own form (the first made for it of its kind), if any."""
    return db.session.scalar(
        select(EvaluationForm)
        .where(
            EvaluationForm.workshop_id == workshop.id,
            EvaluationForm.kind == kind_for(workshop),
        )
        .order_by(EvaluationForm.id)
    )


def create_for(workshop) -> EvaluationForm:
    """Make the workshop's own form as a draft, named after it."""
    form = builder.from_template(workshop.project, kind_for(workshop), workshop=workshop)
    builder.name_after(form, workshop)
    return form


def ensure_open(workshop, now: datetime) -> EvaluationForm:
    """The workshop's form, made if missing and opened if still a draft."""
    form = for_workshop(workshop) or create_for(workshop)
    if form.status == "draft":
        # A leader's unfinished edit stays a draft: the console links to it.
        with suppress(builder.BuildError):
            builder.set_status(form, "open")
    return form


def answers(form: EvaluationForm | None) -> int:
    """How many responses the form has."""
    if form is None:
        return 0
    return store.count(form.id)


def _title(form: EvaluationForm) -> str:
    return builder.text_in(form.title, str(get_locale() or form.language), form.language)


def _start(workshop, step, now: datetime) -> None:
    ensure_open(workshop, now)


def _counts(workshop) -> dict[str, int]:
    form = for_workshop(workshop)
    return {"answers": answers(form)} if form is not None else {}


def _phone(workshop, step) -> dict | None:
    form = for_workshop(workshop)
    if form is None or form.status != "open":
        return None
    return {"url": url_for("evaluations.answer", token=form.token), "title": _title(form)}


def _wall(workshop, step) -> dict | None:
    form = for_workshop(workshop)
    if form is None or form.status != "open":
        return None
    count = answers(form)
    return {
        "url": url_for("evaluations.answer", token=form.token),
        "title": _title(form),
        "answers": count,
        "lines": [
            _("Answer the evaluation on your phone: scan the code."),
            ngettext("%(num)s answer so far.", "%(num)s answers so far.", count),
        ],
    }


def _panel(workshop, step, manual: bool) -> Panel | None:
    form = for_workshop(workshop)
    if form is None:
        return Panel("evaluation", _("Evaluation"), (_("The form is made when the step starts."),))
    count = answers(form)
    status = {
        "draft": _("The form is a draft: check it before it can open."),
        "open": _("The form is open on the phones and the wall."),
        "closed": _("The form is closed."),
    }.get(form.status, form.status)
    return Panel(
        "evaluation",
        _("Evaluation"),
        (
            _title(form),
            status,
            ngettext("%(num)s answer.", "%(num)s answers.", count),
        ),
        link=(
            _("The form and its results"),
            url_for("evaluations.form_page", slug=workshop.project.slug, form_id=form.id),
        ),
    )


def init_app(app) -> None:
    """Register the evaluation step with the live room."""
    steps.register(
        app,
        Kind(
            "evaluation",
            on_start=_start,
            counts=_counts,
            panel=_panel,
            phone=_phone,
            wall=_wall,
            after_close=lambda workshop: _phone(workshop, None),
        ),
    )
