"""Pages for businesses and pairing: the registry, the import, unmapped words, suggestions,
connections, ecosystems, the network figure, speed meetings, and a participant's own profile."""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.extensions import db
from method import taxonomy
from workshops import codes, devices
from workshops.businesses import pairing_service
from workshops.businesses import registry as service
from workshops.businesses.models import CONNECTION_STATUSES, Business, Connection
from workshops.live import participants, state
from workshops.programme.models import Workshop
from workshops.projects import access
from workshops.projects.models import Project

bp = Blueprint("businesses", __name__, template_folder="templates")

STATUS_LABELS = {
    "suggested": _l("Suggested"),
    "introduced": _l("Introduced"),
    "met": _l("Met"),
    "collaborating": _l("Collaborating"),
    "declined": _l("Declined"),
}
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_UPLOAD_MAX_AGE = 24 * 3600


# --- forms ------------------------------------------------------------------------------------


def _lang() -> str:
    locale = get_locale()
    lang = locale.language if locale else "nb"
    return lang if lang in taxonomy.LANGUAGES else "en"


def _tag_choices() -> list[SelectChoice]:
    lang = _lang()
    return [SelectChoice(t.key, taxonomy.tag_label(t.key, lang)) for t in taxonomy.tags()]


class BusinessForm(FlaskForm):
    """A business as the leader edits it: tags from the list, and words of its own."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    sector = StringField(
        _l("Sector"),
        description=_l("A NACE code such as 55.10, or a word such as hotel, café or guiding."),
        validators=[Optional(), Length(max=80)],
    )
    offer_tags = SelectMultipleField(
        _l("Offers"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    offers = StringField(
        _l("Other offers, in their own words"),
        description=_l("Separate with commas; words are read in five languages."),
        validators=[Optional(), Length(max=2000)],
    )
    need_tags = SelectMultipleField(
        _l("Needs"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    needs = StringField(
        _l("Other needs, in their own words"), validators=[Optional(), Length(max=2000)]
    )
    municipality = StringField(_l("Municipality"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=500)])
    contact_consent = BooleanField(_l("The business agrees to be contacted by other businesses"))

    def data_object(self) -> service.BusinessData:
        return service.BusinessData(
            name=self.name.data or "",
            sector=self.sector.data or "",
            offers=self.offers.data or "",
            needs=self.needs.data or "",
            municipality=self.municipality.data or "",
            description=self.description.data or "",
            email=self.email.data or "",
            website=self.website.data or "",
            contact_consent=bool(self.contact_consent.data),
            offer_tags=tuple(self.offer_tags.data or ()),
            need_tags=tuple(self.need_tags.data or ()),
        )


class ImportForm(FlaskForm):
    """A CSV or XLSX file of businesses."""

    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class ConfirmForm(FlaskForm):
    """Confirm an import after its preview."""


class MapWordForm(FlaskForm):
    """Map a word the taxonomy does not know to a tag; remembered for the project."""

    word = HiddenField(validators=[DataRequired(), Length(max=160)])
    tag = SelectField(_l("Means"), validators=[DataRequired()])


class ConnectForm(FlaskForm):
    """Turn a suggested pair into a connection."""

    a = HiddenField(validators=[DataRequired()])
    b = HiddenField(validators=[DataRequired()])


class ConnectionForm(FlaskForm):
    """Move a connection on and keep notes."""

    status = SelectField(
        _l("Status"), choices=[SelectChoice(k, v) for k, v in STATUS_LABELS.items()]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])


class EcosystemForm(FlaskForm):
    """Name an ecosystem with its joint product and members."""

    name = StringField(_l("Name of the ecosystem"), validators=[DataRequired(), Length(max=160)])
    product = TextAreaField(_l("Joint product idea"), validators=[Optional(), Length(max=2000)])
    members = SelectMultipleField(
        _l("Members"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )


class SpeedMeetingForm(FlaskForm):
    """Choose who takes part in a speed-meeting round."""

    members = SelectMultipleField(
        _l("Who is here"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )


class PhoneProfileForm(FlaskForm):
    """A participant's own business profile, from the phone: free words only."""

    name = StringField(_l("Your business"), validators=[DataRequired(), Length(max=160)])
    sector = StringField(
        _l("What kind of business"),
        description=_l("For example hotel, café, guiding, farm, or a NACE code."),
        validators=[Optional(), Length(max=80)],
    )
    offers = TextAreaField(
        _l("What you offer"),
        description=_l("Separate with commas, e.g. rooms, breakfast, canoe rental."),
        validators=[Optional(), Length(max=2000)],
    )
    needs = TextAreaField(
        _l("What you need from others"),
        description=_l("e.g. guided tours, local food, more visitors."),
        validators=[Optional(), Length(max=2000)],
    )
    municipality = StringField(_l("Municipality"), validators=[Optional(), Length(max=120)])


# --- helpers ------------------------------------------------------------------------------


def _business(project: Project, business_id: int) -> Business:
    business = db.session.get(Business, business_id)
    if business is None or business.project_id != project.id:
        abort(404)
    return business


def _members(project: Project, ids: list[str]) -> list[Business]:
    by_id = {str(b.id): b for b in project.businesses}
    return [by_id[i] for i in ids if i in by_id]


def _business_choices(project: Project) -> list[SelectChoice]:
    return [SelectChoice(str(b.id), b.name) for b in project.businesses]


def _uploads(project: Project) -> Path:
    folder = Path(current_app.instance_path) / "uploads" / str(project.id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old_uploads(folder: Path) -> None:
    now = time.time()
    for path in folder.glob("*"):
        try:
            if now - path.stat().st_mtime > _UPLOAD_MAX_AGE:
                path.unlink()
        except OSError:
            pass


def _upload_path(project: Project, token: str) -> Path:
    if not _TOKEN.match(token):
        abort(404)
    return _uploads(project) / f"{token}.upload"


def _labels(tags: list[str] | tuple[str, ...]) -> list[str]:
    lang = _lang()
    return [taxonomy.tag_label(t, lang) for t in tags]


def _role() -> str | None:
    return g.get("project_role")


# --- the registry -------------------------------------------------------------------------


@bp.get("/projects/<slug>/businesses")
@login_required
def index(slug: str):
    """The project's businesses with sector, offers and needs."""
    project = access.project_for(slug)
    return render_template(
        "businesses/list.html",
        project=project,
        businesses=project.businesses,
        unmapped=len(service.unmapped_words(project)),
        labels=_labels,
        group_label=lambda key: taxonomy.group_label(key, _lang()),
        group_of=pairing_service.group_of,
        role=_role(),
    )


def _form_page(project: Project, form: BusinessForm, business: Business | None, status: int):
    return (
        render_template("businesses/form.html", project=project, form=form, business=business),
        status,
    )


def _prepare(form: BusinessForm) -> BusinessForm:
    form.offer_tags.choices = _tag_choices()
    form.need_tags.choices = _tag_choices()
    return form


@bp.route("/projects/<slug>/businesses/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Add a business."""
    project = access.project_for(slug, lead=True)
    form = _prepare(BusinessForm())
    if form.validate_on_submit():
        if service.find_by_name(project, form.name.data):
            form.name.errors.append(_("A business of that name exists already."))
        else:
            business = service.save(project, form.data_object())
            db.session.commit()
            flash(_("%(name)s is added.", name=business.name), "success")
            return redirect(url_for("businesses.index", slug=slug))
    return _form_page(project, form, None, 400 if form.is_submitted() else 200)


@bp.route("/projects/<slug>/businesses/<int:business_id>", methods=["GET", "POST"])
@login_required
def edit(slug: str, business_id: int):
    """Change a business's profile."""
    project = access.project_for(slug, lead=True)
    business = _business(project, business_id)
    if request.method == "GET":
        data = {
            key: getattr(business, key)
            for key in ("name", "municipality", "description", "email", "website")
        }
        data |= {
            "contact_consent": business.contact_consent,
            "sector": service.sector_words(business, _lang()),
            "offer_tags": service.own_tags(business, "offers"),
            "need_tags": service.own_tags(business, "needs"),
            "offers": service.free_words(business, "offers"),
            "needs": service.free_words(business, "needs"),
        }
        form = _prepare(BusinessForm(data=data))
    else:
        form = _prepare(BusinessForm())
    if form.validate_on_submit():
        other = service.find_by_name(project, form.name.data)
        if other is not None and other.id != business.id:
            form.name.errors.append(_("A business of that name exists already."))
        else:
            service.save(project, form.data_object(), business)
            db.session.commit()
            flash(_("The changes are saved."), "success")
            return redirect(url_for("businesses.index", slug=slug))
    db.session.rollback()
    return _form_page(project, form, business, 400 if form.is_submitted() else 200)


# --- import -------------------------------------------------------------------------------


@bp.route("/projects/<slug>/businesses/import", methods=["GET", "POST"])
@login_required
def upload(slug: str):
    """Upload a CSV or XLSX file; a preview follows before anything is imported."""
    project = access.project_for(slug, lead=True)
    if request.method == "POST" and (request.content_length or 0) > service.MAX_FILE_BYTES + 65536:
        abort(413)  # before the form reads the body
    form = ImportForm()
    if request.method == "POST":
        if form.validate_on_submit():
            data = form.file.data.read(service.MAX_FILE_BYTES + 1)
            if len(data) > service.MAX_FILE_BYTES:
                abort(413)
            filename = form.file.data.filename or ""
            folder = _uploads(project)
            _forget_old_uploads(folder)
            token = secrets.token_urlsafe(24)
            (folder / f"{token}.upload").write_bytes(data)
            (folder / f"{token}.name").write_text(json.dumps(filename), encoding="utf-8")
            return redirect(url_for("businesses.preview", slug=slug, token=token))
        flash(_("Choose a CSV or XLSX file."), "error")
    return render_template("businesses/import.html", project=project, form=form)


def _plan(project: Project, token: str) -> tuple[service.Plan | None, str | None, str]:
    path = _upload_path(project, token)
    if not path.exists():
        abort(404)
    name_file = path.with_suffix(".name")
    filename = json.loads(name_file.read_text(encoding="utf-8")) if name_file.exists() else ""
    try:
        return (
            service.plan_import(project, service.read_table(path.read_bytes(), filename)),
            None,
            filename,
        )
    except service.FileError as error:
        return None, error.message(), filename


@bp.get("/projects/<slug>/businesses/import/<token>")
@login_required
def preview(slug: str, token: str):
    """What the import would do, row by row, with every error and warning."""
    project = access.project_for(slug, lead=True)
    plan, file_error, filename = _plan(project, token)
    return render_template(
        "businesses/preview.html",
        project=project,
        plan=plan,
        file_error=file_error,
        filename=filename,
        token=token,
        form=ConfirmForm(),
        labels=_labels,
        group_label=lambda key: taxonomy.group_label(key, _lang()),
    ), (200 if plan is not None and not plan.errors else 422)


@bp.post("/projects/<slug>/businesses/import/<token>")
@login_required
def confirm(slug: str, token: str):
    """Import every row of the previewed file, or none."""
    project = access.project_for(slug, lead=True)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    plan, file_error, _filename = _plan(project, token)
    if plan is None or plan.errors:
        flash(_("Nothing was imported: the file has errors."), "error")
        return redirect(url_for("businesses.preview", slug=slug, token=token))
    created, updated = service.apply_import(project, plan)
    db.session.commit()
    path = _upload_path(project, token)
    path.unlink(missing_ok=True)
    path.with_suffix(".name").unlink(missing_ok=True)
    flash(
        _("%(created)s created, %(updated)s updated.", created=created, updated=updated), "success"
    )
    return redirect(url_for("businesses.index", slug=slug))


# --- unmapped words -------------------------------------------------------------------------


@bp.get("/projects/<slug>/businesses/words")
@login_required
def words(slug: str):
    """Words no tag matched, with who wrote them and a way to map each."""
    project = access.project_for(slug, lead=True)
    found = service.unmapped_words(project)
    forms = []
    for item in found:
        form = MapWordForm(word=item.word, prefix=f"w{len(forms)}")
        form.tag.choices = _tag_choices()
        forms.append((item, form))
    return render_template("businesses/words.html", project=project, forms=forms)


@bp.post("/projects/<slug>/businesses/words")
@login_required
def map_word(slug: str):
    """Remember what a word means in this project."""
    project = access.project_for(slug, lead=True)
    prefix = next((k.split("-")[0] for k in request.form if k.endswith("-word")), "")
    form = MapWordForm(prefix=prefix)
    form.tag.choices = _tag_choices()
    if form.validate_on_submit():
        changed = service.map_word(project, form.word.data, form.tag.data)
        db.session.commit()
        flash(
            _(
                "'%(word)s' now means %(tag)s (%(count)s changed).",
                word=form.word.data,
                tag=taxonomy.tag_label(form.tag.data, _lang()),
                count=changed,
            ),
            "success",
        )
    else:
        flash(_("Please check what you wrote."), "error")
    return redirect(url_for("businesses.words", slug=slug))


# --- pairings and outcomes --------------------------------------------------------------------


@bp.get("/projects/<slug>/pairings")
@login_required
def pairings(slug: str):
    """Each business's best partners with reasons; connections and their status."""
    project = access.project_for(slug)
    lang = _lang()
    ideas = pairing_service.idea_texts(project)
    rows = pairing_service.suggestions(project, k=5)
    existing = {frozenset((c.a_id, c.b_id)): c for c in pairing_service.connections(project)}
    status_forms = {}
    for connection in existing.values():
        form = ConnectionForm(prefix=f"c{connection.id}", obj=connection)
        status_forms[connection.id] = form
    return render_template(
        "businesses/pairings.html",
        project=project,
        rows=rows,
        explain=lambda reasons: pairing_service.words(reasons, lang, ideas),
        connected=lambda a, b: existing.get(frozenset((a, b))),
        connections=list(existing.values()),
        status_forms=status_forms,
        status_labels=STATUS_LABELS,
        connect_form=ConnectForm(),
        role=_role(),
    )


@bp.post("/projects/<slug>/connections")
@login_required
def connect(slug: str):
    """Turn a suggestion into a connection."""
    project = access.project_for(slug, lead=True)
    form = ConnectForm()
    if not form.validate_on_submit() or not (form.a.data.isdigit() and form.b.data.isdigit()):
        abort(400)
    a, b = _business(project, int(form.a.data)), _business(project, int(form.b.data))
    try:
        pairing_service.connect(project, a, b, origin="suggested")
    except pairing_service.OutcomeError:
        abort(400)
    db.session.commit()
    flash(_("%(a)s and %(b)s are now a connection.", a=a.name, b=b.name), "success")
    return redirect(url_for("businesses.pairings", slug=slug) + "#connections")


@bp.post("/projects/<slug>/connections/<int:connection_id>")
@login_required
def update_connection(slug: str, connection_id: int):
    """Change a connection's status and notes."""
    project = access.project_for(slug, lead=True)
    connection = db.session.get(Connection, connection_id)
    if connection is None or connection.project_id != project.id:
        abort(404)
    form = ConnectionForm(prefix=f"c{connection.id}")
    if not form.validate_on_submit() or form.status.data not in CONNECTION_STATUSES:
        flash(_("Please check what you wrote."), "error")
    else:
        pairing_service.set_status(connection, form.status.data, form.notes.data or "")
        db.session.commit()
        flash(_("The connection is updated."), "success")
    return redirect(url_for("businesses.pairings", slug=slug) + "#connections")


@bp.route("/projects/<slug>/ecosystems", methods=["GET", "POST"])
@login_required
def ecosystems(slug: str):
    """Proposed ecosystems, and the named ones with their joint product."""
    project = access.project_for(slug, lead=request.method == "POST")
    lang = _lang()
    form = EcosystemForm()
    form.members.choices = _business_choices(project)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                pairing_service.name_ecosystem(
                    project,
                    form.name.data,
                    form.product.data or "",
                    _members(project, form.members.data or []),
                )
            except pairing_service.OutcomeError:
                form.members.errors.append(_("Choose at least two businesses."))
            else:
                db.session.commit()
                flash(_("The ecosystem is named."), "success")
                return redirect(url_for("businesses.ecosystems", slug=slug))
    elif request.args.get("members"):
        form.members.data = request.args.get("members", "").split(",")
    proposals = pairing_service.ecosystem_proposals(project)
    return render_template(
        "businesses/ecosystems.html",
        project=project,
        proposals=proposals,
        named=pairing_service.ecosystems(project),
        form=form,
        explain=lambda reasons: pairing_service.words(tuple(reasons), lang, {}),
        day_label=lambda part: taxonomy.day_part_label(part, lang),
        role=_role(),
    ), (400 if request.method == "POST" else 200)


@bp.get("/projects/<slug>/network.<fmt>")
@login_required
def network(slug: str, fmt: str):
    """The partner network as a figure (PNG or SVG)."""
    project = access.project_for(slug)
    if fmt not in ("png", "svg"):
        abort(404)
    data = pairing_service.network_figure(project, fmt, _lang())
    mimetype = "image/png" if fmt == "png" else "image/svg+xml"
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.route("/projects/<slug>/workshops/<int:workshop_id>/speed-meeting", methods=["GET", "POST"])
@login_required
def speed_meeting(slug: str, workshop_id: int):
    """Pair the businesses present at a workshop for a speed-meeting round."""
    project = access.project_for(slug, lead=True)
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.project_id != project.id:
        abort(404)
    form = SpeedMeetingForm()
    form.members.choices = _business_choices(project)
    present = pairing_service.present_businesses(project, workshop)
    chosen = present
    if request.method == "POST" and form.validate_on_submit():
        chosen = _members(project, form.members.data or [])
    elif not present:
        chosen = list(project.businesses)
    form.members.data = [str(b.id) for b in chosen]
    meeting = pairing_service.speed_meeting(chosen) if len(chosen) >= 2 else None
    by_id = {str(b.id): b for b in project.businesses}
    groups = [[by_id[x] for x in group] for group in meeting.groups] if meeting else []
    return render_template(
        "businesses/speed_meeting.html",
        project=project,
        workshop=workshop,
        form=form,
        present=present,
        groups=groups,
    )


# --- a participant's own profile ------------------------------------------------------------


def _phone_workshop(code: str) -> Workshop:
    canonical = codes.normalise(code)
    workshop = state.find_open(canonical) if canonical else None
    if workshop is None or workshop.status == "closed":
        abort(404)
    g.project_language = workshop.project.language
    g.project_timezone = workshop.project.timezone
    return workshop


def collects_profiles(workshop: Workshop) -> bool:
    """Whether the workshop's current step collects business profiles."""
    step = next((s for s in workshop.steps if s.id == workshop.current_step_id), None)
    return bool(step and "profiles" in (step.collects or []))


@bp.route("/j/<code>/profile", methods=["GET", "POST"])
def phone_profile(code: str):
    """A participant fills in their business's profile from the phone; no account needed."""
    workshop = _phone_workshop(code)
    project = workshop.project
    token = devices.current_device()
    participant = participants.ensure(workshop, token)
    key = participants.device_key(token)
    mine = db.session.scalar(
        db.select(Business).where(Business.project_id == project.id, Business.device == key)
    )
    open_now = collects_profiles(workshop)
    if request.method == "GET":
        form = PhoneProfileForm(
            data={
                "name": mine.name if mine else participant.business_name,
                "sector": service.sector_words(mine, _lang()) if mine else "",
                "offers": _phone_words(mine, "offers"),
                "needs": _phone_words(mine, "needs"),
                "municipality": mine.municipality if mine else "",
            }
        )
    else:
        form = PhoneProfileForm()
    status = 200
    if request.method == "POST":
        if not open_now:
            flash(_("Profiles are collected in another step."), "error")
            status = 409
        elif form.validate_on_submit():
            other = service.find_by_name(project, form.name.data)
            if other is not None and other is not mine:
                form.name.errors.append(
                    _("This business is registered already: ask the process leader to change it.")
                )
                status = 409
            else:
                data = service.BusinessData(
                    name=form.name.data,
                    sector=form.sector.data or "",
                    offers=form.offers.data or "",
                    needs=form.needs.data or "",
                    municipality=form.municipality.data or "",
                    description=mine.description if mine else "",
                    email=mine.email if mine else "",
                    website=mine.website if mine else "",
                    contact_consent=mine.contact_consent if mine else False,
                )
                business = service.save(project, data, mine)
                business.device = key
                participant.business_name = business.name
                db.session.commit()
                flash(_("Thank you. Your profile is saved."), "success")
                return redirect(url_for("live.join_page", code=workshop.join_code))
        else:
            status = 400
    db.session.commit()  # the participant row
    return render_template(
        "businesses/phone_profile.html",
        workshop=workshop,
        form=form,
        open_now=open_now,
        mine=mine,
        labels=_labels,
    ), status


def _phone_words(business: Business | None, side: str) -> str:
    """A business's offers or needs as words the participant can edit."""
    if business is None:
        return ""
    lang = _lang()
    tags = service.own_tags(business, side)
    return ", ".join(
        [taxonomy.tag_label(t, lang) for t in tags] + list(getattr(business, f"{side}_free") or [])
    )
