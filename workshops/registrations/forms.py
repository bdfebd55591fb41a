"""Forms of registration: a person's own, a walk-in at the door, the workshop's settings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from workshops.registrations import service as registrations


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RegistrationForm(FlaskForm):
    """What a person gives to take part in a public workshop."""

    name = StringField(
        _l("Your name"), validators=[DataRequired(), Length(max=registrations.MAX_NAME)]
    )
    business = StringField(
        _l("Business"), validators=[Optional(), Length(max=registrations.MAX_BUSINESS)]
    )
    email = EmailField(
        _l("E-mail"),
        description=_l("We send the confirmation and a link to cancel here."),
        filters=[_strip],
        validators=[DataRequired(), Email(), Length(max=registrations.MAX_EMAIL)],
    )
    dietary = StringField(
        _l("Dietary needs"),
        description=_l("Allergies or other needs for the food served, if any."),
        validators=[Optional(), Length(max=registrations.MAX_DIETARY)],
    )
    contact_consent = BooleanField(
        _l("The process leader may contact me later about this project's workshops and offers.")
    )

    def applicant(self) -> registrations.Applicant:
        """The form's values for the registration service."""
        return registrations.Applicant(
            name=self.name.data or "",
            email=(self.email.data or "").strip(),
            business_name=self.business.data or "",
            dietary=self.dietary.data or "",
            contact_consent=bool(self.contact_consent.data),
        )


class WalkInForm(FlaskForm):
    """Someone at the door who did not register; the name may be left out in a hurry."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=registrations.MAX_NAME)])
    business = StringField(
        _l("Business"), validators=[Optional(), Length(max=registrations.MAX_BUSINESS)]
    )


class RegistrationSettingsForm(FlaskForm):
    """Places and theme of a workshop, as the public calendar shows them."""

    capacity = IntegerField(
        _l("Places"),
        description=_l("Leave empty for no limit. Past it, people go to the waiting list."),
        validators=[Optional(), NumberRange(min=1, max=10_000)],
    )
    theme = StringField(
        _l("Theme"),
        description=_l("Shown in the public calendar, which can be filtered by it."),
        validators=[Optional(), Length(max=80)],
    )


class ActionForm(FlaskForm):
    """Only the CSRF token: for buttons that change something."""
