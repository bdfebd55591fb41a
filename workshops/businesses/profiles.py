"""A participant's own business profile, written from the phone, with no account.

A device owns at most one business per project: the one it created or last saved from the
phone (`Business.device` holds the device's key, never the cookie itself). It may change that
business, and only that one: a name another business has already is refused, so a phone can
never take over a business the leader registered or another device created. Profiles are
taken only while the workshop's current step collects them.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.extensions import db
from method import taxonomy
from workshops.businesses import registry
from workshops.businesses.models import Business
from workshops.live.models import Participant
from workshops.programme.models import Workshop
from workshops.programme.queries import current_step
from workshops.projects.models import Project


class ProfileError(ValueError):
    """A profile the phone may not save; `code` is "not_collecting" or "name_taken"."""

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


def collects_profiles(workshop: Workshop) -> bool:
    """Whether the workshop's current step collects business profiles."""
    step = current_step(workshop)
    return bool(step and "profiles" in (step.collects or []))


def own_business(project: Project, device_key: str) -> Business | None:
    """The business this device created or last saved in the project, if any."""
    return db.session.scalar(
        db.select(Business).where(Business.project_id == project.id, Business.device == device_key)
    )


def editable_words(business: Business | None, side: str, lang: str) -> str:
    """A business's offers or needs ("offers", "needs") as words the participant can edit."""
    if business is None:
        return ""
    tags = registry.own_tags(business, side)
    free = list(getattr(business, f"{side}_free") or [])
    return ", ".join([taxonomy.tag_label(t, lang) for t in tags] + free)


def save_own(
    workshop: Workshop, participant: Participant, device_key: str, profile: PhoneProfile
) -> Business:
    """Create or change the device's own business and bind it to the device (the caller commits).

    What only the leader edits (description, e-mail, website, contact consent) is kept.
    """
    if not collects_profiles(workshop):
        raise ProfileError("not_collecting")
    project = workshop.project
    mine = own_business(project, device_key)
    other = registry.find_by_name(project, profile.name)
    if other is not None and other is not mine:
        raise ProfileError("name_taken")
    data = registry.BusinessData(
        name=profile.name,
        sector=profile.sector,
        offers=profile.offers,
        needs=profile.needs,
        municipality=profile.municipality,
        description=mine.description if mine else "",
        email=mine.email if mine else "",
        website=mine.website if mine else "",
        contact_consent=mine.contact_consent if mine else False,
    )
    business = registry.save(project, data, mine)
    business.device = device_key
    participant.business_name = business.name
    return business
