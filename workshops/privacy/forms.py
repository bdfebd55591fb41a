"""Forms of the privacy pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class EraseForm(FlaskForm):
    """The confirmation of an erase: the ticked box (and the CSRF token) is the "yes".

    Erasing cannot be undone, so pressing the button alone erases nothing.
    """

    entirely = BooleanField(
        _l("Also replace the business's name with a neutral label"),
        description=_l(
            "Choose this when the business itself asks to be forgotten. Its sector, offers, "
            "needs, connections and ecosystems stay, under the neutral name."
        ),
    )
    confirm = BooleanField(
        _l("I understand that this cannot be undone"),
        validators=[DataRequired(message=_l("Tick this box to erase."))],
    )
