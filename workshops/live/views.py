"""Live pages: the phone page (/j/CODE), the projector wall and the leader's console."""

from __future__ import annotations

import io
import secrets
from datetime import datetime

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from app.db import utcnow
from app.extensions import db
from workshops import codes, devices
from workshops.live import clock as live
from workshops.live import participants, reach, state
from workshops.live import steps as collects
from workshops.live.counts import counts
from workshops.live.forms import (
    ExtendForm,
    JoinForm,
    LiveActionForm,
    PaperIdeaForm,
    PhoneIdeaForm,
)
from workshops.live.models import Participant
from workshops.programme import lookup
from workshops.programme.forms import COLLECT_LABELS
from workshops.programme.models import Workshop
from workshops.projects import access

bp = Blueprint("live", __name__, template_folder="templates")

COUNT_LABELS = {
    "participants": _l("Participants"),
    "ideas": _l("Ideas"),
    "ideas_in_step": _l("Ideas in this step"),
    "votes": _l("Votes"),
    "interests": _l("Interest in ideas"),
    "answers": _l("Evaluation answers"),
    "connections": _l("Connections"),
    "products": _l("Product sheets"),
}

LIVE_ERRORS = {
    "moved_meanwhile": lambda: _(
        "Someone else moved the workshop on meanwhile; nothing was changed."
    ),
    "closed": lambda: _("This workshop is closed."),
    "already_started": lambda: _("The workshop has already started."),
    "no_steps": lambda: _("Add at least one step before you start."),
    "no_such_step": lambda: _("There is no step in that direction."),
    "not_running": lambda: _("The workshop is not running."),
    "not_paused": lambda: _("The workshop is not paused."),
    "not_closed": lambda: _("The workshop is not closed."),
    "bad_minutes": lambda: _("Extend by 1 to 60 minutes."),
    "bad_number": lambda: _("Give 1 to 20 dots each."),
    "nothing_open": lambda: _("There is no vote to show."),
    "unknown_action": lambda: _("Please try again."),
    "rounds_done": lambda: _("Every round of this step has been paired."),
    "too_few": lambda: _("Fewer than two registered businesses are here to pair."),
}


def join_url(code: str) -> str:
    """The address a phone opens to join (PUBLIC_URL if set; see reach.public_base)."""
    return reach.join_url(code)


# The console and the wall warn when phones cannot reach the address in use.
bp.add_app_template_global(reach.warning, "reach_warning")


def qr_svg(url: str) -> Markup:
    """A QR code as inline SVG, made here without any network."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=1, border=2, dark="#111", light="#fff", omitsize=True)
    # segno's own markup (paths only) with a constant attribute added.
    labelled = svg.replace("<svg ", '<svg role="img" class="qr" aria-hidden="true" ', 1)
    return Markup(labelled)  # noqa: S704  # nosec B704


def _canonical_or_redirect(raw: str, endpoint: str):
    code = codes.normalise(raw)
    if code and code != raw:
        return None, redirect(url_for(endpoint, code=code), 301)
    return code, None


@bp.get("/j/<code>")
def join_page(code: str):
    """A participant's phone page: the current step and the agenda as visibility allows."""
    canonical, redirect_to = _canonical_or_redirect(code, "live.join_page")
    if redirect_to:
        return redirect_to
    workshop = lookup.by_code(canonical) if canonical else None
    if workshop is None:
        return render_template("live/unknown.html", code=code[:20]), 404
    g.project_language = workshop.project.language
    g.project_timezone = workshop.project.timezone
    if workshop.status == "closed":
        still = collects.after_close(workshop)
        return render_template("live/closed.html", workshop=workshop, still=still), 410
    token = devices.current_device()
    if g.get("device_is_new"):
        # A first visit (or a link preview, a crawler): counted as joined only when the page
        # polls the state or the phone sends something, so fetching the link writes nothing.
        participant = Participant(workshop_id=workshop.id, name="", business_name="", track=None)
    else:
        participant = participants.ensure(workshop, token)
        db.session.commit()
    snapshot = state.snapshot(workshop, utcnow(), track=participant.track, lang=str(get_locale()))
    form = JoinForm(
        name=participant.name, business=participant.business_name, track=participant.track or ""
    )
    form.track.choices = _track_choices(workshop)
    return render_template(
        "live/phone.html",
        workshop=workshop,
        state=snapshot,
        participant=participant,
        form=form,
        idea_form=PhoneIdeaForm(key=secrets.token_urlsafe(12)),
    )


def _track_choices(workshop: Workshop):
    seen = {}
    for step in workshop.steps:
        for track in step.tracks or []:
            seen.setdefault(track.get("key"), track.get("title"))
    return [SelectChoice("", _("No group"))] + [SelectChoice(k, t) for k, t in seen.items() if k]


@bp.post("/j/<code>/join")
def join_form(code: str):
    """The no-JavaScript way to give a name, business or group."""
    workshop = lookup.by_code(code)
    if workshop is None or workshop.status == "closed":
        abort(404)
    form = JoinForm()
    form.track.choices = _track_choices(workshop)
    if form.validate_on_submit():
        participant = participants.ensure(workshop, devices.current_device())
        participants.update(
            participant,
            workshop,
            {"name": form.name.data, "business": form.business.data, "track": form.track.data},
        )
        db.session.commit()
        flash(_("Thank you. You are in."), "success")
    else:
        flash(_("Please check what you wrote."), "error")
    return redirect(url_for("live.join_page", code=workshop.join_code))


def _leader_workshop(code: str) -> Workshop:
    workshop = lookup.by_code(code)
    if workshop is None:
        abort(404)
    access.project_for(workshop.project.slug, lead=True)
    return workshop


@bp.get("/w/<code>/wall")
@login_required
def wall(code: str):
    """The projector wall: step, prompt, countdown, join code and QR."""
    canonical, redirect_to = _canonical_or_redirect(code, "live.wall")
    if redirect_to:
        return redirect_to
    workshop = _leader_workshop(canonical)
    url = join_url(workshop.join_code)
    return render_template(
        "live/wall.html",
        workshop=workshop,
        state=state.wall_snapshot(workshop, utcnow()),
        join_url=url,
        qr=qr_svg(url),
    )


@bp.get("/w/<code>/state")
@login_required
def leader_state(code: str):
    """The leader's live state (wall and console poll it), with the rest of the day re-planned."""
    workshop = _leader_workshop(code)
    tag = state.etag(workshop.id, workshop.state_version, "leader")
    # The countdown and the re-plan move with the clock, so only unchanged seconds are cached.
    data = state.wall_snapshot(workshop, utcnow())
    data["counts"] = counts(workshop)
    data["wall_layout"] = workshop.wall_layout
    data["spotlight"] = workshop.spotlight_idea_id
    data["ideas_url"] = url_for("ideas_api.list_ideas", code=workshop.join_code)
    data["collect"] = wall_collect(workshop)
    response = Response(state.as_json(data), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-State-Version"] = tag
    return response


def wall_collect(workshop: Workshop) -> dict:
    """What the current step's kinds show on the wall; a link comes with its QR code's URL."""
    step = live.current_step(workshop)
    if step is None or workshop.status == "closed":
        return {}
    shown = collects.wall(workshop, step)
    for kind, data in shown.items():
        if data.get("url"):
            data["qr_url"] = url_for("live.collect_qr", code=workshop.join_code, kind=kind)
    return shown


@bp.get("/w/<code>/qr/<kind>.svg")
@login_required
def collect_qr(code: str, kind: str):
    """The QR code of what the current step shows on the wall (e.g. the evaluation form); the
    join code's when the step shows nothing of this kind."""
    workshop = _leader_workshop(code)
    data = wall_collect(workshop).get(kind) or {}
    target = reach.public_base() + data["url"] if data.get("url") else join_url(workshop.join_code)
    image = io.BytesIO()  # a whole SVG document (the inline one has no namespace)
    segno.make(target, error="m").save(
        image, kind="svg", scale=4, border=2, dark="#111", light="#fff", xmldecl=False
    )
    response = Response(image.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/projects/<slug>/workshops/<int:workshop_id>/console")
@login_required
def console(slug: str, workshop_id: int):
    """The leader's console: run the workshop step by step."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    now = utcnow()
    url = join_url(workshop.join_code)
    return render_template(
        "live/console.html",
        project=project,
        workshop=workshop,
        state=state.wall_snapshot(workshop, now),
        tick=live.clock(workshop, now),
        counts=counts(workshop),
        panels=collects.panels(workshop, live.current_step(workshop))
        if workshop.status != "closed"
        else [],
        action_form=LiveActionForm(),
        extend_form=ExtendForm(),
        join_url=url,
        qr=qr_svg(url),
        collect_labels=COLLECT_LABELS,
        count_labels=COUNT_LABELS,
        # For a count that starts while the console is open (the first interest): its label.
        count_labels_text={key: str(label) for key, label in COUNT_LABELS.items()},
        paper_form=PaperIdeaForm(),
    )


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/live/<action>")
@login_required
def live_action(slug: str, workshop_id: int, action: str):
    """Start, next, previous, extend, pause, resume, close or reopen; back to the console."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    form = ExtendForm() if action == "extend" else LiveActionForm()
    if not form.validate_on_submit():
        if action == "extend" and form.minutes.errors:
            flash(_("Give the step 1 to 60 more minutes."), "error")
        else:
            flash(_("Please try again."), "error")
        return redirect(url_for("live.console", slug=slug, workshop_id=workshop_id))
    now = utcnow()
    leaving = form.leaving.data or None
    try:
        if action == "start":
            live.start(workshop, now)
        elif action == "next":
            live.advance(workshop, leaving, now, offset=1)
        elif action == "previous":
            live.advance(workshop, leaving, now, offset=-1)
        elif action == "extend":
            live.extend(workshop, form.minutes.data, now)
        elif action == "pause":
            live.pause(workshop, now)
        elif action == "resume":
            live.resume(workshop, now)
        elif action == "close":
            live.close(workshop, now)
        elif action == "reopen":
            live.reopen(workshop, now)
        elif action == "replan":
            live.apply_replan(workshop, now)
        else:
            abort(404)
        db.session.commit()
    except live.LiveError as error:
        db.session.rollback()
        flash(LIVE_ERRORS.get(error.code, lambda: _("Please try again."))(), "error")
    if request.accept_mimetypes.best == "application/json":
        return {"ok": True}
    return redirect(url_for("live.console", slug=slug, workshop_id=workshop_id))


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/collect/<kind>/<action>")
@login_required
def collect_action(slug: str, workshop_id: int, kind: str, action: str):
    """A press on a step's control (open a vote, show its results...); back to the console."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    form = LiveActionForm()
    if not form.validate_on_submit():
        flash(_("Please try again."), "error")
        return redirect(url_for("live.console", slug=slug, workshop_id=workshop_id))
    try:
        collects.act(workshop, kind, action, request.form, utcnow())
        db.session.commit()
    except collects.StepError as error:
        db.session.rollback()
        flash(LIVE_ERRORS.get(error.code, lambda: _("Please try again."))(), "error")
    if request.accept_mimetypes.best == "application/json":
        return {"ok": True}
    return redirect(url_for("live.console", slug=slug, workshop_id=workshop_id))


@bp.app_template_filter("todatetime")
def to_datetime(value: str):
    """Parse an ISO time from the live state (naive UTC) for Babel's time filters."""
    return datetime.fromisoformat(value.removesuffix("Z")) if value else None


__all__ = ["bp", "current_user"]
