"""Forms for the programme: workshops and steps."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

VISIBILITY_CHOICES = [
    SelectChoice("open", _l("Open: participants see the whole agenda")),
    SelectChoice("stepwise", _l("Step by step: participants see the steps reached so far")),
    SelectChoice("hidden", _l("Hidden: participants see only the current step")),
]


class WorkshopForm(FlaskForm):
    """A workshop's details."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=160)])
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    duration_minutes = IntegerField(
        _l("Length in minutes"),
        description=_l("Empty: the sum of the steps."),
        validators=[Optional(), NumberRange(min=5, max=24 * 60)],
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    online_url = URLField(
        _l("Online link"), validators=[Optional(), Length(max=500), URL(require_tld=False)]
    )
    visibility = SelectField(_l("Agenda for participants"), choices=VISIBILITY_CHOICES)
    is_public = BooleanField(_l("Show in the public calendar"))


class NewWorkshopForm(FlaskForm):
    """Add a workshop from a method template or empty."""

    template = SelectField(_l("Start from"), choices=[])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=160)])


class CopyWorkshopForm(FlaskForm):
    """Copy a workshop from this or another project the leader leads."""

    source = SelectField(_l("Workshop to copy"), choices=[], coerce=int)


COLLECT_LABELS = {
    "nothing": _l("Nothing"),
    "ideas": _l("Ideas"),
    "votes": _l("Votes"),
    "interests": _l("Interest in ideas"),
    "pairings": _l("Pairings"),
    "profiles": _l("Business profiles"),
    "connections": _l("Connections"),
    "products": _l("Product sheets"),
    "evaluation": _l("Evaluation"),
}


class StepForm(FlaskForm):
    """One step of a programme, as the leader edits it."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    # InputRequired, not DataRequired: 0 is an answer, which the range refuses with its reason.
    minutes = IntegerField(_l("Minutes"), validators=[InputRequired(), NumberRange(min=1, max=240)])
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=2000)])
    prompt = TextAreaField(_l("Prompt for participants"), validators=[Optional(), Length(max=1000)])
    notes = TextAreaField(
        _l("Notes for the facilitator"), validators=[Optional(), Length(max=4000)]
    )
    collects = SelectMultipleField(
        _l("What this step collects"),
        choices=[SelectChoice(k, v) for k, v in COLLECT_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    fixed = BooleanField(_l("Fixed length (not shortened when the day runs late)"))
    tracks = TextAreaField(
        _l("Parallel groups"),
        description=_l("One group per line: title | prompt. Leave empty for the whole room."),
        validators=[Optional(), Length(max=4000)],
    )

    def validate_collects(self, field: SelectMultipleField) -> None:
        """Refuse "Nothing" ticked beside something to collect: it means nothing else."""
        if "nothing" in (field.data or []) and len(set(field.data)) > 1:
            raise ValidationError(
                _l("Untick “Nothing” to collect something, or untick the others.")
            )


class StepActionForm(FlaskForm):
    """Only the CSRF token: move or remove a step or a workshop."""
