"""Forms for building evaluation forms (the answering page builds its own fields from data)."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from evaluations.builder import MAX_TEXT, SCALE_SETS, text_in
from method.evaluation_templates import templates

TYPE_LABELS = {
    "single": _l("Single choice"),
    "yesno": _l("Yes / no"),
    "scale": _l("Scale 1-5"),
    "multiple": _l("Multiple choice"),
    "text": _l("Free text"),
}
STATUS_LABELS = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed")}
KIND_LABELS = {
    "A": _l("Form A: after a workshop"),
    "B": _l("Form B: end of the process"),
    "custom": _l("Own form"),
}
LANGUAGE_CHOICES = [
    SelectChoice("nb", "Norsk bokmål"),
    SelectChoice("sv", "Svenska"),
    SelectChoice("da", "Dansk"),
    SelectChoice("fi", "Suomi"),
    SelectChoice("en", "English"),
]


def scale_choices() -> list[SelectChoice]:
    """Each scale's two ends in the user's language, worded as the scale's own options are."""
    lang = str(get_locale() or "nb")
    choices = []
    for key in SCALE_SETS:
        labels = templates().scales[key]
        ends = (text_in(labels[0].text, lang), text_in(labels[-1].text, lang))
        choices.append(SelectChoice(key, " … ".join(ends)))
    return choices


class NewFormForm(FlaskForm):
    """Start a form: from template A or B, or empty; for a workshop or the whole project."""

    source = SelectField(
        _l("Start from"),
        choices=[
            SelectChoice("A", KIND_LABELS["A"]),
            SelectChoice("B", KIND_LABELS["B"]),
            SelectChoice("custom", _l("An empty form")),
        ],
    )
    title = StringField(
        _l("Title (for an empty form)"), validators=[Optional(), Length(max=MAX_TEXT)]
    )
    workshop = SelectField(_l("For"), coerce=int)
    language = SelectField(_l("Main language"), choices=LANGUAGE_CHOICES)


class CopyForm(FlaskForm):
    """Copy a form from another project the leader leads."""

    # Own ids: the page holds the new-form form too, whose fields have the same names.
    source = SelectField(_l("Form to copy"), coerce=int, id="copy-source")
    workshop = SelectField(_l("For"), coerce=int, id="copy-workshop")


class SettingsForm(FlaskForm):
    """A form's title and the workshop it belongs to."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    workshop = SelectField(_l("For"), coerce=int)


class QuestionForm(FlaskForm):
    """A new question."""

    type = SelectField(
        _l("Type"), choices=[SelectChoice(k, label) for k, label in TYPE_LABELS.items()]
    )
    text = StringField(_l("Question"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    required = BooleanField(_l("An answer is required"))
    max_choices = IntegerField(
        _l("At most this many choices (multiple choice)"),
        validators=[Optional(), NumberRange(min=1, max=20)],
    )
    scale = SelectField(_l("Scale labels (scale questions)"), choices=scale_choices)


class EditQuestionForm(FlaskForm):
    """Change a question's text, whether it is required, and its most choices."""

    text = StringField(_l("Question"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    required = BooleanField(_l("An answer is required"))
    max_choices = IntegerField(
        _l("At most this many choices"), validators=[Optional(), NumberRange(min=1, max=20)]
    )


class OptionForm(FlaskForm):
    """An option's text."""

    text = StringField(_l("Option"), validators=[DataRequired(), Length(max=MAX_TEXT)])
