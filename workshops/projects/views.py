"""Pages for projects: the list, the dashboard, creating and editing."""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.extensions import db
from workshops import events
from workshops.projects import access, queries
from workshops.projects import service as project_service
from workshops.projects.forms import TARGET_LABELS, NewProjectForm, ProjectForm
from workshops.projects.models import Project

bp = Blueprint("workshops", __name__, template_folder="templates")


def _data_from(form: ProjectForm) -> project_service.ProjectData:
    return project_service.ProjectData(
        slug=form.slug.data.strip(),
        name=form.name.data,
        municipality=form.municipality.data or "",
        description=form.description.data or "",
        language=form.language.data,
        timezone=form.timezone.data.strip(),
        targets=form.targets(),
        use=form.use.data,
        costs=form.costs.data or "",
        funding=form.funding.data or "",
    )


def _save(form: ProjectForm, project: Project | None) -> bool:
    """Check the form against the domain rules; report problems on the fields."""
    data = _data_from(form)
    problems = project_service.check(data, existing=project)
    for field_name, code in problems:
        getattr(form, field_name).errors.append(project_service.problem_message(code))
    if problems:
        return False
    kept = 0
    if project is None:
        project = project_service.create(data, leaders=[current_user])
    else:
        kept = project_service.apply(project, data)
    db.session.commit()
    form.saved, form.kept_times = project, kept
    return True


@bp.get("/projects")
@login_required
def projects():
    """The projects the user leads or views."""
    return render_template(
        "projects/projects.html",
        rows=access.projects_of(current_user),
        can_create=current_user.can_create_projects,
    )


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new_project():
    """Create a project; the creator becomes its leader."""
    if not current_user.can_create_projects:
        abort(403)
    form = NewProjectForm()
    if form.validate_on_submit() and _save(form, None):
        if form.with_programme.data:
            first = form.first_day.data
            events.add_starting_programme(
                form.saved, datetime.combine(first, time()) if first else None
            )
            db.session.commit()
        flash(_("The project is created."), "success")
        return redirect(url_for("workshops.dashboard", slug=form.saved.slug))
    status = 400 if form.is_submitted() else 200
    return render_template("projects/project_form.html", form=form, project=None), status


@bp.get("/projects/<slug>")
@login_required
def dashboard(slug: str):
    """A project's targets against what has happened, and its workshops."""
    project = access.project_for(slug)
    return render_template(
        "projects/dashboard.html",
        project=project,
        progress=queries.progress(project),
        labels=TARGET_LABELS,
        workshops=project.workshops,
        role=access.role_in(project),
    )


@bp.route("/projects/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_project(slug: str):
    """Change a project's details and targets (leaders only)."""
    project = access.project_for(slug, lead=True)
    form = ProjectForm(obj=project)
    if form.validate_on_submit() and _save(form, project):
        flash(_("The changes are saved."), "success")
        if form.kept_times:
            flash(
                ngettext(
                    "%(num)s planned workshop keeps its local start time in %(zone)s.",
                    "%(num)s planned workshops keep their local start times in %(zone)s.",
                    form.kept_times,
                    zone=project.timezone,
                ),
                "info",
            )
        return redirect(url_for("workshops.dashboard", slug=project.slug))
    db.session.rollback()  # never keep half-applied changes from a rejected form
    status = 400 if form.is_submitted() else 200
    return render_template("projects/project_form.html", form=form, project=project), status
