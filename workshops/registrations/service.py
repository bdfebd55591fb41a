"""Registration for public workshops: capacity, waiting list, cancelling, check-in at the door.

Registrations carry personal data (name, business, e-mail, dietary needs, consent to be
contacted). They are kept only to run the workshop: purge_registrations() anonymises them once
the workshop ended longer ago than the retention setting, keeping the counts for the report.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.db import utcnow
from app.extensions import db
from workshops import devices
from workshops.programme.models import Workshop
from workshops.registrations import calendar
from workshops.registrations.models import (
    MAX_BUSINESS,
    MAX_DIETARY,
    MAX_EMAIL,
    MAX_NAME,
    STATUSES,
    CheckIn,
    Registration,
)

# Control characters (tabs and newlines included) never belong in a one-line field; PostgreSQL
# refuses NUL, and a newline in a name could otherwise reach a mail header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
RETENTION_DAYS = 365  # REGISTRATION_RETENTION_DAYS when the setting is absent
# Each registration sends a mail to an address anyone can type and may take a place, so they are
# limited per client address and per workshop in a window; the counts are rows in the database,
# so every worker and host shares them. Settings of the same names override the numbers (None:
# no limit; the tests' configuration has none unless a test sets them).
LIMIT_WINDOW = timedelta(minutes=15)
REGISTRATIONS_PER_CLIENT = 10
REGISTRATIONS_PER_WORKSHOP = 60


class RegistrationError(ValueError):
    """A registration that cannot be made or changed; `code` names why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Applicant:
    """What a person gives when registering."""

    name: str
    email: str
    business_name: str = ""
    dietary: str = ""
    contact_consent: bool = False


@dataclass(frozen=True)
class Roster:
    """A workshop's registrations as the leader sees them."""

    confirmed: list[Registration]
    waiting: list[Registration]
    cancelled: list[Registration]
    walk_ins: list[CheckIn]

    @property
    def checked_in(self) -> int:
        """Everyone at the door so far: checked-in registrations and walk-ins."""
        return sum(1 for r in self.confirmed if r.check_in) + len(self.walk_ins)


def line(text: str | None, limit: int) -> str:
    """One line of user text: control characters and runs of spaces made one space, trimmed."""
    cleaned = " ".join(_CONTROL.sub(" ", text or "").split())
    if len(cleaned) > limit:
        raise RegistrationError("too_long")
    return cleaned


def email_key(email: str) -> str:
    """The address as compared for duplicates: trimmed and case-folded."""
    return (email or "").strip().casefold()


def client_key(address: str | None) -> str | None:
    """What is stored of a client's address: a keyed hash; an IPv6 address by its /64 network,
    which one home or phone usually has whole. None when the address is unknown."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.ipv4_mapped or ipaddress.ip_network(f"{ip}/64", strict=False)
    return devices.hashed(str(ip), "registration-client")


def _limit(name: str, default: int) -> int | None:
    """The configured limit; None (or 0, as the environment gives it) is no limit."""
    return current_app.config.get(name, default) or None


def forget_clients(now: datetime) -> datetime:
    """Clear the client of registrations older than LIMIT_WINDOW (kept only while it counts);
    return where the window starts."""
    since = now - LIMIT_WINDOW
    db.session.execute(
        update(Registration)
        .where(Registration.client.is_not(None), Registration.queued_at < since)
        .values(client=None)
        .execution_options(synchronize_session=False)
    )
    return since


def check_limits(workshop: Workshop, client: str | None, now: datetime) -> None:
    """Refuse a registration when this client or this workshop had too many in LIMIT_WINDOW.

    Raises RegistrationError 'client_limit' or 'workshop_limit'.
    """
    since = forget_clients(now)
    recent = select(func.count()).select_from(Registration).where(Registration.queued_at >= since)

    def over(limit: int | None, mine) -> bool:
        return limit is not None and db.session.scalar(recent.where(mine)) >= limit

    per_client = _limit("REGISTRATIONS_PER_CLIENT", REGISTRATIONS_PER_CLIENT)
    if client and over(per_client, Registration.client == client):
        raise RegistrationError("client_limit")
    per_workshop = _limit("REGISTRATIONS_PER_WORKSHOP", REGISTRATIONS_PER_WORKSHOP)
    if over(per_workshop, Registration.workshop_id == workshop.id):
        raise RegistrationError("workshop_limit")


def accepts_registrations(workshop: Workshop) -> bool:
    """Only public workshops that are not closed take registrations."""
    return bool(workshop.is_public) and workshop.status != "closed"


def confirmed_count(workshop: Workshop) -> int:
    """How many people have a place."""
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.workshop_id == workshop.id, Registration.status == "confirmed")
    )


def _waiting(workshop: Workshop) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.workshop_id == workshop.id, Registration.status == "waiting")
            .order_by(Registration.queued_at, Registration.id)
        )
    )


def lock_places(workshop: Workshop) -> None:
    """Take the workshop's places for this transaction, before counting them.

    An update of the workshop's row that changes nothing: on PostgreSQL it locks the row until
    the transaction ends, on SQLite it takes the database's write lock. Two registrations at the
    same moment then count one after the other, so the last place is given once.
    """
    db.session.execute(update(Workshop).where(Workshop.id == workshop.id).values(id=Workshop.id))


def has_room(workshop: Workshop) -> bool:
    """True when a new registration gets a place rather than a spot on the waiting list."""
    if workshop.capacity is None:
        return True
    return confirmed_count(workshop) < workshop.capacity and not _waiting(workshop)


def places_left(workshops: Sequence[Workshop]) -> dict[int, int | None]:
    """Free places per workshop id (None: no limit), in one query."""
    ids = [w.id for w in workshops]
    taken = dict(
        db.session.execute(
            select(Registration.workshop_id, func.count())
            .where(Registration.workshop_id.in_(ids), Registration.status == "confirmed")
            .group_by(Registration.workshop_id)
        ).all()
    )
    return {
        w.id: None if w.capacity is None else max(0, w.capacity - taken.get(w.id, 0))
        for w in workshops
    }


def register(
    workshop: Workshop,
    applicant: Applicant,
    *,
    device: str | None = None,
    client: str | None = None,
    now: datetime | None = None,
) -> Registration:
    """Give the applicant a place, or a spot on the waiting list when the workshop is full.

    `client` is client_key() of the address the request came from. Raises RegistrationError:
    'closed' (not public or closed), 'duplicate' (the address is already registered for this
    workshop), 'too_long', 'missing' (no name or address), 'client_limit' or 'workshop_limit'
    (too many registrations lately, see check_limits).
    """
    if not accepts_registrations(workshop):
        raise RegistrationError("closed")
    now = now or utcnow()
    name = line(applicant.name, MAX_NAME)
    email = line(applicant.email, MAX_EMAIL)
    if not name or "@" not in email:
        raise RegistrationError("missing")
    lock_places(workshop)
    check_limits(workshop, client, now)  # after the lock: parallel requests count one by one
    key = email_key(email)
    existing = db.session.scalar(
        select(Registration).where(
            Registration.workshop_id == workshop.id, Registration.email_key == key
        )
    )
    if existing is not None and existing.status != "cancelled":
        raise RegistrationError("duplicate")
    registration = existing or Registration(workshop_id=workshop.id, created_at=now)
    registration.workshop = workshop
    registration.token = secrets.token_urlsafe(32)
    registration.status = "confirmed" if has_room(workshop) else "waiting"
    registration.name = name
    registration.business_name = line(applicant.business_name, MAX_BUSINESS)
    registration.email = email
    registration.email_key = key
    registration.dietary = line(applicant.dietary, MAX_DIETARY)
    registration.contact_consent = bool(applicant.contact_consent)
    registration.device = device
    registration.client = client
    registration.queued_at = now
    registration.cancelled_at = None
    registration.reminded_at = None
    try:
        with db.session.begin_nested():
            db.session.add(registration)
    except IntegrityError as error:  # the same address sent twice at the same moment
        raise RegistrationError("duplicate") from error
    return registration


def by_token(token: str) -> Registration | None:
    """The registration a confirmation link points to."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Registration).where(Registration.token == token))


def waiting_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if registration.status != "waiting":
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.workshop_id == registration.workshop_id,
            Registration.status == "waiting",
            (Registration.queued_at < registration.queued_at)
            | (
                (Registration.queued_at == registration.queued_at)
                & (Registration.id < registration.id)
            ),
        )
    )
    return ahead + 1


def promote(workshop: Workshop) -> list[Registration]:
    """Move people up from the waiting list, first come first served, while there is room."""
    lock_places(workshop)
    moved: list[Registration] = []
    if workshop.capacity is None:
        free = len(_waiting(workshop))
    else:
        free = workshop.capacity - confirmed_count(workshop)
    for registration in _waiting(workshop)[: max(0, free)]:
        registration.status = "confirmed"
        moved.append(registration)
    db.session.flush()
    return moved


def cancel(registration: Registration, *, now: datetime | None = None) -> list[Registration]:
    """Cancel a registration; return the people who moved up from the waiting list into its place."""
    if registration.status == "cancelled":
        return []
    had_place = registration.status == "confirmed"
    registration.status = "cancelled"
    registration.cancelled_at = now or utcnow()
    registration.check_in = None
    db.session.flush()
    return promote(registration.workshop) if had_place else []


def set_capacity(workshop: Workshop, capacity: int | None) -> list[Registration]:
    """Change the number of places; return the people a larger capacity moved up."""
    if capacity is not None and capacity < 0:
        raise RegistrationError("capacity")
    workshop.capacity = capacity
    db.session.flush()
    return promote(workshop)


def check_in(registration: Registration, *, now: datetime | None = None) -> CheckIn:
    """Mark a registered person as present; someone from the waiting list gets their place."""
    if registration.status == "cancelled":
        raise RegistrationError("cancelled")
    if registration.check_in is not None:
        return registration.check_in
    registration.status = "confirmed"
    registration.check_in = CheckIn(
        workshop_id=registration.workshop_id,
        device=registration.device,
        checked_in_at=now or utcnow(),
    )
    db.session.flush()
    return registration.check_in


def walk_in(
    workshop: Workshop, name: str = "", business_name: str = "", *, now: datetime | None = None
) -> CheckIn:
    """Count someone who came without registering (the name is optional at a busy door)."""
    entry = CheckIn(
        workshop_id=workshop.id,
        name=line(name, MAX_NAME),
        business_name=line(business_name, MAX_BUSINESS),
        checked_in_at=now or utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def undo_check_in(entry: CheckIn) -> None:
    """Take back a check-in made by mistake (a walk-in disappears entirely)."""
    if entry.registration is not None:
        entry.registration.check_in = None
    else:
        db.session.delete(entry)
    db.session.flush()


@dataclass(frozen=True)
class Counts:
    """A workshop's registrations as numbers only (what viewers see)."""

    confirmed: int
    waiting: int
    cancelled: int
    checked_in: int  # checked-in registrations and walk-ins, as Roster.checked_in


def counts(workshop: Workshop) -> Counts:
    """How many have a place, wait, cancelled, are here; without loading anyone's data."""
    by_status = dict(
        db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.workshop_id == workshop.id)
            .group_by(Registration.status)
        ).all()
    )
    here = db.session.scalar(
        select(func.count())
        .select_from(CheckIn)
        .outerjoin(Registration, CheckIn.registration_id == Registration.id)
        .where(
            CheckIn.workshop_id == workshop.id,
            (CheckIn.registration_id.is_(None)) | (Registration.status == "confirmed"),
        )
    )
    return Counts(
        confirmed=by_status.get("confirmed", 0),
        waiting=by_status.get("waiting", 0),
        cancelled=by_status.get("cancelled", 0),
        checked_in=here or 0,
    )


def roster(workshop: Workshop) -> Roster:
    """Everyone registered for the workshop, by list, and the walk-ins."""
    rows = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.workshop_id == workshop.id)
            .options(selectinload(Registration.check_in))
            .order_by(Registration.queued_at, Registration.id)
        )
    )
    walk_ins = list(
        db.session.scalars(
            select(CheckIn)
            .where(CheckIn.workshop_id == workshop.id, CheckIn.registration_id.is_(None))
            .order_by(CheckIn.checked_in_at, CheckIn.id)
        )
    )
    by_status: dict[str, list[Registration]] = {s: [] for s in STATUSES}
    for registration in rows:
        by_status[registration.status].append(registration)
    by_status["confirmed"].sort(key=lambda r: (r.name.casefold(), r.id))
    return Roster(by_status["confirmed"], by_status["waiting"], by_status["cancelled"], walk_ins)


def workshop_end(workshop: Workshop) -> datetime | None:
    """When the workshop ended (or will end), naive UTC; None when it has no time yet."""
    if workshop.ended_at is not None:
        return workshop.ended_at
    span = calendar.span(workshop)
    return span[1] if span else None


def anonymise(registration: Registration, now: datetime) -> bool:
    """Remove the person from a registration; its status and check-in stay, to be counted.

    Old links stop working (the token is renewed). False when it was anonymised already.
    """
    if registration.anonymised_at is not None:
        return False
    registration.token = secrets.token_urlsafe(32)
    registration.name = registration.business_name = registration.email = ""
    registration.dietary = ""
    registration.email_key = None
    registration.contact_consent = False
    registration.device = registration.client = None
    registration.anonymised_at = now
    if registration.check_in is not None:
        registration.check_in.device = None
    return True


def anonymise_walk_in(entry: CheckIn) -> None:
    """Remove the name, business and phone of a walk-in; the check-in stays, to be counted."""
    entry.name = entry.business_name = ""
    entry.device = None


def purge_registrations(older_than_days: int | None = None, *, now: datetime | None = None) -> int:
    """Anonymise registrations and walk-ins of workshops that ended over `older_than_days` ago.

    The default is the REGISTRATION_RETENTION_DAYS setting (365 days when it is not set).

    Statuses and check-ins stay, so the attendance counts of the report do not change (except
    that one person checked in at several workshops is no longer known to be the same person).
    Also clears the client of registrations the rate limit no longer counts (forget_clients).
    Returns the number of registrations anonymised.
    """
    if older_than_days is None:
        older_than_days = int(current_app.config.get("REGISTRATION_RETENTION_DAYS", RETENTION_DAYS))
    now = now or utcnow()
    forget_clients(now)
    limit = now - timedelta(days=older_than_days)
    pending = select(Registration.workshop_id).where(Registration.anonymised_at.is_(None))
    named_walk_ins = select(CheckIn.workshop_id).where(
        CheckIn.registration_id.is_(None), (CheckIn.name != "") | (CheckIn.business_name != "")
    )
    candidates = db.session.scalars(
        select(Workshop).where(Workshop.id.in_(pending.union(named_walk_ins)))
    )
    ended = [w.id for w in candidates if (end := workshop_end(w)) is not None and end < limit]
    if not ended:
        return 0
    registrations = list(
        db.session.scalars(
            select(Registration)
            .options(selectinload(Registration.check_in))
            .where(Registration.workshop_id.in_(ended), Registration.anonymised_at.is_(None))
        )
    )
    for registration in registrations:
        anonymise(registration, now)
    for entry in db.session.scalars(
        select(CheckIn).where(CheckIn.workshop_id.in_(ended), CheckIn.registration_id.is_(None))
    ):
        anonymise_walk_in(entry)
    db.session.flush()
    return len(registrations)
