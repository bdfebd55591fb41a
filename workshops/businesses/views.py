"""Pages for businesses and pairing: the registry, the import, unmapped words, suggestions,
connections, ecosystems, the network figure, speed meetings, and a participant's own profile."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict

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
from flask_login import login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.db import utcnow
from app.extensions import db
from method import taxonomy
from workshops import devices
from workshops.businesses import pairing_service, profiles, uploads
from workshops.businesses import registry as service
from workshops.businesses.forms import (
    ECOSYSTEM_STATUS_LABELS,
    STATUS_LABELS,
    BusinessForm,
    ConfirmForm,
    ConnectForm,
    ConnectionForm,
    EcosystemForm,
    EcosystemIdeasForm,
    EcosystemStatusForm,
    ImportForm,
    MapWordForm,
    MarkForm,
    PhoneProfileForm,
    SpeedMeetingForm,
)
from workshops.businesses.models import CONNECTION_STATUSES, Business, Connection
from workshops.live import participants
from workshops.live.models import Participant
from workshops.programme import lookup
from workshops.programme.models import Workshop
from workshops.projects import access
from workshops.projects.models import Project

bp = Blueprint("businesses", __name__, template_folder="templates")


# --- helpers ------------------------------------------------------------------------------


def _lang() -> str:
    locale = get_locale()
    lang = locale.language if locale else "nb"
    return lang if lang in taxonomy.LANGUAGES else "en"


def _tag_choices() -> list[SelectChoice]:
    lang = _lang()
    return [SelectChoice(t.key, taxonomy.tag_label(t.key, lang)) for t in taxonomy.tags()]


def _business(project: Project, business_id: int) -> Business:
    business = db.session.get(Business, business_id)
    if business is None or business.project_id != project.id:
        abort(404)
    return business


def _members(project: Project, ids: list[str]) -> list[Business]:
    by_id = {str(k): b for k, b in pairing_service.businesses_by_id(project, ids).items()}
    return [by_id[i] for i in ids if i in by_id]


def _business_choices(project: Project, keep: Iterable[int] = ()) -> list[SelectChoice]:
    """The project's businesses by name as choices (ids and names only are read); erased
    businesses are left out, but for those in `keep` (an ecosystem's members as they are)."""
    rows = db.session.execute(
        select(Business.id, Business.name)
        .where(Business.project_id == project.id)
        .order_by(Business.name)
    ).all()
    left_out = pairing_service.erased_ids(rows) - set(keep)
    return [SelectChoice(str(x), name) for x, name in rows if x not in left_out]


def _labels(tags: list[str] | tuple[str, ...]) -> list[str]:
    lang = _lang()
    return [taxonomy.tag_label(t, lang) for t in tags]


def _role() -> str | None:
    return g.get("project_role")


# --- the registry -------------------------------------------------------------------------


BUSINESSES_PER_PAGE = 100


def _page_number() -> int:
    page = request.args.get("page", "1")
    return max(1, int(page)) if page.isdigit() else 1


@bp.get("/projects/<slug>/businesses")
@login_required
def index(slug: str):
    """The project's businesses with sector, offers and needs, a page at a time; a search by
    name, sector or tag as on the pairings page."""
    project = access.project_for(slug)
    query = request.args.get("q", "")[:160]
    role = _role()
    found = pairing_service.search(
        project, query, _lang(), _page_number(), BUSINESSES_PER_PAGE, unmapped=role == "leader"
    )
    by_id = pairing_service.businesses_by_id(project, found.ids)
    return render_template(
        "businesses/list.html",
        project=project,
        businesses=[by_id[x] for x in found.ids if x in by_id],
        unmapped=found.unmapped,
        labels=_labels,
        group_label=lambda key: taxonomy.group_label(key, _lang()),
        group_of=pairing_service.group_of,
        role=role,
        query=query,
        page=found.page,
        pages=found.pages,
        found=found.found,
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
            "report_consent": business.report_consent,
            "size_band": business.size_band,
            "stage": business.stage,
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
            if form.release_phone.data:
                business.device = None  # the next phone giving its name may claim it
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
            token = uploads.stage(project.id, data, filename, utcnow())
            db.session.commit()
            return redirect(url_for("businesses.preview", slug=slug, token=token))
        flash(_("Choose a CSV or XLSX file."), "error")
    return render_template(
        "businesses/import.html", project=project, form=form, headers=service.column_headers()
    )


def _plan(project: Project, token: str) -> tuple[service.Plan | None, str | None, str]:
    staged = uploads.staged(project.id, token, utcnow())
    if staged is None:
        abort(404)
    try:
        return (
            service.plan_import(project, service.read_table(staged.data, staged.filename)),
            None,
            staged.filename,
        )
    except service.FileError as error:
        return None, error.message(), staged.filename


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
    uploads.discard(project.id, token)
    db.session.commit()
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


PAIRINGS_PER_PAGE = 20
MARK_LABELS = {"good": _l("Marked good"), "not_relevant": _l("Marked not relevant")}


@bp.get("/projects/<slug>/pairings")
@login_required
def pairings(slug: str):
    """Each business's best partners with reasons, a page at a time; connections and status."""
    project = access.project_for(slug)
    lang = _lang()
    ideas = pairing_service.idea_texts(project)
    query = request.args.get("q", "")[:160]
    # Only this page's businesses and their partners are read: the search runs on the cache.
    found = pairing_service.pairings_page(project, query, lang, _page_number(), PAIRINGS_PER_PAGE)
    marks = pairing_service.marks(project)
    existing = {frozenset((c.a_id, c.b_id)): c for c in pairing_service.connections(project)}
    status_forms = {}
    for connection in existing.values():
        form = ConnectionForm(prefix=f"c{connection.id}", obj=connection)
        status_forms[connection.id] = form
    return render_template(
        "businesses/pairings.html",
        project=project,
        rows=found.rows,
        explain=lambda reasons: pairing_service.words(reasons, lang, ideas),
        no_partner=pairing_service.no_partner_reason,
        connected=lambda a, b: existing.get(frozenset((a, b))),
        connections=list(existing.values()),
        status_forms=status_forms,
        status_labels=STATUS_LABELS,
        connect_form=ConnectForm(),
        mark_form=MarkForm(),
        marked=lambda a, b: marks.get(frozenset((a, b))),
        marked_pairs=_marked_pairs(project, marks),
        mark_labels=MARK_LABELS,
        query=query,
        page=found.page,
        pages=found.pages,
        found=found.found,
        role=_role(),
    )


def _marked_pairs(project: Project, marks: dict) -> list[tuple[Business, Business, str]]:
    """The project's marked pairs with their businesses, by name."""
    if not marks:
        return []
    by_id = pairing_service.businesses_by_id(project, {x for pair in marks for x in pair})
    found = []
    for pair, value in marks.items():
        ends = sorted((by_id[x] for x in pair if x in by_id), key=lambda b: b.name)
        if len(ends) == 2:
            found.append((ends[0], ends[1], value))
    return sorted(found, key=lambda m: (m[0].name, m[1].name))


@bp.post("/projects/<slug>/pairings/mark")
@login_required
def mark_pair(slug: str):
    """Mark a suggested pair good or not relevant, or take the mark back; the ranking learns."""
    project = access.project_for(slug, lead=True)
    form = MarkForm()
    if not form.validate_on_submit() or not (form.a.data.isdigit() and form.b.data.isdigit()):
        abort(400)
    a, b = _business(project, int(form.a.data)), _business(project, int(form.b.data))
    try:
        if form.mark.data == "none":
            pairing_service.unmark(project, a, b)
            message = _("The mark on %(a)s and %(b)s is taken back.", a=a.name, b=b.name)
        else:
            pairing_service.mark(project, a, b, form.mark.data)
            message = _("%(a)s and %(b)s are marked.", a=a.name, b=b.name)
    except pairing_service.OutcomeError:
        abort(400)
    db.session.commit()
    flash(message, "success")
    back = {
        k: v for k, v in (("q", request.args.get("q")), ("page", request.args.get("page"))) if v
    }
    return redirect(url_for("businesses.pairings", slug=slug, **back) + f"#b{a.id}")


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


def _ecosystem(project: Project, ecosystem_id: int):
    ecosystem = pairing_service.ecosystem_of(project, ecosystem_id)
    if ecosystem is None:
        abort(404)
    return ecosystem


def _ecosystem_form(project: Project, ecosystem=None) -> EcosystemForm:
    """The form that names an ecosystem, or changes `ecosystem` (whose members stay choices)."""
    form = EcosystemForm()
    keep = [m.id for m in ecosystem.members] if ecosystem is not None else []
    form.members.choices = _business_choices(project, keep)
    return form


def _repeat_error(form: EcosystemForm, repeat: pairing_service.EcosystemRepeat) -> None:
    if repeat.same_name:
        form.name.errors.append(
            _("There is an ecosystem named %(name)s already.", name=repeat.existing.name)
        )
    else:
        form.members.errors.append(
            _(
                "The ecosystem %(name)s has two thirds or more of these members already: "
                "change it instead of naming a new one.",
                name=repeat.existing.name,
            )
        )


def _ecosystems_page(project: Project, form: EcosystemForm, editing=None, status: int = 200):
    """The ecosystems page: named ones, proposals, and the form naming or changing one."""
    lang = _lang()
    proposals = pairing_service.ecosystem_proposals(project)
    named = pairing_service.ecosystems(project)
    leader = _role() == "leader"
    return render_template(
        "businesses/ecosystems.html",
        project=project,
        proposals=proposals,
        named=named,
        idea_forms=_idea_forms(project, named) if leader else {},
        status_forms={
            e.id: EcosystemStatusForm(prefix=f"s{e.id}", formdata=None, status=e.status)
            for e in (named if leader else [])
        },
        in_use=pairing_service.ecosystems_in_use(named) if leader and named else set(),
        remove_form=ConfirmForm(),
        status_labels=ECOSYSTEM_STATUS_LABELS,
        form=form,
        editing=editing,
        explain=lambda reasons: pairing_service.words(tuple(reasons), lang, {}),
        day_label=lambda part: taxonomy.day_part_label(part, lang),
        role=_role(),
    ), status


@bp.route("/projects/<slug>/ecosystems", methods=["GET", "POST"])
@login_required
def ecosystems(slug: str):
    """Proposed ecosystems, and the named ones with their joint product; `?edit=ID` fills the
    form with a named one to change it."""
    project = access.project_for(slug, lead=request.method == "POST")
    editing = None
    wanted = request.args.get("edit", "")
    if request.method == "GET" and wanted.isdigit() and _role() == "leader":
        editing = pairing_service.ecosystem_of(project, int(wanted))
    form = _ecosystem_form(project, editing)
    if request.method == "POST":
        if form.validate_on_submit() and _saved(
            project, form, lambda *fields: pairing_service.name_ecosystem(project, *fields)
        ):
            db.session.commit()
            flash(_("The ecosystem is named."), "success")
            return redirect(url_for("businesses.ecosystems", slug=slug))
        return _ecosystems_page(project, form, None, 400)
    if editing is not None:
        form.name.data, form.product.data = editing.name, editing.product
        form.members.data = [str(m.id) for m in editing.members]
    elif request.args.get("members"):
        form.members.data = request.args.get("members", "").split(",")
    return _ecosystems_page(project, form, editing)


@bp.post("/projects/<slug>/ecosystems/<int:ecosystem_id>")
@login_required
def edit_ecosystem(slug: str, ecosystem_id: int):
    """Rename a named ecosystem, change its product idea and its members (leaders only)."""
    project = access.project_for(slug, lead=True)
    ecosystem = _ecosystem(project, ecosystem_id)
    form = _ecosystem_form(project, ecosystem)
    if form.validate_on_submit() and _saved(
        project,
        form,
        lambda *fields: pairing_service.change_ecosystem(project, ecosystem, *fields),
    ):
        db.session.commit()
        flash(_("The ecosystem is saved."), "success")
        return redirect(url_for("businesses.ecosystems", slug=slug) + f"#ecosystem-{ecosystem.id}")
    return _ecosystems_page(project, form, ecosystem, 400)


def _saved(project, form, save) -> bool:
    """Name or change an ecosystem: save(name, product, members) from the form; a refusal (it
    repeats a named one, or too few members) goes onto the form's fields and gives False."""
    try:
        save(form.name.data, form.product.data or "", _members(project, form.members.data or []))
    except pairing_service.EcosystemRepeat as repeat:
        _repeat_error(form, repeat)
    except pairing_service.OutcomeError:
        form.members.errors.append(_("Choose at least two businesses."))
    else:
        return True
    return False


@bp.post("/projects/<slug>/ecosystems/<int:ecosystem_id>/status")
@login_required
def ecosystem_status(slug: str, ecosystem_id: int):
    """Move a named ecosystem on: proposed, forming, testing, selling, active, paused, ended."""
    project = access.project_for(slug, lead=True)
    ecosystem = _ecosystem(project, ecosystem_id)
    form = EcosystemStatusForm(prefix=f"s{ecosystem.id}")
    if not form.validate_on_submit():
        abort(400)
    pairing_service.set_ecosystem_status(ecosystem, form.status.data)
    db.session.commit()
    flash(_("The ecosystem is saved."), "success")
    return redirect(url_for("businesses.ecosystems", slug=slug) + f"#ecosystem-{ecosystem.id}")


@bp.post("/projects/<slug>/ecosystems/<int:ecosystem_id>/remove")
@login_required
def remove_ecosystem(slug: str, ecosystem_id: int):
    """Remove a named ecosystem that nothing hangs on (leaders only); its businesses stay."""
    project = access.project_for(slug, lead=True)
    ecosystem = _ecosystem(project, ecosystem_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = ecosystem.name
    try:
        pairing_service.remove_ecosystem(ecosystem)
    except pairing_service.OutcomeError:
        flash(
            _(
                "%(name)s cannot be removed: ideas or a product sheet are linked to it. "
                "Set its status to Ended instead.",
                name=name,
            ),
            "error",
        )
        return redirect(url_for("businesses.ecosystems", slug=slug) + f"#ecosystem-{ecosystem.id}")
    db.session.commit()
    flash(_("The ecosystem %(name)s is removed.", name=name), "success")
    return redirect(url_for("businesses.ecosystems", slug=slug))


IDEA_LABEL = 160  # characters of an idea shown beside its checkbox


def _idea_forms(project: Project, named) -> dict[int, EcosystemIdeasForm]:
    """For each named ecosystem, the form that links it to the ideas its product grew from."""
    titles = {w.id: w.title for w in project.workshops}
    choices = []
    for idea in pairing_service.project_ideas(project):
        text = " ".join(idea.text.split())
        if len(text) > IDEA_LABEL:
            text = text[: IDEA_LABEL - 1] + "…"
        choices.append(SelectChoice(str(idea.id), f"{titles.get(idea.workshop_id, '')}: {text}"))
    forms = {}
    for ecosystem in named:
        form = EcosystemIdeasForm(prefix=f"e{ecosystem.id}", formdata=None)
        form.ideas.choices = choices
        form.ideas.data = [str(idea.id) for idea in ecosystem.ideas]
        forms[ecosystem.id] = form
    return forms


@bp.post("/projects/<slug>/ecosystems/<int:ecosystem_id>/ideas")
@login_required
def ecosystem_ideas(slug: str, ecosystem_id: int):
    """Link an ecosystem's joint product to the ideas it grew from (leaders only)."""
    project = access.project_for(slug, lead=True)
    ecosystem = _ecosystem(project, ecosystem_id)
    form = EcosystemIdeasForm(prefix=f"e{ecosystem.id}")
    if not form.validate_on_submit():
        abort(400)
    ids = [int(value) for value in form.ideas.data or () if value.isdigit()]
    pairing_service.link_ideas(project, ecosystem, ids)
    db.session.commit()
    flash(_("The ideas behind the product are saved."), "success")
    return redirect(url_for("businesses.ecosystems", slug=slug) + f"#ecosystem-{ecosystem.id}")


@bp.get("/projects/<slug>/network.<fmt>")
@login_required
def network(slug: str, fmt: str):
    """The partner network as a figure (PNG or SVG)."""
    project = access.project_for(slug)
    if fmt not in ("png", "svg"):
        abort(404)
    data = pairing_service.network_figure(
        project, fmt, _lang(), unknown_label=_("Sector not given or not recognised")
    )
    mimetype = "image/png" if fmt == "png" else "image/svg+xml"
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.route("/projects/<slug>/workshops/<int:workshop_id>/speed-meeting", methods=["GET", "POST"])
@login_required
def speed_meeting(slug: str, workshop_id: int):
    """Pair the businesses present at a workshop for a speed-meeting round."""
    project, workshop = lookup.project_workshop(slug, workshop_id, lead=True)
    form = SpeedMeetingForm()
    form.members.choices = _business_choices(project)
    chosen = None
    if request.method == "POST" and form.validate_on_submit():
        chosen = form.members.data or []
    meeting = pairing_service.speed_round(project, workshop, chosen)
    form.members.data = [str(b.id) for b in meeting.chosen]
    return render_template(
        "businesses/speed_meeting.html",
        project=project,
        workshop=workshop,
        form=form,
        present=meeting.present,
        groups=meeting.groups,
    )


# --- a participant's own profile ------------------------------------------------------------


def _phone_workshop(code: str) -> Workshop:
    workshop = lookup.by_code(code)
    if workshop is None or workshop.status == "closed":
        abort(404)
    g.project_language = workshop.project.language
    g.project_timezone = workshop.project.timezone
    return workshop


def _refusal(code: str) -> str:
    """Why a phone may not save under a name, and what to do."""
    if code == "other_device":
        return _(
            "Another phone has already saved the profile of this business: ask the process "
            "leader to change it."
        )
    return _("This business is registered already: ask the process leader to change it.")


@bp.route("/j/<code>/profile", methods=["GET", "POST"])
def phone_profile(code: str):
    """A participant fills in their business's profile from the phone; no account needed.

    The name comes first (from joining, or asked alone), so a business the leader registered
    shows its profile before the person types, and a refusal comes before they type too.
    """
    workshop = _phone_workshop(code)
    project = workshop.project
    token = devices.current_device()
    if request.method == "GET" and g.get("device_is_new"):
        # A first fetch without the phone's cookie (a link preview): counted as joined only
        # when the phone polls or saves, as on the phone page.
        participant = Participant(workshop_id=workshop.id, name="", business_name="", track=None)
    else:
        participant = participants.ensure(workshop, token)
    key = participants.device_key(token)
    mine = profiles.own_business(project, key)
    open_now = profiles.collects_profiles(workshop)
    lang = _lang()
    claim = None  # the leader's business whose profile the form shows: saving claims it
    status = 200
    if request.method == "GET":
        name = (request.args.get("name") or participant.business_name or "").strip()[:160]
        check = profiles.check_name(project, key, name) if mine is None and name else None
        if mine is not None:
            shown = profiles.shown(mine, lang)
        elif check is not None and check.claims and open_now:
            claim = check.business
            shown = profiles.shown(claim, lang)
        else:
            shown = profiles.PhoneProfile(name=name)
        form = PhoneProfileForm(data=asdict(shown))
        if check is not None and check.refused:
            form.name.errors = [_refusal(check.refused)]
    else:
        form = PhoneProfileForm()
        posted = request.form.get("claim", type=int)
        if not open_now:
            flash(_("Profiles are collected in another step."), "error")
            status = 409
        elif form.validate_on_submit():
            profile = profiles.PhoneProfile(
                name=form.name.data,
                sector=form.sector.data or "",
                offers=form.offers.data or "",
                needs=form.needs.data or "",
                municipality=form.municipality.data or "",
            )
            check = profiles.check_name(project, key, profile.name)
            if check.claims and check.business.id != posted:
                # Not shown yet: nothing is saved; the leader's profile joins what was typed.
                claim = check.business
                form = PhoneProfileForm(
                    formdata=None, data=asdict(profiles.with_stored(profile, claim, lang))
                )
                status = 409
            else:
                try:
                    profiles.save_own(workshop, participant, key, profile, claim=posted)
                except profiles.ProfileError as refused:  # the step was checked above
                    form.name.errors.append(_refusal(refused.code))
                    status = 409
                else:
                    db.session.commit()
                    flash(_("Thank you. Your profile is saved."), "success")
                    return redirect(url_for("live.join_page", code=workshop.join_code))
        else:
            status = 400
            check = profiles.check_name(project, key, form.name.data or "")
            if check.claims and check.business.id == posted:
                claim = check.business
    db.session.commit()  # the participant row
    return render_template(
        "businesses/phone_profile.html",
        workshop=workshop,
        form=form,
        open_now=open_now,
        mine=mine,
        claim=claim,
        # The name alone while there is none, or when it was refused (try another, or ask).
        ask_name=request.method == "GET"
        and mine is None
        and (not form.name.data or bool(form.name.errors)),
        labels=_labels,
    ), status
