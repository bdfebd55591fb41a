"""The programme builder: a project's workshops and their steps, and printable agendas."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.db import utcnow
from app.extensions import db
from method import catalogue, programme
from workshops.pdf import kept_pdf
from workshops.programme import builder as programme_builder
from workshops.programme import lookup
from workshops.programme.forms import (
    CopyWorkshopForm,
    NewWorkshopForm,
    StepActionForm,
    StepForm,
    WorkshopForm,
)
from workshops.programme.models import Step, Workshop
from workshops.programme.queries import current_step
from workshops.projects import access
from workshops.projects.models import Membership, Project

bp = Blueprint("programme", __name__, template_folder="templates")


def _step(workshop: Workshop, step_id: int) -> Step:
    step = db.session.get(Step, step_id)
    if step is None or step.workshop_id != workshop.id:
        abort(404)
    return step


def _template_choices(language: str) -> list[SelectChoice]:
    choices = [
        SelectChoice(phase.key, f"{phase.key}: {phase.title.get(language)}")
        for phase in catalogue.programme().workshops
    ]
    return choices + [SelectChoice("", _("An empty workshop"))]


def _copy_choices(project: Project) -> list[SelectChoice]:
    """Workshops of every project the user leads, this one first."""
    rows = db.session.execute(
        select(Workshop, Project)
        .join(Project, Project.id == Workshop.project_id)
        .join(Membership, Membership.project_id == Project.id)
        .where(Membership.user_id == current_user.id, Membership.role == "leader")
        .order_by(Project.id != project.id, Project.name, Workshop.position)
    ).all()
    return [SelectChoice(w.id, f"{p.name}: {w.title}") for w, p in rows]


# What blocks a workshop's removal, as collected_in() names it (a table, or "run").
COLLECTED_LABELS = {
    "run": _l("a live run"),
    "idea": _l("ideas"),
    "theme": _l("themes"),
    "vote_round": _l("dot votes"),
    "participant": _l("participants"),
    "registration": _l("registrations"),
    "check_in": _l("check-ins"),
    "meeting_round": _l("speed-meeting rounds"),
    "product_sheet": _l("product sheets"),
    "evaluation_form": _l("an opened evaluation form"),
}


def collected_text(kinds: list[str]) -> str:
    """The kinds collected in a workshop, worded for the leader."""
    return ", ".join(str(COLLECTED_LABELS.get(kind, _l("other records"))) for kind in kinds)


def to_local(value: datetime | None, zone: str) -> datetime | None:
    """A stored UTC time as naive local time in the project's zone (for form fields)."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


@bp.get("/projects/<slug>/workshops")
@login_required
def workshops(slug: str):
    """The programme: every workshop with its length, and ways to add more."""
    project = access.project_for(slug)
    new_form = NewWorkshopForm()
    new_form.template.choices = _template_choices(project.language)
    copy_form = CopyWorkshopForm()
    copy_form.source.choices = _copy_choices(project) if g_role() == "leader" else []
    return render_template(
        "programme/list.html",
        project=project,
        workshops=lookup.programme(project),
        new_form=new_form,
        copy_form=copy_form,
        action_form=StepActionForm(),
        minutes=programme_builder.planned_minutes,
        role=g_role(),
    )


def g_role() -> str | None:
    return g.get("project_role")


@bp.post("/projects/<slug>/workshops/new")
@login_required
def new_workshop(slug: str):
    """Add a workshop from a template, or an empty one."""
    project = access.project_for(slug, lead=True)
    form = NewWorkshopForm()
    form.template.choices = _template_choices(project.language)
    if not form.validate_on_submit():
        flash(_("Please check what you wrote."), "error")
        return redirect(url_for("programme.workshops", slug=slug))
    title = (form.title.data or "").strip() or None
    if not form.template.data and not title:
        title = _("New workshop")
    workshop = programme_builder.add_workshop(project, title, template=form.template.data or None)
    db.session.commit()
    flash(_("The workshop is added."), "success")
    return redirect(url_for("programme.edit_workshop", slug=slug, workshop_id=workshop.id))


@bp.post("/projects/<slug>/workshops/copy")
@login_required
def copy_workshop(slug: str):
    """Copy a workshop from this project or another one the leader leads."""
    project = access.project_for(slug, lead=True)
    form = CopyWorkshopForm()
    form.source.choices = _copy_choices(project)
    if not form.validate_on_submit():
        flash(_("Choose a workshop to copy."), "error")
        return redirect(url_for("programme.workshops", slug=slug))
    source = db.session.get(Workshop, form.source.data)
    copy = programme_builder.copy_workshop(source, project)
    db.session.commit()
    flash(_("The workshop is copied."), "success")
    return redirect(url_for("programme.edit_workshop", slug=slug, workshop_id=copy.id))


@bp.route("/projects/<slug>/workshops/<int:workshop_id>", methods=["GET", "POST"])
@login_required
def edit_workshop(slug: str, workshop_id: int):
    """A workshop's details and its steps with their times."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=False)
    role = g_role()
    form = WorkshopForm(obj=workshop)
    if request.method == "GET":
        form.starts_at.data = to_local(workshop.starts_at, project.timezone)
    status = 200
    if form.is_submitted():
        if role != "leader":
            abort(403)
        if form.validate():
            starts_before = workshop.starts_at
            workshop.title = form.title.data.strip()
            workshop.starts_at = (
                programme_builder.local_to_utc(form.starts_at.data, project.timezone)
                if form.starts_at.data
                else None
            )
            # A new date puts the workshop at its place in time (a copy would stay last).
            moved = workshop.starts_at != starts_before and programme_builder.place_by_date(
                workshop
            )
            workshop.duration_minutes = form.duration_minutes.data or None
            workshop.place = (form.place.data or "").strip()
            workshop.online_url = (form.online_url.data or "").strip()
            workshop.visibility = form.visibility.data
            workshop.is_public = form.is_public.data
            programme_builder.changed(workshop)
            db.session.commit()
            flash(_("The changes are saved."), "success")
            if moved:
                flash(_("The workshop has moved to its place in the programme by date."), "info")
            return redirect(url_for("programme.edit_workshop", slug=slug, workshop_id=workshop.id))
        status = 400
    start = to_local(workshop.starts_at, project.timezone)
    times = programme.schedule(workshop.steps, start) if start else None
    return render_template(
        "programme/workshop.html",
        project=project,
        workshop=workshop,
        form=form,
        times=times,
        total=programme.total_minutes(workshop.steps),
        planned=programme_builder.planned_minutes(workshop),
        action_form=StepActionForm(),
        role=role,
        current=current_step(workshop),
        collected=collected_text(programme_builder.collected_in(workshop))
        if role == "leader"
        else "",
    ), status


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/duplicate")
@login_required
def duplicate_workshop(slug: str, workshop_id: int):
    """A planned copy of this workshop at the end of the programme."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    StepActionForm().validate_on_submit() or abort(400)
    copy = programme_builder.copy_workshop(
        workshop, project, title=_("Copy of %(title)s", title=workshop.title)
    )
    db.session.commit()
    flash(_("The workshop is copied."), "success")
    return redirect(url_for("programme.edit_workshop", slug=slug, workshop_id=copy.id))


@bp.post(
    "/projects/<slug>/workshops/<int:workshop_id>/<any(up, down, remove, public, private):action>"
)
@login_required
def workshop_action(slug: str, workshop_id: int, action: str):
    """Move a workshop up or down in the programme, show it in the public calendar or take it
    out, or remove one in which nothing was collected."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    StepActionForm().validate_on_submit() or abort(400)
    if action == "remove":
        title = workshop.title
        try:
            programme_builder.remove_workshop(workshop)
        except programme_builder.WorkshopInUse as error:
            flash(
                _(
                    "This workshop cannot be removed, as it already has: %(what)s.",
                    what=collected_text(error.kinds),
                ),
                "error",
            )
            return redirect(url_for("programme.edit_workshop", slug=slug, workshop_id=workshop_id))
        db.session.commit()
        flash(_("The workshop “%(title)s” is removed.", title=title), "success")
        return redirect(url_for("programme.workshops", slug=slug))
    if action in ("public", "private"):
        workshop.is_public = action == "public"
        programme_builder.changed(workshop)
        db.session.commit()
        if workshop.is_public:
            flash(_("“%(title)s” is in the public calendar.", title=workshop.title), "success")
        else:
            flash(_("“%(title)s” is out of the public calendar.", title=workshop.title), "success")
        return redirect(
            url_for("programme.workshops", slug=project.slug) + f"#workshop-{workshop.id}"
        )
    programme_builder.move_workshop(workshop, -1 if action == "up" else 1)
    db.session.commit()
    return redirect(url_for("programme.workshops", slug=project.slug) + f"#workshop-{workshop.id}")


def _parse_tracks(text: str) -> list[dict]:
    tracks = []
    for n, line in enumerate(line for line in (text or "").splitlines() if line.strip()):
        title, _sep, prompt = line.partition("|")
        tracks.append({"key": f"g{n + 1}", "title": title.strip()[:80], "prompt": prompt.strip()})
    return tracks


def _tracks_text(step: Step) -> str:
    return "\n".join(
        f"{t.get('title', '')} | {t.get('prompt', '')}".rstrip(" |") for t in step.tracks or []
    )


def _base(key: str) -> str:
    """A collect key without its label: "ideas:story" is ideas."""
    return str(key).split(":", 1)[0]


def kept_collects(before: list[str], ticked: list[str]) -> list[str]:
    """What a step collects after an edit: the boxes ticked, each keeping the label it had
    ("ideas:story" stays so while Ideas stays ticked), in the order ticked."""
    labelled = {_base(key): key for key in before}
    return [labelled.get(key, key) for key in dict.fromkeys(ticked)]


@bp.route("/projects/<slug>/workshops/<int:workshop_id>/steps/<step_id>", methods=["GET", "POST"])
@login_required
def edit_step(slug: str, workshop_id: int, step_id: str):
    """Edit one step, or add a new one (step id 'new')."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    step = None if step_id == "new" else _step(workshop, int(step_id) if step_id.isdigit() else -1)
    form = StepForm(obj=step)
    if request.method == "GET" and step is not None:
        form.tracks.data = _tracks_text(step)
        form.collects.data = list(dict.fromkeys(_base(key) for key in step.collects or []))
    if form.validate_on_submit():
        if step is None:
            step = Step(workshop=workshop, position=len(workshop.steps), techniques=[])
            db.session.add(step)
        step.title = form.title.data.strip()
        step.minutes = form.minutes.data
        step.purpose = form.purpose.data or ""
        step.prompt = form.prompt.data or ""
        step.notes = form.notes.data or ""
        step.collects = kept_collects(step.collects or [], form.collects.data or []) or ["nothing"]
        step.fixed = form.fixed.data
        step.tracks = _parse_tracks(form.tracks.data)
        programme_builder.changed(workshop)
        db.session.commit()
        flash(_("The step is saved."), "success")
        return redirect(url_for("programme.edit_workshop", slug=slug, workshop_id=workshop.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "programme/step.html", project=project, workshop=workshop, step=step, form=form
    ), status


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/steps/<int:step_id>/<action>")
@login_required
def step_action(slug: str, workshop_id: int, step_id: int, action: str):
    """Move a step up or down, or remove it (never the step being run)."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    step = _step(workshop, step_id)
    StepActionForm().validate_on_submit() or abort(400)
    if action in ("up", "down"):
        programme_builder.move_step(workshop, step, -1 if action == "up" else 1)
    elif action == "remove":
        try:
            programme_builder.remove_step(workshop, step)
        except programme_builder.StepInUse:
            flash(_("The step being run cannot be removed."), "error")
            return redirect(url_for("programme.edit_workshop", slug=slug, workshop_id=workshop.id))
    else:
        abort(404)
    db.session.commit()
    anchor = f"#step-{step.id}" if action != "remove" else ""
    return redirect(url_for("programme.edit_workshop", slug=slug, workshop_id=workshop.id) + anchor)


def _printable(slug: str, workshop_id: int, facilitator: bool):
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=facilitator)
    start = to_local(workshop.starts_at, project.timezone)
    # Phones follow the visibility setting live (workshops/live/state.py). On paper, made by a
    # member before the day, "step by step" cannot apply: it shows the plan. Only "hidden", a
    # choice to keep the programme from the participants, keeps the steps off the agenda.
    steps = workshop.steps if facilitator or workshop.visibility != "hidden" else []
    planned = programme.schedule(workshop.steps, start) if start else []
    times = {s.id: t for s, t in zip(workshop.steps, planned, strict=False)}
    html = render_template(
        "programme/print.html",
        project=project,
        workshop=workshop,
        steps=steps,
        times=times,
        start=start,
        facilitator=facilitator,
        total=programme.total_minutes(workshop.steps),
        generated=utcnow(),
    )
    if request.args.get("format") != "pdf":
        return html

    kind = "guide" if facilitator else "agenda"
    lang = str(get_locale() or project.language)
    # One kept PDF per workshop, kind and language (a newer one replaces it).
    pdf = kept_pdf(f"{kind}-{workshop.id}", lang, html, project_id=project.id)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{kind}-{workshop.join_code}.pdf"'
    )
    return response


@bp.get("/projects/<slug>/workshops/<int:workshop_id>/agenda")
@login_required
def agenda(slug: str, workshop_id: int):
    """The participants' agenda, as the workshop's visibility allows (HTML or ?format=pdf)."""
    return _printable(slug, workshop_id, facilitator=False)


@bp.get("/projects/<slug>/workshops/<int:workshop_id>/guide")
@login_required
def guide(slug: str, workshop_id: int):
    """The facilitator's guide with notes and timings (HTML or ?format=pdf)."""
    return _printable(slug, workshop_id, facilitator=True)
