"""Pages: building forms (leaders), results and exports (leaders, viewers), answering (anyone)."""

from __future__ import annotations

from pathlib import Path

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from app.extensions import db
from evaluations import builder, charts, export, responses, results, store
from evaluations.forms import (
    KIND_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    CopyForm,
    EditQuestionForm,
    NewFormForm,
    OptionForm,
    QuestionForm,
    SettingsForm,
)
from evaluations.models import EvaluationForm, Option, Question
from workshops import heavy, spreadsheets
from workshops.devices import current_device
from workshops.live import reach
from workshops.programme import lookup
from workshops.programme.models import Workshop
from workshops.projects import access
from workshops.projects.models import Project

bp = Blueprint(
    "evaluations",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/evaluations/static",
)
bp.add_app_template_filter(charts.sentence, "sentence")
# Forms with a prefix would look for a prefixed token; CSRFProtect checks every POST anyway.
_GLOBAL_CSRF = {"csrf": False}
CHART_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


# ---- helpers -------------------------------------------------------------------------------


def _lang() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _threshold() -> int:
    return results.min_responses()


def chart_cache() -> results.ChartCache:
    """This app's chart image cache (in memory; the chart files older versions left in the
    instance folder are deleted when it is made)."""
    cache = current_app.extensions.get("kraftverk.chart_cache")
    if cache is None:
        folder = Path(current_app.instance_path) / "cache" / "charts"
        cache = current_app.extensions.setdefault(
            "kraftverk.chart_cache", results.ChartCache(folder)
        )
    return cache


def _form_of(project: Project, form_id: int) -> EvaluationForm:
    form = db.session.get(EvaluationForm, form_id)
    if form is None or form.project_id != project.id:
        abort(404)
    return form


def _question_of(form: EvaluationForm, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.form_id != form.id:
        abort(404)
    return question


def _option_of(form: EvaluationForm, option_id: int) -> Option:
    option = db.session.get(Option, option_id)
    if option is None or option.question.form_id != form.id:
        abort(404)
    return option


def _workshops(project: Project) -> list[Workshop]:
    return list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.project_id == project.id)
            .order_by(Workshop.position, Workshop.starts_at, Workshop.id)
        )
    )


def _workshop_choices(project: Project) -> list[tuple[int, str]]:
    return [(0, _("The whole project"))] + [(w.id, w.title) for w in _workshops(project)]


def _workshop_or_none(project: Project, workshop_id: int | None) -> Workshop | None:
    return lookup.workshop_of(project, workshop_id) if workshop_id else None


def public_link(form: EvaluationForm) -> str:
    """The /e/TOKEN link as phones should open it: PUBLIC_URL when set, else this host."""
    return f"{reach.public_base()}/e/{form.token}"


def qr_svg(url: str, label: str) -> Markup:
    """An inline SVG QR code of `url` (segno draws paths only: no script, no external refs)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=8, border=2, dark="#1d2428", light="#ffffff", omitsize=True
    )
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1)
    # segno's own markup; the label is escaped above.
    return Markup(labelled)  # noqa: S704  # nosec B704


def _built(action, *args, **kwargs) -> bool:
    """Run a builder action; on a BuildError, roll back and flash why."""
    try:
        action(*args, **kwargs)
    except builder.BuildError as error:
        db.session.rollback()
        flash(builder.problem_message(error.code), "error")
        return False
    db.session.commit()
    return True


def _back(project: Project, form: EvaluationForm, anchor: str = ""):
    url = url_for("evaluations.form_page", slug=project.slug, form_id=form.id)
    return redirect(url + (f"#{anchor}" if anchor else ""), 303)


def _rows_refusal(responses: int) -> str | None:
    """Why the answers are not offered one response per row to this user, or None if they are."""
    if g.project_role != "leader":
        return _("Only the project's leaders can download the answers one response per row.")
    threshold = _threshold()
    if not export.rows_allowed(responses, threshold):
        return ngettext(
            "The answers can be downloaded one response per row once the form has %(num)s "
            "response, so that nobody can be singled out.",
            "The answers can be downloaded one response per row once the form has %(num)s "
            "responses, so that nobody can be singled out.",
            threshold,
        )
    return None


def _no_charts() -> str:
    return _("There are no charts to download: no question has enough answers to show yet.")


def _leader_projects() -> list[Project]:
    return [p for p, role in access.projects_of(current_user) if role == "leader"]


# ---- the project's forms -------------------------------------------------------------------


@bp.get("/projects/<slug>/evaluations")
@login_required
def index(slug: str):
    """The project's forms, with counts, and (for leaders) how to start or copy one."""
    project = access.project_for(slug)
    forms = list(
        db.session.scalars(
            select(EvaluationForm)
            .where(EvaluationForm.project_id == project.id)
            .order_by(EvaluationForm.created_at, EvaluationForm.id)
        )
    )
    workshops = {w.id: w for w in _workshops(project)}
    counts = {form.id: builder.response_count(form) for form in forms}
    new_form = copy_form = None
    if g.project_role == "leader":
        new_form = NewFormForm(language=project.language)
        new_form.workshop.choices = _workshop_choices(project)
        copy_form = CopyForm()
        copy_form.source.choices = _copy_choices()
        copy_form.workshop.choices = new_form.workshop.choices
    return render_template(
        "evaluations/index.html",
        project=project,
        forms=forms,
        workshops=workshops,
        counts=counts,
        new_form=new_form,
        copy_form=copy_form,
        lang=_lang(),
        text_in=builder.text_in,
        status_labels=STATUS_LABELS,
        kind_labels=KIND_LABELS,
    )


def _copy_choices() -> list[tuple[int, str]]:
    choices = []
    lang = _lang()
    for project in _leader_projects():
        for form in db.session.scalars(
            select(EvaluationForm)
            .where(EvaluationForm.project_id == project.id)
            .order_by(EvaluationForm.id)
        ):
            choices.append(
                (form.id, f"{project.name}: {builder.text_in(form.title, lang, form.language)}")
            )
    return choices


@bp.post("/projects/<slug>/evaluations/new")
@login_required
def new(slug: str):
    """Start a form from template A or B, or empty."""
    project = access.project_for(slug, lead=True)
    form = NewFormForm()
    form.workshop.choices = _workshop_choices(project)
    if not form.validate_on_submit():
        flash(_("Check the form: %(problems)s", problems=_errors(form)), "error")
        return redirect(url_for("evaluations.index", slug=slug), 303)
    workshop = _workshop_or_none(project, form.workshop.data)
    if form.source.data in ("A", "B"):
        created = builder.from_template(
            project, form.source.data, workshop=workshop, language=form.language.data
        )
    else:
        title = form.title.data or _("Evaluation")
        created = builder.empty(project, title, workshop=workshop, language=form.language.data)
    db.session.commit()
    flash(_("The form is created as a draft."), "success")
    return _back(project, created)


@bp.post("/projects/<slug>/evaluations/copy")
@login_required
def copy(slug: str):
    """Copy a form (questions only) from a project the leader leads."""
    project = access.project_for(slug, lead=True)
    form = CopyForm()
    form.source.choices = _copy_choices()
    form.workshop.choices = _workshop_choices(project)
    if not form.validate_on_submit():
        flash(_("Choose a form to copy."), "error")
        return redirect(url_for("evaluations.index", slug=slug), 303)
    source = db.session.get(EvaluationForm, form.source.data)
    if source is None or source.project_id not in {p.id for p in _leader_projects()}:
        abort(404)
    created = builder.copy(source, project, workshop=_workshop_or_none(project, form.workshop.data))
    db.session.commit()
    flash(_("The form is copied as a draft."), "success")
    return _back(project, created)


def _errors(form) -> str:
    return "; ".join(
        f"{getattr(form, name).label.text}: {' '.join(errs)}" for name, errs in form.errors.items()
    )


# ---- one form: build, open, close, show ----------------------------------------------------


@bp.get("/projects/<slug>/evaluations/<int:form_id>")
@login_required
def form_page(slug: str, form_id: int):
    """A form: its link and QR code, its questions (editable while a draft), its status."""
    project = access.project_for(slug)
    form = _form_of(project, form_id)
    if g.project_role == "leader" and builder.follow_programme(form):
        db.session.commit()  # a draft shows the workshop's steps and name as they are now
    count = builder.response_count(form)
    settings = SettingsForm(
        title=builder.text_in(form.title, form.language, form.language),
        workshop=form.workshop_id or 0,
    )
    settings.workshop.choices = _workshop_choices(project)
    link = public_link(form)
    return render_template(
        "evaluations/form.html",
        project=project,
        form=form,
        count=count,
        editable=g.project_role == "leader" and form.status == "draft" and not count,
        is_leader=g.project_role == "leader",
        rows_refusal=_rows_refusal(count),
        charts_offered=count >= _threshold(),  # no question can have enough answers before
        settings=settings,
        question_form=QuestionForm(),
        link=link,
        qr=qr_svg(link, _("QR code for %(link)s", link=link)),
        problems=builder.problems(form),
        problem_message=builder.problem_message,
        workshop=db.session.get(Workshop, form.workshop_id) if form.workshop_id else None,
        lang=_lang(),
        text_in=builder.text_in,
        status_labels=STATUS_LABELS,
        kind_labels=KIND_LABELS,
        type_labels=TYPE_LABELS,
    )


@bp.get("/projects/<slug>/evaluations/<int:form_id>/show")
@login_required
def show(slug: str, form_id: int):
    """The link and a large QR code, for the wall or the end of a workshop."""
    project = access.project_for(slug)
    form = _form_of(project, form_id)
    link = public_link(form)
    return render_template(
        "evaluations/show.html",
        project=project,
        form=form,
        link=link,
        qr=qr_svg(link, _("QR code for %(link)s", link=link)),
        title=builder.text_in(form.title, _lang(), form.language),
    )


@bp.post("/projects/<slug>/evaluations/<int:form_id>/settings")
@login_required
def settings(slug: str, form_id: int):
    """Rename a form or attach it to another workshop."""
    project = access.project_for(slug, lead=True)
    form = _form_of(project, form_id)
    data = SettingsForm()
    data.workshop.choices = _workshop_choices(project)
    if not data.validate_on_submit():
        flash(_("Check the form: %(problems)s", problems=_errors(data)), "error")
        return _back(project, form)
    workshop = _workshop_or_none(project, data.workshop.data)
    if data.title.data.strip() != builder.text_in(form.title, form.language, form.language):
        builder.set_title(form, data.title.data)
    form.workshop_id = workshop.id if workshop else None
    db.session.commit()
    flash(_("The changes are saved."), "success")
    return _back(project, form)


@bp.post("/projects/<slug>/evaluations/<int:form_id>/status")
@login_required
def status(slug: str, form_id: int):
    """Open or close a form."""
    project = access.project_for(slug, lead=True)
    form = _form_of(project, form_id)
    action = request.form.get("action", "")
    if _built(builder.set_status, form, action):
        flash(
            _("The form is open: share the link or the QR code.")
            if action == "open"
            else _("The form is closed."),
            "success",
        )
    return _back(project, form)


@bp.post("/projects/<slug>/evaluations/<int:form_id>/delete")
@login_required
def delete(slug: str, form_id: int):
    """Delete a form that has no answers."""
    project = access.project_for(slug, lead=True)
    form = _form_of(project, form_id)
    if _built(builder.delete, form):
        flash(_("The form is deleted."), "success")
        return redirect(url_for("evaluations.index", slug=slug), 303)
    return _back(project, form)


@bp.post("/projects/<slug>/evaluations/<int:form_id>/questions")
@login_required
def add_question(slug: str, form_id: int):
    """Append a question."""
    project = access.project_for(slug, lead=True)
    form = _form_of(project, form_id)
    data = QuestionForm()
    if not data.validate_on_submit():
        flash(_("Check the form: %(problems)s", problems=_errors(data)), "error")
        return _back(project, form, "add-question")
    _built(
        builder.add_question,
        form,
        data.type.data,
        data.text.data,
        required=data.required.data,
        max_choices=data.max_choices.data,
        scale_set=data.scale.data,
    )
    return _back(project, form, "add-question")


@bp.post("/projects/<slug>/evaluations/<int:form_id>/questions/<int:question_id>")
@login_required
def edit_question(slug: str, form_id: int, question_id: int):
    """Change a question, or move or remove it (the button pressed says which)."""
    project = access.project_for(slug, lead=True)
    form = _form_of(project, form_id)
    question = _question_of(form, question_id)
    action = request.form.get("action", "save")
    anchor = f"question-{question.id}"
    if action in ("up", "down"):
        _built(builder.move_question, question, action)
    elif action == "delete":
        _built(builder.remove_question, question)
        anchor = "questions"
    else:
        data = EditQuestionForm(prefix=f"q{question.id}", meta=_GLOBAL_CSRF)
        if not data.validate_on_submit():
            flash(_("Check the form: %(problems)s", problems=_errors(data)), "error")
        else:
            _built(
                builder.edit_question,
                question,
                data.text.data,
                required=data.required.data,
                max_choices=data.max_choices.data,
            )
    return _back(project, form, anchor)


@bp.post("/projects/<slug>/evaluations/<int:form_id>/questions/<int:question_id>/options")
@login_required
def add_option(slug: str, form_id: int, question_id: int):
    """Append an option to a choice question."""
    project = access.project_for(slug, lead=True)
    form = _form_of(project, form_id)
    question = _question_of(form, question_id)
    data = OptionForm(prefix=f"q{question.id}-new", meta=_GLOBAL_CSRF)
    if not data.validate_on_submit():
        flash(_("Check the form: %(problems)s", problems=_errors(data)), "error")
    else:
        _built(builder.add_option, question, data.text.data)
    return _back(project, form, f"question-{question.id}")


@bp.post("/projects/<slug>/evaluations/<int:form_id>/options/<int:option_id>")
@login_required
def edit_option(slug: str, form_id: int, option_id: int):
    """Change, move or remove an option."""
    project = access.project_for(slug, lead=True)
    form = _form_of(project, form_id)
    option = _option_of(form, option_id)
    anchor = f"question-{option.question_id}"
    action = request.form.get("action", "save")
    if action in ("up", "down"):
        _built(builder.move_option, option, action)
    elif action == "delete":
        _built(builder.remove_option, option)
    else:
        data = OptionForm(prefix=f"o{option.id}", meta=_GLOBAL_CSRF)
        if not data.validate_on_submit():
            flash(_("Check the form: %(problems)s", problems=_errors(data)), "error")
        else:
            _built(builder.edit_option, option, data.text.data)
    return _back(project, form, anchor)


# ---- results and exports -------------------------------------------------------------------


def _results(form: EvaluationForm, only: int | None = None) -> results.FormResults:
    return results.form_results(
        form, _lang(), threshold=_threshold(), rate_label=_("response rate"), only=only
    )


@bp.get("/projects/<slug>/evaluations/<int:form_id>/results")
@login_required
@heavy.limited
def results_page(slug: str, form_id: int):
    """Each question's pie or bars with its data table, or its texts, or "too few answers"."""
    project = access.project_for(slug)
    form = _form_of(project, form_id)
    found = _results(form)
    return render_template(
        "evaluations/results.html",
        project=project,
        form=form,
        results=found,
        rows_refusal=_rows_refusal(found.responses),
        charts_refusal=None if export.has_charts(found) else _no_charts(),
        type_labels=TYPE_LABELS,
        status_labels=STATUS_LABELS,
    )


@bp.get("/projects/<slug>/evaluations/<int:form_id>/charts/<int:question_id>.<fmt>")
@login_required
def chart(slug: str, form_id: int, question_id: int, fmt: str):
    """One question's chart as PNG (slides) or SVG (the report), drawn once per content."""
    project = access.project_for(slug)
    form = _form_of(project, form_id)
    if fmt not in CHART_TYPES:
        abort(404)
    found = _results(form, only=question_id).question(question_id)
    if found is None or found.chart is None:
        abort(404)
    key = f"{found.chart_key}.{fmt}"
    if request.if_none_match.contains_weak(key):
        return "", 304
    response = make_response(chart_cache().get(found.chart, fmt))
    response.headers["Content-Type"] = CHART_TYPES[fmt]
    response.set_etag(key)
    immutable = request.args.get("v") == found.chart_key
    response.headers["Cache-Control"] = (
        "private, max-age=31536000, immutable" if immutable else "private, no-cache"
    )
    if request.args.get("download"):
        name = f"{export.file_slug(found.title)}.{fmt}"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _download(data: bytes, mimetype: str, name: str):
    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _export_name(project: Project, form: EvaluationForm, ext: str) -> str:
    return f"{project.slug}-evaluation-{form.id}.{ext}"


def _answer_rows(project: Project, form: EvaluationForm) -> tuple[list[str], list[list]] | None:
    """The rows to export, or None (with a flash saying why) when the form has too few."""
    refusal = _rows_refusal(builder.response_count(form))
    if refusal:
        flash(refusal, "error")
        return None
    return export.answer_rows(
        form, _lang(), _("Date"), threshold=_threshold(), hidden_label=_("Too few answers to show")
    )


def _to_results(project: Project, form: EvaluationForm):
    return redirect(url_for("evaluations.results_page", slug=project.slug, form_id=form.id), 303)


@bp.get("/projects/<slug>/evaluations/<int:form_id>/export.csv")
@login_required
@heavy.limited
def export_csv(slug: str, form_id: int):
    """The anonymous answers as CSV, one row per response (leaders, from the threshold on)."""
    project = access.project_for(slug, lead=True)
    form = _form_of(project, form_id)
    found = _answer_rows(project, form)
    if found is None:
        return _to_results(project, form)
    return _download(
        spreadsheets.to_csv(*found),
        "text/csv; charset=utf-8",
        _export_name(project, form, "csv"),
    )


@bp.get("/projects/<slug>/evaluations/<int:form_id>/export.xlsx")
@login_required
@heavy.limited
def export_xlsx(slug: str, form_id: int):
    """The anonymous answers as an XLSX workbook (leaders, from the threshold on)."""
    project = access.project_for(slug, lead=True)
    form = _form_of(project, form_id)
    found = _answer_rows(project, form)
    if found is None:
        return _to_results(project, form)
    title = builder.text_in(form.title, _lang(), form.language)
    return _download(
        spreadsheets.to_xlsx(*found, spreadsheets.sheet_title(title, "Answers")),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _export_name(project, form, "xlsx"),
    )


@bp.get("/projects/<slug>/evaluations/<int:form_id>/charts.zip")
@login_required
@heavy.limited
def charts_zip(slug: str, form_id: int):
    """Every chart of the results page as PNG, in a ZIP (the results page says when there is
    none, rather than an empty ZIP)."""
    project = access.project_for(slug)
    form = _form_of(project, form_id)
    found = _results(form)
    if not export.has_charts(found):
        flash(_no_charts(), "error")
        return _to_results(project, form)
    cache = chart_cache()
    data = export.charts_zip(found, lambda c: cache.get(c, "png"), export.file_slug)
    return _download(data, "application/zip", _export_name(project, form, "zip"))


@bp.get("/projects/<slug>/evaluations/compare")
@login_required
def compare(slug: str):
    """Form A across the workshops: how useful, room for ideas, follow-up, side by side."""
    project = access.project_for(slug)
    comparison = results.compare(
        project, _lang(), threshold=_threshold(), rate_label=_("response rate")
    )
    return render_template("evaluations/compare.html", project=project, comparison=comparison)


# ---- answering -----------------------------------------------------------------------------


def _answering(token: str, *, drafts: bool = False) -> EvaluationForm:
    form = responses.form_by_token(token, drafts=drafts)
    if form is None:
        abort(404)
    g.project_language = form.language  # the fallback when the browser names no language we have
    refresh()
    current_device()  # the cookie that makes "one response per device" hold
    return form


def _answer_page(form: EvaluationForm, *, values=None, problems=(), status: int = 200):
    lang = _lang()
    by_question = {}
    general = []
    summary = []
    for problem in problems:
        message = responses.problem_message(problem, form, lang)
        if problem.question_id is None:
            general.append(message)
        else:
            summary.append((problem.question_id, message))
            by_question[problem.question_id] = responses.problem_message(
                problem, form, lang, named=False
            )
    return (
        render_template(
            "evaluations/answer.html",
            form=form,
            lang=lang,
            text_in=builder.text_in,
            values=values or {},
            errors=by_question,
            summary=summary,
            general=general,
        ),
        status,
    )


def _notice(form: EvaluationForm, kind: str, status: int = 200):
    # After answering, the way back to the workshop's phone page while the workshop runs.
    back = None
    if kind in ("thanks", "already") and form.workshop_id is not None:
        workshop = db.session.get(Workshop, form.workshop_id)
        if workshop is not None and workshop.status in ("live", "paused"):
            back = url_for("live.join_page", code=workshop.join_code)
    return (
        render_template(
            "evaluations/notice.html",
            form=form,
            kind=kind,
            back=back,
            title=builder.text_in(form.title, _lang(), form.language),
        ),
        status,
    )


@bp.route("/e/<token>", methods=["GET", "POST"])
def answer(token: str):
    """The form on one page, in the respondent's language; a plain POST form, no script needed.

    A POST that stores takes the same path as the JSON API (api.post_answers): on PostgreSQL one
    statement, committed alone, after the first answer in this process; on SQLite one query
    before the write and the commit. The form itself is loaded only to show a page (a problem,
    not open yet, closed, already answered); whether the device has answered is read first only
    when the answers have problems.
    """
    if request.method == "GET":
        form = _answering(token, drafts=True)
        if form.status in ("draft", "closed"):  # a QR code shown early: "not open yet"
            return _notice(form, form.status)
        if responses.has_answered(form, current_device()):
            return _notice(form, "already")
        return _answer_page(form)
    store.statements_commit_alone()  # PostgreSQL: the write is one statement, committed alone
    found = responses.answering(token)
    if found is None or found.status == "closed":
        form = _answering(token, drafts=True)  # 404 when there is none
        return _notice(form, "draft" if form.status == "draft" else "closed", 409)
    device = current_device()  # the cookie that makes "one response per device" hold
    answers = responses.from_post(found, request.form)
    checked, problems = responses.check(found, answers)
    if problems:
        form = _answering(token)
        if form.status == "closed":  # closed since answering() read it (PostgreSQL's copy)
            return _notice(form, "closed", 409)
        if responses.has_answered(form, device):
            return _notice(form, "already", 409)
        return _answer_page(form, values=answers, problems=problems, status=422)
    try:
        responses.submit(found, checked, device, open_only=True)
        responses.commit_response()
    except responses.FormClosed:
        return _notice(_answering(token), "closed", 409)
    except responses.AlreadyAnswered:
        return _notice(_answering(token), "already", 409)
    return redirect(url_for("evaluations.thanks", token=token), 303)


@bp.get("/e/<token>/thanks")
def thanks(token: str):
    """Thank the respondent."""
    form = _answering(token)
    return _notice(form, "thanks")
