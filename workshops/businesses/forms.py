"""Forms of the businesses room: the registry, the import, words, pairings, ecosystems, speed
meetings and a participant's own profile from the phone."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from workshops.businesses import registry as service
from workshops.businesses.models import SIZE_BANDS, STAGES

SIZE_LABELS = {
    "1": _l("1 person"),
    "2-4": _l("2–4 people"),
    "5-9": _l("5–9 people"),
    "10-49": _l("10–49 people"),
    "50+": _l("50 or more"),
}
STAGE_LABELS = {
    "idea": _l("An idea, not started yet"),
    "new": _l("New (up to three years)"),
    "established": _l("Established"),
}

STATUS_LABELS = {
    "suggested": _l("Suggested"),
    "introduced": _l("Introduced"),
    "met": _l("Met"),
    "collaborating": _l("Collaborating"),
    "declined": _l("Declined"),
}


class BusinessForm(FlaskForm):
    """A business as the leader edits it: tags from the list, and words of its own."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    sector = StringField(
        _l("Sector"),
        description=_l("A NACE code such as 55.10, or a word such as hotel, café or guiding."),
        validators=[Optional(), Length(max=80)],
    )
    offer_tags = SelectMultipleField(
        _l("Offers"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    offers = StringField(
        _l("Other offers, in their own words"),
        description=_l("Separate with commas; words are read in five languages."),
        validators=[Optional(), Length(max=2000)],
    )
    need_tags = SelectMultipleField(
        _l("Needs"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    needs = StringField(
        _l("Other needs, in their own words"), validators=[Optional(), Length(max=2000)]
    )
    municipality = StringField(_l("Municipality"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=500)])
    contact_consent = BooleanField(_l("The business agrees to be contacted by other businesses"))
    size_band = SelectField(
        _l("People working in the business (optional)"),
        choices=[SelectChoice("", _l("Not given"))]
        + [SelectChoice(key, SIZE_LABELS[key]) for key in SIZE_BANDS],
        default="",
    )
    stage = SelectField(
        _l("Stage (optional)"),
        choices=[SelectChoice("", _l("Not given"))]
        + [SelectChoice(key, STAGE_LABELS[key]) for key in STAGES],
        default="",
    )
    report_consent = BooleanField(
        _l("The business agrees to be named in the method report to the municipality")
    )
    release_phone = BooleanField(
        _l("Let another phone fill in this profile"),
        description=_l(
            "A phone has saved this profile, and only that phone may change it from a phone. "
            "Tick this if it was the wrong phone: the next phone that gives this name in a "
            "profile step may take it."
        ),
    )

    def data_object(self) -> service.BusinessData:
        return service.BusinessData(
            name=self.name.data or "",
            sector=self.sector.data or "",
            offers=self.offers.data or "",
            needs=self.needs.data or "",
            municipality=self.municipality.data or "",
            description=self.description.data or "",
            email=self.email.data or "",
            website=self.website.data or "",
            contact_consent=bool(self.contact_consent.data),
            report_consent=bool(self.report_consent.data),
            size_band=self.size_band.data or "",
            stage=self.stage.data or "",
            offer_tags=tuple(self.offer_tags.data or ()),
            need_tags=tuple(self.need_tags.data or ()),
        )


class ImportForm(FlaskForm):
    """A CSV or XLSX file of businesses."""

    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class ConfirmForm(FlaskForm):
    """Confirm an action with nothing to fill in: an import after its preview, a removal."""


class MapWordForm(FlaskForm):
    """Map a word the taxonomy does not know to a tag; remembered for the project."""

    word = HiddenField(validators=[DataRequired(), Length(max=160)])
    tag = SelectField(_l("Means"), validators=[DataRequired()])


class ConnectForm(FlaskForm):
    """Turn a suggested pair into a connection."""

    a = HiddenField(validators=[DataRequired()])
    b = HiddenField(validators=[DataRequired()])


class MarkForm(FlaskForm):
    """Mark a suggested pair good or not relevant, or take the mark back ("none")."""

    a = HiddenField(validators=[DataRequired()])
    b = HiddenField(validators=[DataRequired()])
    mark = HiddenField(validators=[DataRequired()])


class ConnectionForm(FlaskForm):
    """Move a connection on and keep notes."""

    status = SelectField(
        _l("Status"), choices=[SelectChoice(k, v) for k, v in STATUS_LABELS.items()]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])


class EcosystemForm(FlaskForm):
    """Name an ecosystem with its joint product and members."""

    name = StringField(_l("Name of the ecosystem"), validators=[DataRequired(), Length(max=160)])
    product = TextAreaField(_l("Joint product idea"), validators=[Optional(), Length(max=2000)])
    members = SelectMultipleField(
        _l("Members"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )


# The statuses of a named ecosystem (pairing_service.ECOSYSTEM_STATUSES), as the report names them.
ECOSYSTEM_STATUS_LABELS = {
    "proposed": _l("Proposed"),
    "forming": _l("Forming"),
    "testing": _l("Testing"),
    "selling": _l("Selling"),
    "active": _l("Active"),
    "paused": _l("Paused"),
    "ended": _l("Ended"),
}


class EcosystemStatusForm(FlaskForm):
    """Move a named ecosystem on."""

    status = SelectField(
        _l("Status"), choices=[SelectChoice(k, v) for k, v in ECOSYSTEM_STATUS_LABELS.items()]
    )


class EcosystemIdeasForm(FlaskForm):
    """The ideas an ecosystem's joint product grew from."""

    ideas = SelectMultipleField(
        _l("The ideas this product grew from"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # ideas of other projects are left out by the service
    )


class SpeedMeetingForm(FlaskForm):
    """Choose who takes part in a speed-meeting round."""

    members = SelectMultipleField(
        _l("Who is here"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )


class PhoneProfileForm(FlaskForm):
    """A participant's own business profile, from the phone: free words only."""

    name = StringField(_l("Your business"), validators=[DataRequired(), Length(max=160)])
    sector = StringField(
        _l("What kind of business"),
        description=_l("For example hotel, café, guiding, farm, or a NACE code."),
        validators=[Optional(), Length(max=80)],
    )
    offers = TextAreaField(
        _l("What you offer"),
        description=_l("Separate with commas, e.g. rooms, breakfast, canoe rental."),
        validators=[Optional(), Length(max=2000)],
    )
    needs = TextAreaField(
        _l("What you need from others"),
        description=_l("e.g. guided tours, local food, more visitors."),
        validators=[Optional(), Length(max=2000)],
    )
    municipality = StringField(_l("Municipality"), validators=[Optional(), Length(max=120)])
