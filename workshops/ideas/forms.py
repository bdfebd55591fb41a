"""Forms for the leader's work with ideas, themes, votes and the wall."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange


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
