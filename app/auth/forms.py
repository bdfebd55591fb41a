"""Forms for logging in and for a user's own settings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from app.auth.models import MIN_PASSWORD


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class AccountForm(FlaskForm):
    """Name, language and an optional new password."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    language = SelectField(_l("Language"), choices=[])
    password = PasswordField(
        _l("New password"), validators=[Optional(), Length(min=MIN_PASSWORD, max=200)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", message=_l("The passwords do not match."))],
    )
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])


__all__ = ["AccountForm", "Email", "LoginForm"]
