"""Forms for projects and their members."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from workshops.projects.models import DEFAULT_USE, TARGET_KINDS, USES

TARGET_LABELS = {
    "attendees": _l("Attendees"),
    "businesses": _l("Businesses"),
    "ideas": _l("Ideas"),
    "connections": _l("Connections"),
    "ecosystems": _l("Ecosystems"),
}
# METHOD.md section 1: what the project uses the method for.
USE_LABELS = {
    "startup_idea": _l("Clarify a new business idea"),
    "single_business_product": _l("Develop a new product in one business"),
    "new_ecosystem": _l("Build a new local ecosystem of businesses"),
    "existing_ecosystem": _l("Develop an existing ecosystem (starts at the second workshop)"),
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
    use = SelectField(
        _l("Use of the method"),
        choices=[SelectChoice(key, USE_LABELS[key]) for key in USES],
        default=DEFAULT_USE,
    )
    costs = TextAreaField(
        _l("Costs (optional, for the report)"), validators=[Optional(), Length(max=2000)]
    )
    funding = TextAreaField(
        _l("Funding (optional, for the report)"), validators=[Optional(), Length(max=2000)]
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


class NewProjectForm(ProjectForm):
    """A new project, which starts from the method's programme unless the leader says no."""

    with_programme = BooleanField(
        _l("Start from the method's five workshops"),
        description=_l(
            "W1 to W5 with their steps (W2 to W5 when the project develops an existing "
            "ecosystem). Leave it unticked to start with an empty programme."
        ),
        default=True,
    )
    first_day = DateField(
        _l("Date of the first workshop"),
        description=_l("The others follow the method's rhythm: weeks 4, 8, 17 and 21."),
        validators=[Optional()],
    )
