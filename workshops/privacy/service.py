"""Privacy: everything stored about one business or one person, and erasing it.

What counts as personal data and what stays as the process record (docs/privacy.md says the
same for users):

- Ideas belong to the process record: an erased idea keeps its text, step, theme, votes and
  interests, and loses its author's name, business name, participant link and device hash.
- A business's profile (sector, offers, needs, connections, ecosystems) is the process record of
  a company. `erase_business` always clears its contact data (e-mail, website, description,
  consent, the phone that created it) and anonymises what people typed about it; only with
  `entirely=True` is its name replaced by a neutral label ("Erased business 17", in the
  project's language), its free words, municipality and connection notes cleared, and the
  interests it marked relabelled (they stay, so the pairing graph and the counts do not change).
- Registrations matched by e-mail are anonymised as the retention purge does (the status and the
  check-in stay, so attendance counts do not change); outbox messages to the address are deleted.
- A participant keeps their row (device hash, track: the attendance and vote counts) but loses
  name and business. Votes are only a device hash and a number: they stay.
- Evaluation responses are anonymous by design (no link to anyone): nothing to export or erase.

Every erase function is idempotent, flushes, and leaves the commit to the caller. All functions
work inside one project: a leader can reach only their own project's data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from email.utils import getaddresses

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from app.db import iso_z, utcnow
from app.extensions import db
from workshops.businesses.models import Business, Connection, Ecosystem, ecosystem_member
from workshops.ideas.models import Idea, Interest, Vote
from workshops.live.models import Participant
from workshops.programme.models import Workshop
from workshops.projects.models import Project
from workshops.registrations import mail
from workshops.registrations import service as registrations
from workshops.registrations.models import CheckIn, Registration

FORMAT = 1  # the version of the export's layout

# Called with the project's id after every erase, in the same transaction: packages above this
# one register what they keep that may show the erased data (the app's cached PDFs).
_AFTER_ERASE: list[Callable[[int], object]] = []


def on_erase(callback: Callable[[int], object]) -> Callable[[int], object]:
    """Call callback(project_id) after every erase in a project (once per callback)."""
    if callback not in _AFTER_ERASE:
        _AFTER_ERASE.append(callback)
    return callback


def _erased(project_id: int) -> None:
    for callback in _AFTER_ERASE:
        callback(project_id)


def fold(text: str | None) -> str:
    """A name or address as compared here: spaces collapsed, trimmed, case-folded."""
    return " ".join((text or "").split()).casefold()


def _workshops(project: Project) -> dict[int, Workshop]:
    rows = db.session.scalars(select(Workshop).where(Workshop.project_id == project.id))
    return {w.id: w for w in rows}


def _named(rows: Iterable, attribute: str, name: str) -> list:
    """The rows whose `attribute` is the same name (compared in Python: SQLite folds ASCII only)."""
    wanted = fold(name)
    return [row for row in rows if wanted and fold(getattr(row, attribute)) == wanted]


def _ideas(workshop_ids: Iterable[int], *conditions) -> list[Idea]:
    ids = list(workshop_ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Idea).where(Idea.workshop_id.in_(ids), *conditions).order_by(Idea.id)
        )
    )


def _with_business_name(model, workshop_ids: Iterable[int], name: str) -> list:
    ids = list(workshop_ids)
    if not ids or not fold(name):
        return []
    rows = db.session.scalars(
        select(model).where(model.workshop_id.in_(ids), model.business_name != "")
    )
    return _named(rows, "business_name", name)


def _registrations_by_email(project: Project, email: str) -> list[Registration]:
    key = registrations.email_key(email)
    if not key:
        return []
    return list(
        db.session.scalars(
            select(Registration)
            .join(Workshop, Workshop.id == Registration.workshop_id)
            .where(Workshop.project_id == project.id, Registration.email_key == key)
            .order_by(Registration.created_at, Registration.id)
        )
    )


def _businesses_by_email(project: Project, email: str) -> list[Business]:
    wanted = fold(email)
    if not wanted:
        return []
    rows = db.session.scalars(
        select(Business).where(Business.project_id == project.id, Business.email != "")
    )
    return [b for b in rows if fold(b.email) == wanted]


def _mail_to(project: Project, email: str) -> list[mail.OutboxMessage]:
    wanted = fold(email)
    if not wanted:
        return []
    return [
        message
        for message in mail.outbox(project, limit=100_000)
        if any(fold(address) == wanted for _name, address in getaddresses([message.to]))
    ]


# --- export ------------------------------------------------------------------------------


def _idea_json(idea: Idea, workshops: dict[int, Workshop]) -> dict:
    workshop = workshops.get(idea.workshop_id)
    return {
        "id": idea.id,
        "workshop": workshop.join_code if workshop else None,
        "text": idea.text,
        "author_name": idea.author_name,
        "business_name": idea.business_name,
        "track": idea.track,
        "created_at": iso_z(idea.created_at),
        "hidden": idea.hidden_at is not None,
    }


def _registration_json(registration: Registration, workshops: dict[int, Workshop]) -> dict:
    workshop = workshops.get(registration.workshop_id) or registration.workshop
    check_in = registration.check_in
    return {
        "workshop": {"title": workshop.title, "join_code": workshop.join_code},
        "status": registration.status,
        "name": registration.name,
        "business_name": registration.business_name,
        "email": registration.email,
        "dietary": registration.dietary,
        "contact_consent": registration.contact_consent,
        "created_at": iso_z(registration.created_at),
        "cancelled_at": iso_z(registration.cancelled_at),
        "reminded_at": iso_z(registration.reminded_at),
        "anonymised_at": iso_z(registration.anonymised_at),
        "checked_in_at": iso_z(check_in.checked_in_at) if check_in else None,
    }


def _walk_in_json(entry: CheckIn, workshops: dict[int, Workshop]) -> dict:
    workshop = workshops[entry.workshop_id]
    return {
        "workshop": {"title": workshop.title, "join_code": workshop.join_code},
        "name": entry.name,
        "business_name": entry.business_name,
        "checked_in_at": iso_z(entry.checked_in_at),
    }


def _participant_json(participant: Participant, workshops: dict[int, Workshop]) -> dict:
    workshop = workshops[participant.workshop_id]
    return {
        "id": participant.id,
        "workshop": {"title": workshop.title, "join_code": workshop.join_code},
        "name": participant.name,
        "business_name": participant.business_name,
        "track": participant.track,
        "joined_at": iso_z(participant.joined_at),
    }


def _mail_json(message: mail.OutboxMessage) -> dict:
    return {
        "written_at": iso_z(message.written_at),
        "kind": message.kind,
        "to": message.to,
        "subject": message.subject,
        "body": message.body,
    }


def _header(kind: str, project: Project) -> dict:
    with force_locale(project.language):
        note = _("Evaluation answers are anonymous: nothing links them to anyone.")
    return {
        "format": FORMAT,
        "kind": kind,
        "exported_at": iso_z(utcnow()),
        "project": {"slug": project.slug, "name": project.name},
        "evaluations": note,
    }


def export_business(business: Business) -> dict:
    """Everything stored about one business, as one JSON-ready dict."""
    project = business.project
    workshops = _workshops(project)
    connections = db.session.scalars(
        select(Connection)
        .where(or_(Connection.a_id == business.id, Connection.b_id == business.id))
        .options(selectinload(Connection.a), selectinload(Connection.b))
        .order_by(Connection.id)
    )
    ecosystems = db.session.scalars(
        select(Ecosystem)
        .join(ecosystem_member, ecosystem_member.c.ecosystem_id == Ecosystem.id)
        .where(ecosystem_member.c.business_id == business.id)
        .options(selectinload(Ecosystem.members))
        .order_by(Ecosystem.name)
    )
    interests = [
        interest
        for interest in db.session.scalars(
            select(Interest)
            .join(Idea, Idea.id == Interest.idea_id)
            .where(Idea.workshop_id.in_(list(workshops) or [-1]))
            .order_by(Interest.id)
        )
        if interest.business_id == business.id
        or fold(interest.business_name) == fold(business.name)
    ]
    by_email = _registrations_by_email(project, business.email)
    named = _with_business_name(Registration, workshops, business.name)
    seen = {r.id for r in by_email}
    document = _header("business", project)
    document["business"] = {
        "id": business.id,
        "name": business.name,
        "sector": business.sector,
        "nace_code": business.nace_code,
        "sector_group": business.sector_group,
        "offers": list(business.offers or []),
        "needs": list(business.needs or []),
        "offers_free": list(business.offers_free or []),
        "needs_free": list(business.needs_free or []),
        "assumed": business.assumed,
        "municipality": business.municipality,
        "description": business.description,
        "email": business.email,
        "website": business.website,
        "contact_consent": business.contact_consent,
        "created_on_a_phone": business.device is not None,
        "created_at": iso_z(business.created_at),
        "updated_at": iso_z(business.updated_at),
    }
    document["connections"] = [
        {
            "with": (c.b if c.a_id == business.id else c.a).name,
            "status": c.status,
            "origin": c.origin,
            "notes": c.notes,
            "created_at": iso_z(c.created_at),
            "updated_at": iso_z(c.updated_at),
        }
        for c in connections
    ]
    document["ecosystems"] = [
        {
            "name": e.name,
            "product": e.product,
            "status": e.status,
            "businesses": [m.name for m in e.members],
        }
        for e in ecosystems
    ]
    idea_texts = dict(
        db.session.execute(
            select(Idea.id, Idea.text).where(Idea.id.in_([i.idea_id for i in interests] or [-1]))
        ).all()
    )
    document["interests"] = [
        {
            "idea": i.idea_id,
            "idea_text": idea_texts[i.idea_id],
            "business_name": i.business_name,
            "created_at": iso_z(i.created_at),
        }
        for i in interests
    ]
    document["ideas"] = [
        _idea_json(idea, workshops)
        for idea in _named(
            _ideas(workshops, Idea.business_name != ""), "business_name", business.name
        )
    ]
    document["participants"] = [
        _participant_json(p, workshops)
        for p in _with_business_name(Participant, workshops, business.name)
    ]
    document["registrations"] = [
        {**_registration_json(r, workshops), "matched_by": "email" if r.id in seen else "business"}
        for r in [*by_email, *(r for r in named if r.id not in seen)]
    ]
    document["walk_ins"] = [
        _walk_in_json(c, workshops)
        for c in _with_business_name(CheckIn, workshops, business.name)
        if c.registration_id is None
    ]
    document["mail"] = [_mail_json(m) for m in _mail_to(project, business.email)]
    return document


def _participant_details(participant: Participant, workshops: dict[int, Workshop]) -> dict:
    ideas = _ideas(
        [participant.workshop_id],
        or_(Idea.participant_id == participant.id, Idea.device == participant.device),
    )
    votes = db.session.execute(
        select(func.count(Vote.id), func.coalesce(func.sum(Vote.dots), 0))
        .join(Idea, Idea.id == Vote.idea_id)
        .where(Idea.workshop_id == participant.workshop_id, Vote.device == participant.device)
    ).one()
    interests = db.session.scalars(
        select(Interest)
        .join(Idea, Idea.id == Interest.idea_id)
        .where(Idea.workshop_id == participant.workshop_id, Interest.device == participant.device)
        .order_by(Interest.id)
    )
    return {
        "participant": _participant_json(participant, workshops),
        "ideas": [_idea_json(idea, workshops) for idea in ideas],
        "votes": {"count": votes[0], "dots": int(votes[1])},
        "interests": [
            {"idea": i.idea_id, "business_name": i.business_name, "created_at": iso_z(i.created_at)}
            for i in interests
        ],
    }


def _same_device(registration: Registration) -> Participant | None:
    if not registration.device:
        return None
    return db.session.scalar(
        select(Participant).where(
            Participant.workshop_id == registration.workshop_id,
            Participant.device == registration.device,
        )
    )


def export_participant(
    project: Project, *, email: str | None = None, participant: Participant | None = None
) -> dict:
    """Everything stored about one person: by e-mail address, or by participant (one workshop).

    By e-mail: registrations and check-ins, the businesses that give the address as contact,
    messages in the outbox, and the participant rows of the phones they registered with.
    By participant: name, business, track, ideas, votes (count and dots), interests, and the
    registrations made on the same phone.
    """
    workshops = _workshops(project)
    if participant is not None:
        if participant.workshop_id not in workshops:
            raise ValueError("the participant is not in this project")
        document = _header("participant", project) | _participant_details(participant, workshops)
        same_phone = db.session.scalars(
            select(Registration).where(
                Registration.workshop_id == participant.workshop_id,
                Registration.device == participant.device,
            )
        )
        document["registrations"] = [_registration_json(r, workshops) for r in same_phone]
        return document
    found = _registrations_by_email(project, email or "")
    document = _header("person", project)
    document["email"] = email
    document["registrations"] = [_registration_json(r, workshops) for r in found]
    document["businesses"] = [
        {"name": b.name, "as": "contact e-mail"} for b in _businesses_by_email(project, email or "")
    ]
    document["participants"] = [
        _participant_details(p, workshops) for r in found if (p := _same_device(r)) is not None
    ]
    document["mail"] = [_mail_json(m) for m in _mail_to(project, email or "")]
    return document


# --- erase -------------------------------------------------------------------------------


def _anonymise_idea(idea: Idea) -> bool:
    if not (idea.author_name or idea.business_name or idea.participant_id or idea.device):
        return False
    idea.author_name = idea.business_name = ""
    idea.participant_id = None
    idea.device = None
    idea.idempotency_key = None  # its prefix came from the device
    return True


def _delete_mail(project: Project, email: str) -> int:
    count = mail.forget_outbox([message.id for message in _mail_to(project, email)])
    if fold(email):  # and the messages still waiting in the queue for the mail server
        count += mail.forget_queued(project, fold(email), fold)
    return count


def _touch(workshop_ids: Iterable[int]) -> None:
    """Make phones and the wall fetch the idea list again (names may have gone)."""
    ids = list(workshop_ids)
    if ids:
        db.session.execute(
            update(Workshop)
            .where(Workshop.id.in_(ids))
            .values(ideas_version=Workshop.ideas_version + 1)
        )


def erased_label(business: Business) -> str:
    """The neutral name an entirely erased business gets, in its project's language."""
    with force_locale(business.project.language):
        return _("Erased business %(number)s", number=business.id)


def erase_business(business: Business, *, entirely: bool = False) -> dict[str, int]:
    """Remove a business's personal data; the process record stays. Returns counts of changes.

    Always: contact (e-mail, website, description, consent, creating phone) cleared; ideas,
    participants and walk-ins naming the business anonymised; registrations with its e-mail
    anonymised; outbox messages to it deleted. With `entirely`: also the name (replaced by
    `erased_label`), municipality, free words and connection notes; interests and
    registrations naming it are relabelled or lose the name.
    """
    project = business.project
    workshops = _workshops(project)
    name, email, now = business.name, business.email, utcnow()
    counts = {"ideas": 0, "participants": 0, "registrations": 0, "walk_ins": 0, "mail": 0}
    counts["mail"] = _delete_mail(project, email)
    for registration in _registrations_by_email(project, email):
        counts["registrations"] += registrations.anonymise(registration, now)
    ideas = _named(_ideas(workshops, Idea.business_name != ""), "business_name", name)
    counts["ideas"] = sum(_anonymise_idea(idea) for idea in ideas)
    for participant in _with_business_name(Participant, workshops, name):
        participant.name = participant.business_name = ""
        counts["participants"] += 1
    for entry in _with_business_name(CheckIn, workshops, name):
        if entry.registration_id is None:
            registrations.anonymise_walk_in(entry)
            counts["walk_ins"] += 1
    business.email = business.website = business.description = ""
    business.contact_consent = False
    business.report_consent = False
    business.device = None
    if entirely:
        label = erased_label(business)
        if business.name != label:
            business.name = label
        business.municipality = ""
        business.offers_free, business.needs_free = [], []
        for connection in db.session.scalars(
            select(Connection).where(
                or_(Connection.a_id == business.id, Connection.b_id == business.id)
            )
        ):
            connection.notes = ""
        for interest in db.session.scalars(
            select(Interest)
            .join(Idea, Idea.id == Interest.idea_id)
            .where(Idea.workshop_id.in_(list(workshops) or [-1]))
        ):
            if interest.business_id == business.id or fold(interest.business_name) == fold(name):
                interest.business_name = label
                interest.business_id = business.id
        for registration in _with_business_name(Registration, workshops, name):
            registration.business_name = ""
            counts["registrations"] += 1
    _touch(workshops)
    _erased(project.id)
    db.session.flush()
    return counts


def erase_person(project: Project, email: str) -> dict[str, int]:
    """Remove what is stored about the person with this address in the project.

    Their registrations are anonymised (check-ins stay as counts); the participant rows of the
    phones they registered with are erased (erase_participant); a business that gives the address
    as contact loses it (and the consent); outbox messages to the address are deleted.
    """
    workshops = _workshops(project)
    now = utcnow()
    counts = {"registrations": 0, "participants": 0, "businesses": 0, "ideas": 0, "mail": 0}
    counts["mail"] = _delete_mail(project, email)
    for registration in _registrations_by_email(project, email):
        participant = _same_device(registration)
        if participant is not None:
            erased = erase_participant(participant)
            counts["participants"] += 1
            counts["ideas"] += erased["ideas"]
        counts["registrations"] += registrations.anonymise(registration, now)
    for business in _businesses_by_email(project, email):
        business.email = ""
        business.contact_consent = False
        counts["businesses"] += 1
    _touch(workshops)
    _erased(project.id)
    db.session.flush()
    return counts


def erase_participant(participant: Participant) -> dict[str, int]:
    """Remove a participant's name and business, and anonymise their ideas (texts stay)."""
    ideas = _ideas(
        [participant.workshop_id],
        or_(Idea.participant_id == participant.id, Idea.device == participant.device),
    )
    count = sum(_anonymise_idea(idea) for idea in ideas)
    participant.name = participant.business_name = ""
    _touch([participant.workshop_id])
    workshop = db.session.get(Workshop, participant.workshop_id)
    if workshop is not None:
        _erased(workshop.project_id)
    db.session.flush()
    return {"ideas": count, "participants": 1}
