"""Forms of the privacy pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class EraseForm(FlaskForm):
    """The confirmation: the form itself (with its CSRF token) is the "yes"."""

    entirely = BooleanField(
        _l("Also replace the business's name with a neutral label"),
        description=_l(
            "Choose this when the business itself asks to be forgotten. Its sector, offers, "
            "needs, connections and ecosystems stay, under the neutral name."
        ),
    )
