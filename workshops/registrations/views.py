"""The public face: the calendar and its feeds, registration and cancelling; and, for leaders,
the registration list with check-in at the door, its CSV export, and the mail outbox."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale, refresh
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from workshops import devices, public_cache, spreadsheets
from workshops.live import participants
from workshops.programme import lookup
from workshops.programme.models import Workshop
from workshops.projects import access
from workshops.projects.models import Project
from workshops.registrations import calendar, mail
from workshops.registrations import service as registrations
from workshops.registrations.forms import (
    ActionForm,
    RegistrationForm,
    RegistrationSettingsForm,
    WalkInForm,
)
from workshops.registrations.models import CheckIn, Registration
from workshops.registrations.service import RegistrationError

# Refusals for too many registrations lately: 429, told above the form.
LIMITED = ("client_limit", "workshop_limit")

bp = Blueprint(
    "public",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/public/static",
)


def _error_message(code: str) -> str:
    messages = {
        "duplicate": _(
            "This e-mail address is already registered for this workshop. "
            "The confirmation we sent has a link to see or cancel the registration."
        ),
        "closed": _("Registration for this workshop is closed."),
        "too_long": _("This is too long."),
        "missing": _("Give your name and e-mail address."),
        "cancelled": _("This registration is cancelled."),
        "client_limit": _(
            "Many registrations have come from your network in a short time. "
            "Wait a quarter of an hour and try again."
        ),
        "workshop_limit": _(
            "Very many people are registering for this workshop right now. "
            "Wait a quarter of an hour and try again."
        ),
    }
    return messages.get(code, _("Please try again."))


def _serve_in_language_of(project: Project) -> None:
    """Let a visitor with no language preference read the page in the project's language."""
    g.project_language = project.language
    g.project_timezone = project.timezone
    refresh()


def _private(response: Response) -> Response:
    """Pages behind a registration's secret link: never cached, never indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _when(workshop: Workshop, project: Project) -> str:
    return mail.when_text(workshop, project, str(get_locale() or "nb"))


def agenda_for_registrants(workshop: Workshop) -> list[str]:
    """Step titles a registrant may see: all when open; none when hidden or stepwise.

    Some forums keep the programme secret; a stepwise workshop reveals its steps only as they
    are reached, in the room, so before the start (when people register) it shows none.
    """
    if workshop.visibility != "open":
        return []
    return [step.title for step in workshop.steps]


def _public_workshop(workshop_id: int) -> tuple[Workshop, Project]:
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or not workshop.is_public:
        abort(404)
    return workshop, workshop.project


# --- the calendar -------------------------------------------------------------------------------


def _describe(workshop: Workshop, project: Project, url: str) -> str:
    """An event's description in the project's language."""
    g.kraftverk_ics = True  # force_locale does nothing while g is empty
    with force_locale(project.language or "nb"):
        parts = [project.name]
        if project.municipality:
            parts.append(project.municipality)
        if workshop.theme:
            parts.append(_("Theme: %(theme)s", theme=workshop.theme))
        if calendar.web_url(workshop.online_url):
            parts.append(_("Online: %(url)s", url=workshop.online_url))
        parts.append(_("Register: %(url)s", url=url))
    return "\n".join(parts)


def _ics(rows, name: str, filename: str) -> Response:
    body = calendar.build(
        rows,
        name=name,
        register_url=lambda w: mail.feed_link("public.register", workshop_id=w.id),
        describe=_describe,
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "public, max-age=900"
    return response


def _filters() -> tuple[str, str]:
    municipality = request.args.get("municipality", "").strip()[:120]
    theme = request.args.get("theme", "").strip()[:80]
    return municipality, theme


def _fresh_seconds() -> float:
    """How long a calendar page or feed is served from memory (PUBLIC_CACHE_SECONDS)."""
    return float(current_app.config.get("PUBLIC_CACHE_SECONDS", 30))


@bp.get("/calendar")
def calendar_page():
    """Upcoming public workshops of every project, filterable by municipality and theme.

    Anonymous visitors share one body per filter and language for a short while."""
    municipality, theme = _filters()
    return public_cache.serve(
        (municipality, theme),
        lambda: _calendar_page(municipality, theme),
        ttl=_fresh_seconds(),
        params=("municipality", "theme"),
    )


def _calendar_page(municipality: str, theme: str) -> str:
    now = utcnow()
    rows = calendar.public_workshops(municipality=municipality, theme=theme, upcoming_after=now)
    municipalities, themes = calendar.filter_choices(now=now)
    left = registrations.places_left([w for w, _p in rows])
    items = [
        {
            "workshop": w,
            "project": p,
            "when": _when(w, p),
            "places_left": left[w.id],
            "open": registrations.accepts_registrations(w),
        }
        for w, p in rows
    ]
    feed_args = {k: v for k, v in (("municipality", municipality), ("theme", theme)) if v}
    return render_template(
        "registrations/calendar.html",
        items=items,
        municipalities=municipalities,
        themes=themes,
        municipality=municipality,
        theme=theme,
        feed_url=url_for("public.calendar_feed", **feed_args),
    )


@bp.get("/calendar.ics")
def calendar_feed():
    """Every public workshop as an iCalendar feed (the page's filters apply here too)."""
    municipality, theme = _filters()

    def build() -> Response:
        rows = calendar.public_workshops(municipality=municipality, theme=theme)
        name = " · ".join(["Kraftverk", *(v for v in (municipality, theme) if v)])
        return _ics(rows, name, "kraftverk.ics")

    return public_cache.serve(
        (municipality, theme),
        build,
        ttl=_fresh_seconds(),
        params=("municipality", "theme"),
        everyone=True,
    )


@bp.get("/projects/<slug>/calendar.ics")
def project_feed(slug: str):
    """A project's public workshops as an iCalendar feed."""
    return public_cache.serve(
        (slug,), lambda: _project_feed(slug), ttl=_fresh_seconds(), everyone=True
    )


def _project_feed(slug: str) -> Response:
    project = db.session.scalar(select(Project).where(Project.slug == slug))
    # A project that never showed a workshop publicly answers as if it did not exist.
    if project is None or not calendar.has_public_workshops(project):
        abort(404)
    return _ics(calendar.public_workshops(project=project), project.name, f"{project.slug}.ics")


@bp.get("/workshops/<int:workshop_id>/calendar.ics")
def workshop_feed(workshop_id: int):
    """One public workshop as an iCalendar file, to add to one's own calendar."""
    return public_cache.serve(
        (workshop_id,), lambda: _workshop_feed(workshop_id), ttl=_fresh_seconds(), everyone=True
    )


def _workshop_feed(workshop_id: int) -> Response:
    workshop, project = _public_workshop(workshop_id)
    rows = [(w, p) for w, p in calendar.public_workshops(project=project) if w.id == workshop.id]
    if not rows:
        abort(404)
    return _ics(rows, project.name, f"workshop-{workshop.id}.ics")


# --- registration -------------------------------------------------------------------------------


@bp.route("/workshops/<int:workshop_id>/register", methods=["GET", "POST"])
def register(workshop_id: int):
    """Register for a public workshop; a full one offers the waiting list."""
    workshop, project = _public_workshop(workshop_id)
    _serve_in_language_of(project)
    form = RegistrationForm()
    is_open = registrations.accepts_registrations(workshop)
    status = 200
    if form.is_submitted() and not is_open:
        status = 409
    elif form.validate_on_submit():
        try:
            registration = registrations.register(
                workshop,
                form.applicant(),
                device=participants.device_key(devices.current_device()),
                # The project's own leaders register people from one office address: not
                # limited per address (the limit per workshop still holds).
                client=None
                if access.role_in(project) == "leader"
                else registrations.client_key(request.remote_addr),  # ProxyFix's, if trusted
            )
        except RegistrationError as error:
            db.session.rollback()
            if error.code in LIMITED:
                flash(_error_message(error.code), "error")
                status = 429
            else:
                field = form.name if error.code in ("too_long", "missing") else form.email
                field.errors = [*field.errors, _error_message(error.code)]
                status = 409 if error.code in ("duplicate", "closed") else 400
        else:
            db.session.commit()
            kind = "confirmation" if registration.status == "confirmed" else "waiting"
            if mail.notify(registration, kind) == "failed":
                flash(_("We could not send you an e-mail. Keep the address of this page."), "error")
            return redirect(url_for("public.registration", token=registration.token), 303)
    elif form.is_submitted():
        status = 400
    page = render_template(
        "registrations/register.html",
        workshop=workshop,
        project=project,
        form=form,
        is_open=is_open,
        full=is_open and not registrations.has_room(workshop),
        when=_when(workshop, project),
        online_url=calendar.web_url(workshop.online_url),
        agenda=agenda_for_registrants(workshop),
    )
    response = Response(page, status=status)
    if status == 429:
        response.headers["Retry-After"] = str(int(registrations.LIMIT_WINDOW.total_seconds()))
    return response


@bp.get("/registrations/<token>")
def registration(token: str):
    """The confirmation: the person's place or waiting-list number, and the cancel link."""
    found = registrations.by_token(token) or abort(404)
    workshop = found.workshop
    _serve_in_language_of(workshop.project)
    page = render_template(
        "registrations/registration.html",
        registration=found,
        workshop=workshop,
        project=workshop.project,
        position=registrations.waiting_position(found),
        when=_when(workshop, workshop.project),
        online_url=calendar.web_url(workshop.online_url),
        agenda=agenda_for_registrants(workshop),
        in_calendar=workshop.starts_at is not None
        and registrations.accepts_registrations(workshop),
    )
    return _private(Response(page))


@bp.route("/registrations/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    """Ask, then cancel a registration; the first on the waiting list moves up."""
    found = registrations.by_token(token) or abort(404)
    workshop = found.workshop
    _serve_in_language_of(workshop.project)
    if found.status == "cancelled":
        return redirect(url_for("public.registration", token=found.token), 303)
    form = ActionForm()
    if form.validate_on_submit():
        moved = registrations.cancel(found)
        db.session.commit()
        mail.notify(found, "cancellation")
        for person in moved:
            mail.notify(person, "moved_up")
        # The page it leads to says so in its heading: no flash message needed.
        return redirect(url_for("public.registration", token=found.token), 303)
    page = render_template(
        "registrations/cancel.html",
        registration=found,
        workshop=workshop,
        project=workshop.project,
        when=_when(workshop, workshop.project),
        form=form,
    )
    return _private(Response(page, status=400 if form.is_submitted() else 200))


# --- for leaders: the list at the door, the export, the outbox ----------------------------------


def _back(project: Project, workshop: Workshop, anchor: str = ""):
    url = url_for("public.registrations_list", slug=project.slug, workshop_id=workshop.id)
    return redirect(url + (f"#{anchor}" if anchor else ""), 303)


def _own_registration(workshop: Workshop, registration_id: int) -> Registration:
    found = db.session.get(Registration, registration_id)
    if found is None or found.workshop_id != workshop.id:
        abort(404)
    return found


@bp.get("/projects/<slug>/workshops/<int:workshop_id>/registrations")
@login_required
def registrations_list(slug: str, workshop_id: int):
    """Who registered, who waits, who is here: leaders check people in; viewers see the counts."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=False)
    if g.project_role != "leader":  # names, e-mails and dietary needs are for leaders only
        return _private(
            Response(
                render_template(
                    "registrations/registration_counts.html",
                    project=project,
                    workshop=workshop,
                    counts=registrations.counts(workshop),
                    when=_when(workshop, project),
                )
            )
        )
    settings = RegistrationSettingsForm(obj=workshop)
    return _private(
        Response(
            render_template(
                "registrations/registrations.html",
                project=project,
                workshop=workshop,
                roster=registrations.roster(workshop),
                role=g.project_role,
                when=_when(workshop, project),
                action_form=ActionForm(),
                walk_in_form=WalkInForm(),
                settings_form=settings,
                retention_days=current_app.config.get(
                    "REGISTRATION_RETENTION_DAYS", registrations.RETENTION_DAYS
                ),
            )
        )
    )


@bp.get("/projects/<slug>/workshops/<int:workshop_id>/registrations.csv")
@login_required
def registrations_csv(slug: str, workshop_id: int):
    """The registration list and walk-ins as CSV (cells that look like formulas neutralised).

    Viewers get the counts only, as on the page."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=False)
    status_names = {
        "confirmed": _("Has a place"),
        "waiting": _("Waiting list"),
        "cancelled": _("Cancelled"),
    }
    if g.project_role != "leader":
        counts = registrations.counts(workshop)
        table = [
            [status_names["confirmed"], counts.confirmed],
            [status_names["waiting"], counts.waiting],
            [_("Here (checked in and walk-ins)"), counts.checked_in],
            [status_names["cancelled"], counts.cancelled],
        ]
        response = Response(
            spreadsheets.to_csv([_("Status"), _("Number")], table), mimetype="text/csv"
        )
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
        response.headers["Content-Disposition"] = (
            f'attachment; filename="registrations-{project.slug}-{workshop.id}-counts.csv"'
        )
        return _private(response)
    roster = registrations.roster(workshop)
    header = [
        _("Status"),
        _("Name"),
        _("Business"),
        _("E-mail"),
        _("Dietary needs"),
        _("May be contacted"),
        _("Registered"),
        _("Checked in"),
    ]

    def stamp(value) -> str:
        return calendar.local(value, project).strftime("%Y-%m-%d %H:%M") if value else ""

    yes, no = _("yes"), _("no")
    rows = [
        [
            status_names[r.status],
            r.name,
            r.business_name,
            r.email,
            r.dietary,
            yes if r.contact_consent else no,
            stamp(r.created_at),
            stamp(r.check_in.checked_in_at) if r.check_in else "",
        ]
        for r in [*roster.confirmed, *roster.waiting, *roster.cancelled]
    ]
    rows += [
        [_("Walk-in"), c.name, c.business_name, "", "", "", "", stamp(c.checked_in_at)]
        for c in roster.walk_ins
    ]
    response = Response(spreadsheets.to_csv(header, rows), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="registrations-{project.slug}-{workshop.id}.csv"'
    )
    return _private(response)


@bp.post(
    "/projects/<slug>/workshops/<int:workshop_id>/registrations/<int:registration_id>/check-in"
)
@login_required
def check_in(slug: str, workshop_id: int, registration_id: int):
    """Mark a registered person as present."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    found = _own_registration(workshop, registration_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        registrations.check_in(found)
    except RegistrationError as error:
        flash(_error_message(error.code), "error")
    else:
        db.session.commit()
    return _back(project, workshop, f"r{found.id}")


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/registrations/<int:registration_id>/cancel")
@login_required
def leader_cancel(slug: str, workshop_id: int, registration_id: int):
    """Cancel for someone who phoned in; the first on the waiting list moves up and is told."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    found = _own_registration(workshop, registration_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    moved = registrations.cancel(found)
    db.session.commit()
    mail.notify(found, "cancellation")
    for person in moved:
        mail.notify(person, "moved_up")
    flash(_("The registration is cancelled."), "success")
    return _back(project, workshop)


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/check-ins/<int:check_in_id>/undo")
@login_required
def undo_check_in(slug: str, workshop_id: int, check_in_id: int):
    """Take back a check-in made by mistake."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    entry = db.session.get(CheckIn, check_in_id)
    if entry is None or entry.workshop_id != workshop.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    anchor = f"r{entry.registration_id}" if entry.registration_id else "walk-ins"
    registrations.undo_check_in(entry)
    db.session.commit()
    return _back(project, workshop, anchor)


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/walk-ins")
@login_required
def walk_in(slug: str, workshop_id: int):
    """Count someone who came without registering."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    form = WalkInForm()
    if not form.validate_on_submit():
        flash(_("Check the walk-in's name and business: one of them is too long."), "error")
        return _back(project, workshop, "walk-ins")
    registrations.walk_in(workshop, form.name.data or "", form.business.data or "")
    db.session.commit()
    flash(_("The walk-in is counted."), "success")
    return _back(project, workshop, "walk-ins")


@bp.post("/projects/<slug>/workshops/<int:workshop_id>/registration-settings")
@login_required
def registration_settings(slug: str, workshop_id: int):
    """Set the number of places and the theme; more places move people up from the waiting list."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    form = RegistrationSettingsForm()
    if not form.validate_on_submit():
        flash(
            _("Places must be a whole number from 1 to 10000, the theme at most 80 characters."),
            "error",
        )
        return _back(project, workshop, "settings")
    workshop.theme = registrations.line(form.theme.data, 80)
    moved = registrations.set_capacity(workshop, form.capacity.data)
    db.session.commit()
    for person in moved:
        mail.notify(person, "moved_up")
    flash(_("The changes are saved."), "success")
    return _back(project, workshop, "settings")


@bp.get("/projects/<slug>/outbox")
@login_required
def outbox(slug: str):
    """The project's messages that were kept instead of sent (no SMTP, or it failed)."""
    project = access.project_for(slug, lead=True)
    messages = mail.outbox(project)
    return _private(
        Response(
            render_template(
                "registrations/outbox.html",
                project=project,
                messages=messages,
                smtp=bool(current_app.config.get("SMTP_URL")),
            )
        )
    )
