"""A participant's own business profile, written from the phone, with no account.

A device owns at most one business per project: the one it created, or the one the leader
registered that it claimed (`Business.device` holds the device's key, never the cookie itself).
A business the leader registered and no device has yet is claimed by the first phone that saves
it after being shown its profile; from then on only that phone changes it from a phone. A name
another device has, or two businesses share, is refused: the leader sorts it out. The phone
changes the words (sector, offers, needs, municipality; a claim keeps the leader's spelling of
the name); what the leader alone edits is kept. Profiles are taken only from a device that joined the workshop, while its current step
collects them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import update

from app.extensions import db
from method import taxonomy
from workshops.businesses import pairing_service, registry
from workshops.businesses.models import Business
from workshops.live.models import Participant
from workshops.programme.models import Workshop
from workshops.programme.queries import current_step
from workshops.projects.models import Project


class ProfileError(ValueError):
    """A profile the phone may not save; `code` is "not_collecting", "not_joined", "name_taken"
    (another business has the name and this phone may not take it) or "other_device" (another
    phone has claimed the business)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class PhoneProfile:
    """What the phone sends: words only (tags are read from them)."""

    name: str
    sector: str = ""
    offers: str = ""
    needs: str = ""
    municipality: str = ""


@dataclass(frozen=True)
class NameCheck:
    """What a save from one device under one name would do."""

    business: Business | None = None  # the business it changes; None: it creates one
    claims: bool = False  # it is the leader's, and no device had it when checked
    refused: str = ""  # a ProfileError code: the process leader has to sort it out


def collects_profiles(workshop: Workshop) -> bool:
    """Whether the workshop's current step collects business profiles."""
    step = current_step(workshop)
    return bool(step and "profiles" in (step.collects or []))


def own_business(project: Project, device_key: str) -> Business | None:
    """The business this device created or claimed in the project, if any."""
    return db.session.scalar(
        db.select(Business).where(Business.project_id == project.id, Business.device == device_key)
    )


def check_name(project: Project, device_key: str, name: str) -> NameCheck:
    """Which business a save under `name` (trimmed, any case) from this device would change.

    Only the project's own businesses count. A business erased for privacy, a name two
    businesses share, and a second business for a device that has one are refused as taken.
    """
    mine = own_business(project, device_key)
    key = name.strip().casefold()
    named = [b for b in project.businesses if b.name.strip().casefold() == key]
    if not named or mine in named:
        return NameCheck(mine)
    if len(named) > 1 or mine is not None or pairing_service.erased_ids(named):
        return NameCheck(refused="name_taken")
    if named[0].device is not None:
        return NameCheck(refused="other_device")
    return NameCheck(named[0], claims=True)


def editable_words(business: Business | None, side: str, lang: str) -> str:
    """A business's offers or needs ("offers", "needs") as words the participant can edit."""
    if business is None:
        return ""
    tags = registry.own_tags(business, side)
    free = list(getattr(business, f"{side}_free") or [])
    return ", ".join([taxonomy.tag_label(t, lang) for t in tags] + free)


def shown(business: Business, lang: str) -> PhoneProfile:
    """A business's profile as the phone shows it, in words the participant can edit."""
    return PhoneProfile(
        name=business.name,
        sector=registry.sector_words(business, lang),
        offers=editable_words(business, "offers", lang),
        needs=editable_words(business, "needs", lang),
        municipality=business.municipality or "",
    )


_LIST = re.compile(r"[,;\n]")


def _joined(stored: str, typed: str) -> str:
    """The stored words, then the typed ones not among them."""
    words: dict[str, str] = {}
    for word in _LIST.split(stored) + _LIST.split(typed):
        if word.strip():
            words.setdefault(word.strip().casefold(), word.strip())
    return ", ".join(words.values())


def with_stored(typed: PhoneProfile, business: Business, lang: str) -> PhoneProfile:
    """What a participant typed under a registered business's name, with its profile added:
    their offers and needs after the stored ones, their sector and municipality where given."""
    stored = shown(business, lang)
    return PhoneProfile(
        name=stored.name,
        sector=typed.sector.strip() or stored.sector,
        offers=_joined(stored.offers, typed.offers),
        needs=_joined(stored.needs, typed.needs),
        municipality=typed.municipality.strip() or stored.municipality,
    )


def _sector_to_read(business: Business | None, words: str) -> str:
    """The sector to read: the stored one when the phone sends it back as shown, as a group's
    label does not always read back as that group."""
    if business is None or not words.strip():
        return words
    as_shown = {registry.sector_words(business, lang).casefold() for lang in taxonomy.LANGUAGES}
    if words.strip().casefold() in as_shown:
        return business.nace_code or business.sector
    return words


def _claim(business: Business, device_key: str) -> bool:
    """Bind a business no device has to this one; False if another device was quicker."""
    result = db.session.execute(
        update(Business)
        .where(Business.id == business.id, Business.device.is_(None))
        .values(device=device_key)
    )
    return result.rowcount == 1


def save_own(
    workshop: Workshop,
    participant: Participant,
    device_key: str,
    profile: PhoneProfile,
    claim: int | None = None,
) -> Business:
    """Create or change the device's own business and bind it to the device (the caller commits).

    A business the leader registered is claimed only when `claim` is its id: the phone was shown
    its profile, so its words replace the leader's knowingly. The name as the leader wrote it and
    what only the leader edits (description, e-mail, website, consents, size, stage) are kept.
    """
    if not collects_profiles(workshop):
        raise ProfileError("not_collecting")
    if participant.workshop_id != workshop.id or participant.device != device_key:
        raise ProfileError("not_joined")
    project = workshop.project
    check = check_name(project, device_key, profile.name)
    if check.refused:
        raise ProfileError(check.refused)
    business = check.business
    if check.claims:
        if business.id != claim:
            raise ProfileError("name_taken")
        if not _claim(business, device_key):
            raise ProfileError("other_device")
    data = registry.BusinessData(
        name=business.name if check.claims else profile.name,
        sector=_sector_to_read(business, profile.sector),
        offers=profile.offers,
        needs=profile.needs,
        municipality=profile.municipality,
        description=business.description if business else "",
        email=business.email if business else "",
        website=business.website if business else "",
        contact_consent=business.contact_consent if business else False,
        report_consent=business.report_consent if business else False,
        size_band=business.size_band if business else "",
        stage=business.stage if business else "",
    )
    business = registry.save(project, data, business)
    business.device = device_key
    participant.business_name = business.name
    return business
