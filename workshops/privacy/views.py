"""The leader's privacy pages: download everything about a business or a person, or erase it."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.extensions import db
from workshops.businesses.models import Business
from workshops.privacy import service as privacy
from workshops.privacy.forms import EraseForm
from workshops.programme import lookup
from workshops.projects import access
from workshops.projects.models import Project
from workshops.registrations.models import Registration

bp = Blueprint("privacy", __name__, template_folder="templates")


def _business(slug: str, business_id: int) -> tuple[Project, Business]:
    project = access.project_for(slug, lead=True)
    business = db.session.get(Business, business_id)
    if business is None or business.project_id != project.id:
        abort(404)
    return project, business


def _registration(slug: str, registration_id: int) -> tuple[Project, Registration]:
    project = access.project_for(slug, lead=True)
    registration = db.session.get(Registration, registration_id)
    lookup.workshop_of(project, registration.workshop_id if registration else None)
    return project, registration


def _download(document: dict, filename: str) -> Response:
    response = Response(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n",
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _summary(document: dict) -> list[tuple[str, int]]:
    """How much the export holds, for the confirmation page."""
    labels = {
        "ideas": _("Ideas naming it (they stay, without names)"),
        "participants": _("Participants in workshops"),
        "registrations": _("Registrations"),
        "walk_ins": _("Walk-ins"),
        "interests": _("Interests in ideas"),
        "connections": _("Connections"),
        "ecosystems": _("Ecosystems"),
        "businesses": _("Businesses with this contact address"),
        "mail": _("Messages in the outbox"),
    }
    return [(label, len(document[key])) for key, label in labels.items() if key in document]


def _page(project: Project, subject: str, document: dict, download: str, back: str, **extra):
    form = extra["form"]
    refused = form.is_submitted()  # and not confirmed: nothing was erased
    if refused:
        flash(_("Nothing was erased: tick the box to confirm first."), "error")
    response = Response(
        render_template(
            "privacy/erase.html",
            project=project,
            subject=subject,
            summary=_summary(document),
            download=download,
            back=back,
            **extra,
        ),
        status=400 if refused else 200,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/projects/<slug>/businesses/<int:business_id>/privacy.json")
@login_required
def business_export(slug: str, business_id: int):
    """Everything stored about one business, as a JSON file."""
    project, business = _business(slug, business_id)
    document = privacy.export_business(business)
    return _download(document, f"privacy-{project.slug}-business-{business.id}.json")


@bp.route("/projects/<slug>/businesses/<int:business_id>/privacy", methods=["GET", "POST"])
@login_required
def business_erase(slug: str, business_id: int):
    """What is stored about a business; erase its personal data after a confirmation."""
    project, business = _business(slug, business_id)
    form = EraseForm()
    if form.validate_on_submit():
        # The name before the erase is shown once, on the leader's own screen (the flash goes
        # with the redirect); it is not kept or logged anywhere.
        name = business.name
        privacy.erase_business(business, entirely=form.entirely.data)
        db.session.commit()
        if business.name != name:
            flash(
                _(
                    "The personal data of %(name)s is erased, and its name too: the business "
                    "is now listed as '%(label)s'.",
                    name=name,
                    label=business.name,
                ),
                "success",
            )
        else:
            flash(_("The personal data of %(name)s is erased.", name=name), "success")
        return redirect(url_for("businesses.index", slug=project.slug), 303)
    return _page(
        project,
        business.name,
        privacy.export_business(business),
        url_for("privacy.business_export", slug=project.slug, business_id=business.id),
        url_for("businesses.edit", slug=project.slug, business_id=business.id),
        form=form,
        with_entirely=True,
    )


@bp.get("/projects/<slug>/registrations/<int:registration_id>/privacy.json")
@login_required
def person_export(slug: str, registration_id: int):
    """Everything stored about the person of a registration (by its e-mail), as a JSON file."""
    project, registration = _registration(slug, registration_id)
    document = privacy.export_participant(project, email=registration.email)
    return _download(document, f"privacy-{project.slug}-person-{registration.id}.json")


@bp.route("/projects/<slug>/registrations/<int:registration_id>/privacy", methods=["GET", "POST"])
@login_required
def person_erase(slug: str, registration_id: int):
    """What is stored about the person of a registration; erase it after a confirmation."""
    project, registration = _registration(slug, registration_id)
    back = url_for(
        "public.registrations_list", slug=project.slug, workshop_id=registration.workshop_id
    )
    form = EraseForm()
    # An anonymised registration has nothing left to erase: no confirmation is needed.
    if form.is_submitted() and (not registration.email or form.validate()):
        if registration.email:
            privacy.erase_person(project, registration.email)
            db.session.commit()
        flash(_("The person's personal data is erased."), "success")
        return redirect(back, 303)
    return _page(
        project,
        registration.name or _("(anonymised)"),
        privacy.export_participant(project, email=registration.email),
        url_for("privacy.person_export", slug=project.slug, registration_id=registration.id),
        back,
        form=form,
        with_entirely=False,
        anonymised=not registration.email,
    )
