"""Forms of the live run: joining on a phone and the console's buttons."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import HiddenInput


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
