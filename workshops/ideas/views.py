"""The leader's work with ideas: paper ideas, hiding, themes, votes, the wall, exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.db import utcnow
from app.extensions import db
from workshops import devices, spreadsheets
from workshops.ideas import capture as ideas
from workshops.ideas import export, votes, wall
from workshops.ideas.forms import (
    IdeaThemeForm,
    MergeThemeForm,
    ThemeForm,
    VoteForm,
    WallForm,
)
from workshops.ideas.models import Idea, Theme
from workshops.live import participants
from workshops.live.forms import PaperIdeaForm, PhoneIdeaForm
from workshops.programme import lookup
from workshops.programme.forms import StepActionForm
from workshops.programme.models import Workshop
from workshops.projects import access

bp = Blueprint("ideas", __name__, template_folder="templates")


def _back(slug: str, workshop_id: int, anchor: str = ""):
    return redirect(url_for("ideas.board", slug=slug, workshop_id=workshop_id) + anchor)


def _theme_choices(workshop: Workshop):
    return [SelectChoice(0, _("No theme"))] + [
        SelectChoice(t.id, t.name) for t in ideas.themes(workshop)
    ]


@bp.get("/projects/<slug>/workshops/<int:workshop_id>/ideas")
@login_required
def board(slug: str, workshop_id: int):
    """Every idea of the workshop, hidden ones too, with themes, votes and interests."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=False)
    themes = ideas.themes(workshop)
    merge = MergeThemeForm()
    merge.source.choices = merge.target.choices = [SelectChoice(t.id, t.name) for t in themes]
    latest = votes.latest_round(workshop)
    return render_template(
        "ideas/board.html",
        project=project,
        workshop=workshop,
        ideas=ideas.all_ideas(workshop),
        themes=themes,
        theme_names={t.id: t.name for t in themes},
        steps={s.id: s.title for s in workshop.steps},
        totals=votes.totals(workshop),
        interests=votes.interests_by_idea(workshop),
        vote_round=latest,
        paper_form=PaperIdeaForm(),
        theme_form=ThemeForm(),
        merge_form=merge,
        idea_theme_form=IdeaThemeForm(),
        theme_choices=_theme_choices(workshop),
        vote_form=VoteForm(),
        wall_form=WallForm(layout=workshop.wall_layout),
        action_form=StepActionForm(),
        role=access.role_in(project),
    )


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/ideas")
@login_required
def paper_idea(slug: str, workshop_id: int):
    """Type in an idea from paper: stored as typed, marked as typed by the leader."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    form = PaperIdeaForm()
    if form.validate_on_submit():
        try:
            ideas.submit(
                workshop.join_code,
                form.text.data,
                device=None,
                name=form.name.data or "",
                typed_by_leader=True,
            )
            flash(_("The idea is saved."), "success")
        except ideas.IdeaError:
            db.session.rollback()
            flash(_("The idea could not be saved: the workshop is closed."), "error")
    else:
        flash(_("Write an idea of 1 to %(n)s characters.", n=ideas.MAX_LENGTH), "error")
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("ideas.board", slug=slug, workshop_id=workshop_id)
    return redirect(target)


def _idea(workshop: Workshop, idea_id: int) -> Idea:
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.workshop_id != workshop.id:
        abort(404)
    return idea


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/ideas/<int:idea_id>/<action>")
@login_required
def idea_action(slug: str, workshop_id: int, idea_id: int, action: str):
    """Hide, show, spotlight or theme one idea."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    idea = _idea(workshop, idea_id)
    now = utcnow()
    if action == "theme":
        form = IdeaThemeForm()
        form.theme.choices = _theme_choices(workshop)
        if not form.validate_on_submit():
            abort(400)
        theme = db.session.get(Theme, form.theme.data) if form.theme.data else None
        ideas.set_theme(idea, theme, current_user.id, now)
    else:
        StepActionForm().validate_on_submit() or abort(400)
        if action in ("hide", "show"):
            ideas.set_hidden(idea, action == "hide", current_user.id, now)
        elif action == "spotlight":
            wall.toggle_spotlight(workshop, idea)
        else:
            abort(404)
    db.session.commit()
    return _back(slug, workshop_id, f"#idea-{idea.id}")


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/themes")
@login_required
def new_theme(slug: str, workshop_id: int):
    """Create a theme."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    form = ThemeForm()
    if form.validate_on_submit():
        ideas.create_theme(workshop, form.name.data)
        db.session.commit()
    else:
        flash(_("Give the theme a name of up to 120 characters."), "error")
    return _back(slug, workshop_id, "#themes")


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/themes/<int:theme_id>")
@login_required
def rename_theme(slug: str, workshop_id: int, theme_id: int):
    """Rename a theme."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.workshop_id != workshop.id:
        abort(404)
    form = ThemeForm()
    if form.validate_on_submit():
        ideas.rename_theme(theme, form.name.data)
        db.session.commit()
    return _back(slug, workshop_id, "#themes")


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/themes/merge")
@login_required
def merge_themes(slug: str, workshop_id: int):
    """Merge one theme into another."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    form = MergeThemeForm()
    choices = [SelectChoice(t.id, t.name) for t in ideas.themes(workshop)]
    form.source.choices = form.target.choices = choices
    if form.validate_on_submit() and form.source.data != form.target.data:
        ideas.merge_themes(
            db.session.get(Theme, form.source.data), db.session.get(Theme, form.target.data)
        )
        db.session.commit()
        flash(_("The themes are merged."), "success")
    else:
        flash(_("Choose two different themes."), "error")
    return _back(slug, workshop_id, "#themes")


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/vote/<action>")
@login_required
def vote_action(slug: str, workshop_id: int, action: str):
    """Open, close, reveal or hide the results of a dot vote."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    now = utcnow()
    if action == "open":
        form = VoteForm()
        if not form.validate_on_submit():
            flash(_("Give 1 to 20 dots per person."), "error")
            return _back(slug, workshop_id, "#vote")
        votes.start_round(workshop, form.dots.data, now)
    else:
        StepActionForm().validate_on_submit() or abort(400)
        vote_round = votes.latest_round(workshop) or abort(404)
        if action == "close":
            votes.close_round(vote_round, now)
        elif action in ("reveal", "conceal"):
            votes.reveal(vote_round, action == "reveal")
        else:
            abort(404)
    db.session.commit()
    return _back(slug, workshop_id, "#vote")


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/wall-layout")
@login_required
def wall_layout(slug: str, workshop_id: int):
    """Choose how the wall groups the ideas."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    form = WallForm()
    if form.validate_on_submit():
        wall.set_layout(workshop, form.layout.data)
        db.session.commit()
    return _back(slug, workshop_id, "#wall")


@bp.get("/projects/<slug>/workshops/<int:workshop_id>/ideas.<fmt>")
@login_required
def export_ideas(slug: str, workshop_id: int, fmt: str):
    """The workshop's ideas as CSV or XLSX (leaders and viewers)."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=False)
    rows = export.idea_rows(workshop)
    name = f"ideas-{workshop.join_code}"
    if fmt == "csv":
        body, mimetype = spreadsheets.to_csv(rows[0], rows[1:]), "text/csv"  # charset added once
    elif fmt == "xlsx":
        body = spreadsheets.to_xlsx(rows[0], rows[1:], _("Ideas"))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.post("/j/<code>/ideas")
def phone_idea(code: str):
    """An idea from a phone without JavaScript (the page's form, with its CSRF token)."""
    workshop = lookup.by_code(code)
    if workshop is None:
        abort(404)
    form = PhoneIdeaForm()
    if form.validate_on_submit():
        try:
            ideas.submit(
                workshop.join_code,
                form.text.data,
                device=participants.device_key(devices.current_device()),
                key=form.key.data or None,
            )
            flash(_("Sent. Thank you!"), "success")
        except ideas.IdeaError as error:
            db.session.rollback()
            flash(
                _("This workshop is closed.")
                if error.code == "workshop_closed"
                else _("Not sent: %(reason)s", reason=error.code),
                "error",
            )
    else:
        flash(_("Write an idea of 1 to %(n)s characters.", n=ideas.MAX_LENGTH), "error")
    return redirect(url_for("live.join_page", code=workshop.join_code))
