"""Forms of the live run: joining and sending an idea on a phone, the console's buttons and
its idea from paper."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput


class JoinForm(FlaskForm):
    """On the phone: who you are, all optional."""

    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=120)])
    business = StringField(_l("Your business (optional)"), validators=[Optional(), Length(max=160)])
    # Shown only when the workshop has groups; a form without it means "no group".
    track = SelectField(_l("Your group"), choices=[], validate_choice=True, default="")


class LiveActionForm(FlaskForm):
    """A button on the console; `leaving` names the step the leader sees as current."""

    leaving = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ExtendForm(LiveActionForm):
    """Give the current step more minutes."""

    minutes = IntegerField(_l("Minutes"), default=5, validators=[NumberRange(min=1, max=60)])


class PaperIdeaForm(FlaskForm):
    """On the console: the leader types in an idea written on paper."""

    text = TextAreaField(_l("Idea from paper"), validators=[DataRequired(), Length(max=2000)])
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=120)])


class PhoneIdeaForm(FlaskForm):
    """On the phone page: an idea from a phone without JavaScript."""

    text = TextAreaField(_l("Your idea"), validators=[DataRequired(), Length(max=2000)])
    key = StringField(widget=HiddenInput(), validators=[Optional(), Length(min=8, max=128)])
