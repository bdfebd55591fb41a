"""Forms for projects, members, workshops, steps and the live console."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from workshops.models import TARGET_KINDS

TARGET_LABELS = {
    "attendees": _l("Attendees"),
    "businesses": _l("Businesses"),
    "ideas": _l("Ideas"),
    "connections": _l("Connections"),
    "ecosystems": _l("Ecosystems"),
}


class ProjectForm(FlaskForm):
    """A project's name, place, language and targets."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    slug = StringField(
        _l("Short name in addresses"),
        description=_l("2 to 40 characters: a-z, digits and hyphens, e.g. slusedal-2027."),
        validators=[
            DataRequired(),
            Length(min=2, max=40),
            Regexp(r"^[a-z0-9-]+$", message=_l("Use lower-case letters a-z, digits and hyphens.")),
        ],
    )
    municipality = StringField(
        _l("Municipality or region"), validators=[Optional(), Length(max=120)]
    )
    description = TextAreaField(
        _l("Background and goals"), validators=[Optional(), Length(max=5000)]
    )
    language = SelectField(
        _l("Language of reports and e-mails"),
        choices=[
            SelectChoice("nb", "Norsk bokmål"),
            SelectChoice("sv", "Svenska"),
            SelectChoice("da", "Dansk"),
            SelectChoice("fi", "Suomi"),
            SelectChoice("en", "English"),
        ],
    )
    timezone = StringField(
        _l("Time zone"), default="Europe/Oslo", validators=[DataRequired(), Length(max=64)]
    )
    target_attendees = IntegerField(
        TARGET_LABELS["attendees"], default=0, validators=[NumberRange(min=0, max=100_000)]
    )
    target_businesses = IntegerField(
        TARGET_LABELS["businesses"], default=0, validators=[NumberRange(min=0, max=100_000)]
    )
    target_ideas = IntegerField(
        TARGET_LABELS["ideas"], default=0, validators=[NumberRange(min=0, max=100_000)]
    )
    target_connections = IntegerField(
        TARGET_LABELS["connections"], default=0, validators=[NumberRange(min=0, max=100_000)]
    )
    target_ecosystems = IntegerField(
        TARGET_LABELS["ecosystems"], default=0, validators=[NumberRange(min=0, max=100_000)]
    )

    def targets(self) -> dict[str, int]:
        """The target fields as a dict by kind."""
        return {kind: getattr(self, f"target_{kind}").data or 0 for kind in TARGET_KINDS}


class MemberForm(FlaskForm):
    """Give an existing user a role in the project."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("viewer", _l("Viewer")),
            SelectChoice("leader", _l("Process leader")),
        ],
    )


class RemoveMemberForm(FlaskForm):
    """Only the CSRF token: removing a member is a POST with no fields."""


class JoinForm(FlaskForm):
    """On the phone: who you are, all optional."""

    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=120)])
    business = StringField(_l("Your business (optional)"), validators=[Optional(), Length(max=160)])
    track = SelectField(_l("Your group"), choices=[], validate_choice=True)


class LiveActionForm(FlaskForm):
    """A button on the console; `leaving` names the step the leader sees as current."""

    leaving = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ExtendForm(LiveActionForm):
    """Give the current step more minutes."""

    minutes = IntegerField(_l("Minutes"), default=5, validators=[NumberRange(min=1, max=60)])


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
    minutes = IntegerField(_l("Minutes"), validators=[DataRequired(), NumberRange(min=1, max=240)])
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


class StepActionForm(FlaskForm):
    """Only the CSRF token: move or remove a step."""


class NewProjectForm(ProjectForm):
    """A new project, which starts from the method's programme unless the leader says no."""

    with_programme = BooleanField(_l("Start from the method's five workshops"), default=True)
    first_day = DateField(
        _l("Date of the first workshop"),
        description=_l("The others follow the method's rhythm: weeks 4, 8, 17 and 21."),
        validators=[Optional()],
    )


class PaperIdeaForm(FlaskForm):
    """The leader types in an idea written on paper."""

    text = TextAreaField(_l("Idea from paper"), validators=[DataRequired(), Length(max=2000)])
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=120)])


class PhoneIdeaForm(FlaskForm):
    """An idea from a phone without JavaScript."""

    text = TextAreaField(_l("Your idea"), validators=[DataRequired(), Length(max=2000)])
    key = StringField(widget=HiddenInput(), validators=[Optional(), Length(min=8, max=128)])


class ThemeForm(FlaskForm):
    """Create or rename a theme."""

    name = StringField(_l("Theme"), validators=[DataRequired(), Length(max=120)])


class MergeThemeForm(FlaskForm):
    """Merge one theme into another."""

    source = SelectField(_l("Merge"), coerce=int, choices=[])
    target = SelectField(_l("into"), coerce=int, choices=[])


class IdeaThemeForm(FlaskForm):
    """Put an idea in a theme (0 for none)."""

    theme = SelectField(_l("Theme"), coerce=int, choices=[])


class VoteForm(FlaskForm):
    """Open a dot vote."""

    dots = IntegerField(_l("Dots per person"), default=3, validators=[NumberRange(min=1, max=20)])


class WallForm(FlaskForm):
    """How the wall shows ideas."""

    layout = SelectField(
        _l("Wall layout"),
        choices=[
            SelectChoice("newest", _l("Newest first")),
            SelectChoice("theme", _l("Grouped by theme")),
            SelectChoice("track", _l("Grouped by group")),
        ],
    )
