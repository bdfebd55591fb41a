"""JSON API for answering: GET /api/v1/evaluations/TOKEN and POST its answers (INTERFACES.md)."""

from __future__ import annotations

from flask import Blueprint, g
from flask_babel import get_locale, refresh
from flask_babel import gettext as _

from evaluations import builder, responses, store
from evaluations.models import EvaluationForm
from workshops.devices import current_device
from workshops.http import api_abort, json_body

bp = Blueprint("evaluations_api", __name__, url_prefix="/api/v1/evaluations")


def _form(token: str) -> EvaluationForm:
    return _found(responses.form_by_token(token))


def _found(form):
    """The form, with its language the fallback for messages; 404 when there is none."""
    if form is None:
        api_abort(404, "not_found", _("No open evaluation form has this link."))
    g.project_language = form.language
    refresh()
    return form


def _closed(form) -> None:
    _found(form)
    api_abort(409, "form_closed", _("This evaluation form is closed."))


def _lang(form: EvaluationForm) -> str:
    return str(get_locale() or form.language)


def form_json(form: EvaluationForm, lang: str) -> dict:
    """The form as INTERFACES.md describes it, in `lang` with the form's language as fallback."""
    questions = []
    for question in form.questions:
        item = {
            "id": str(question.id),
            "type": question.type,
            "text": builder.text_in(question.text, lang, form.language),
            "required": question.required,
            "options": [
                {
                    "id": option.key if question.type == "scale" else str(option.id),
                    "text": builder.text_in(option.text, lang, form.language),
                }
                for option in question.options
            ],
        }
        if question.type == "multiple" and question.max_choices:
            item["max_choices"] = question.max_choices
        questions.append(item)
    return {
        "title": builder.text_in(form.title, lang, form.language),
        "intro": builder.text_in(form.intro, lang, form.language),
        "status": form.status,
        "language": lang,
        "questions": questions,
    }


@bp.get("/<token>")
def get_form(token: str):
    """The form's questions and options (open or closed; a draft is not found)."""
    form = _form(token)
    current_device()
    return form_json(form, _lang(form))


@bp.post("/<token>")
def post_answers(token: str):
    """Store one response per device: 201, or 409 already_answered / form_closed, or 422.

    On PostgreSQL an answer is one round trip to the database: the form's id comes from
    responses.answering()'s per-process copy (after its first answer in this process), the
    questions from responses.asked()'s, and one statement, committed alone, checks that the form
    is open and writes the receipt and the response. On SQLite one query (the form's id, status
    and language with its project's time zone) comes before the write. Only when the answers have
    problems is the receipt set read first, so such a device still gets its 409 rather than a 422,
    and the form itself loaded for the messages.
    """
    store.statements_commit_alone()  # PostgreSQL: the write is one statement, committed alone
    form = responses.answering(token)
    if form is None:
        _found(None)
    data = json_body()
    if form.status == "closed":
        _closed(form)
    device = current_device()
    checked, problems = responses.check(form, data.get("answers", {}))
    if problems:
        loaded = _form(token)
        if loaded.status == "closed":  # closed since answering() read it (PostgreSQL's copy)
            _closed(loaded)
        if responses.has_answered(loaded, device):
            api_abort(409, "already_answered", _("This device has already answered this form."))
        lang = _lang(loaded)
        messages = [responses.problem_message(p, loaded, lang) for p in problems]
        error = {
            "error": "invalid_answers",
            "message": messages[0],
            "problems": [
                {"question": str(p.question_id) if p.question_id else None, "message": m}
                for p, m in zip(problems, messages, strict=True)
            ],
        }
        return error, 422
    try:
        responses.submit(form, checked, device, open_only=True)
        responses.commit_response()  # before answering: a 201 promises the answers are stored
    except responses.FormClosed:
        _closed(_form(token))  # 404 when it was deleted
    except responses.AlreadyAnswered:
        _found(form)
        api_abort(409, "already_answered", _("This device has already answered this form."))
    return {"status": "stored"}, 201


ANSWER_VALUE = {
    "oneOf": [
        {"type": "string"},
        {"type": "integer", "minimum": 1, "maximum": 5},
        {"type": "array", "items": {"type": "string"}},
    ]
}


def openapi(spec: dict) -> None:
    """Add the evaluation endpoints to the OpenAPI description."""
    error = {"$ref": "#/components/schemas/Error"}
    json_error = {"application/json": {"schema": error}}
    spec["components"]["schemas"]["EvaluationForm"] = {
        "type": "object",
        "required": ["title", "status", "questions"],
        "properties": {
            "title": {"type": "string"},
            "status": {"type": "string", "enum": ["open", "closed"]},
            "questions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "type", "text", "required", "options"],
                    "properties": {
                        "id": {"type": "string"},
                        "type": {
                            "type": "string",
                            "enum": ["single", "yesno", "scale", "multiple", "text"],
                        },
                        "text": {"type": "string"},
                        "required": {"type": "boolean"},
                        "max_choices": {"type": "integer"},
                        "options": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "string"},
                                    "text": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    }
    token = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
    spec["paths"]["/evaluations/{token}"] = {
        "parameters": [token],
        "get": {
            "summary": "An open or closed evaluation form, in the client's language",
            "responses": {
                "200": {
                    "description": "The form",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/EvaluationForm"}
                        }
                    },
                },
                "404": {"description": "Unknown token or a draft form", "content": json_error},
                "503": {"description": "Database busy: retry", "content": json_error},
            },
        },
        "post": {
            "summary": "Answer the form: one response per device",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "answers": {
                                    "type": "object",
                                    "additionalProperties": ANSWER_VALUE,
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {
                    "description": "Stored",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["status"],
                                "properties": {"status": {"type": "string", "enum": ["stored"]}},
                            }
                        }
                    },
                },
                "400": {"description": "invalid_json", "content": json_error},
                "404": {"description": "Unknown token or a draft form", "content": json_error},
                "409": {
                    "description": "already_answered or form_closed",
                    "content": json_error,
                },
                "413": {"description": "Body over the size limit", "content": json_error},
                "415": {"description": "Not JSON", "content": json_error},
                "422": {"description": "invalid_answers", "content": json_error},
                "503": {"description": "Database busy: retry", "content": json_error},
            },
        },
    }
