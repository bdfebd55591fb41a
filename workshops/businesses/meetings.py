"""Speed meetings and connections in the live room: the step drives the rounds.

A step that collects `pairings` runs speed-meeting rounds as METHOD.md says (W3.2: three rounds
of eight minutes): the first round is paired when the step starts, the next ones when the leader
presses on the console. Nobody meets the same person twice in a step, pairs the leader marked
not relevant or whose connection was declined never meet, and an odd person joins a trio. A
phone sees "meet X at table N", the wall the table plan. A phone records whom it met as a
connection with origin "workshop" (status met), in a `pairings` or a `connections` step.

Registered into the live room's step registry at start-up (the live room never imports this).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import datetime
from itertools import combinations

from flask import Blueprint
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from app.db import utcnow
from app.extensions import csrf, db
from workshops import devices
from workshops.businesses import pairing_service, registry
from workshops.businesses.models import Business, Connection, MeetingRound
from workshops.http import api_abort, json_body
from workshops.live import participants, steps
from workshops.live.api import WRITE_ERRORS, nullable, operation, workshop_or_404
from workshops.live.models import Participant
from workshops.live.steps import Control, Kind, Panel, StepError
from workshops.programme.versions import bump

ROUNDS = 3  # METHOD.md W3.2: 3 x 8 min
ROUND_MINUTES = 8

bp = Blueprint("meetings_api", __name__, url_prefix="/api/v1/workshops")


def plan_of(step) -> tuple[int, int]:
    """(rounds, minutes per round) for a speed-meeting step: 3 x 8, fewer minutes if short."""
    minutes = min(ROUND_MINUTES, max(1, (step.minutes or 0) // ROUNDS)) if step else ROUND_MINUTES
    return ROUNDS, minutes


def rounds(workshop, step) -> list[MeetingRound]:
    """The step's rounds so far, first first."""
    if step is None:
        return []
    return list(
        db.session.scalars(
            select(MeetingRound)
            .where(MeetingRound.workshop_id == workshop.id, MeetingRound.step_id == step.id)
            .order_by(MeetingRound.number)
        )
    )


def _current_step(workshop):
    return next((s for s in workshop.steps if s.id == workshop.current_step_id), None)


def _pairs(groups) -> set[frozenset[str]]:
    return {frozenset((str(a), str(b))) for g in groups for a, b in combinations(g, 2)}


def next_round(workshop, step, now: datetime) -> MeetingRound:
    """Pair those present for the step's next round; StepError when done or too few."""
    from workshops.businesses import pairing  # NumPy and NetworkX: loaded on first use

    done = rounds(workshop, step)
    total, minutes = plan_of(step)
    if len(done) >= total:
        raise StepError("rounds_done")
    present = pairing_service.present_businesses(workshop.project, workshop)
    if len(present) < 2:
        raise StepError("too_few")
    interests = pairing_service.interests_by_business(workshop.project)
    declined = set(pairing_service.feedback(workshop.project).bad)
    met = set()
    for earlier in done:
        met |= _pairs(earlier.groups)
    meeting = pairing.speed_meeting(
        [pairing_service.profile_of(b, interests.get(b.id)) for b in present],
        apart=declined | met,
    )
    meeting_round = MeetingRound(
        workshop_id=workshop.id,
        step_id=step.id,
        number=len(done) + 1,
        minutes=minutes,
        groups=_nobody_alone([list(g) for g in meeting.groups], declined, met),
        started_at=now,
    )
    db.session.add(meeting_round)
    bump(workshop)
    return meeting_round


def _nobody_alone(groups: list[list[str]], declined: set, met: set) -> list[list[int]]:
    """Seat anyone the pairing left alone (everyone near has met them) in a group: one without
    a declined pair, where they repeat the fewest meetings; ids as integers."""
    alone = [g[0] for g in groups if len(g) == 1]
    seated = [g for g in groups if len(g) > 1]
    for person in alone:
        options = [g for g in seated if not any(frozenset((person, x)) in declined for x in g)]
        if not options:
            seated.append([person])
            continue
        best = min(options, key=lambda g: (sum(frozenset((person, x)) in met for x in g), len(g)))
        best.append(person)
    return [[int(x) for x in group] for group in seated]


def latest(workshop, step) -> MeetingRound | None:
    """The step's round being run (the last one started)."""
    done = rounds(workshop, step)
    return done[-1] if done else None


def _names(ids) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Business.id, Business.name).where(Business.id.in_(ids)))
    return dict(rows.all())


def tables(meeting_round: MeetingRound) -> list[dict]:
    """The table plan: table number and the names at it."""
    names = _names({x for g in meeting_round.groups for x in g})
    return [
        {"table": n, "names": [names.get(x, "") for x in group]}
        for n, group in enumerate(meeting_round.groups, start=1)
    ]


def given_name(workshop, device: str) -> str:
    """The business name this phone gave in the workshop, trimmed ("" when none)."""
    name = db.session.scalar(
        select(Participant.business_name).where(
            Participant.workshop_id == workshop.id, Participant.device == device
        )
    )
    return (name or "").strip()


def business_of(workshop, device: str) -> Business | None:
    """The registered business this phone named (by its participant's business name)."""
    name = given_name(workshop, device)
    if not name:
        return None
    return db.session.scalar(
        select(Business).where(
            Business.project_id == workshop.project_id,
            func.lower(func.trim(Business.name)) == name.lower(),
        )
    )


def unregistered_names(workshop) -> list[str]:
    """Business names this workshop's phones gave that the project's register does not have
    (as first written, in name order): their phones cannot be paired until the leader adds them."""
    given: dict[str, str] = {}
    for name in db.session.scalars(
        select(Participant.business_name).where(
            Participant.workshop_id == workshop.id, Participant.business_name != ""
        )
    ):
        if name.strip():
            given.setdefault(name.strip().lower(), name.strip())
    registered = {b.name.strip().lower() for b in workshop.project.businesses}
    return sorted((name for key, name in given.items() if key not in registered), key=str.lower)


MAX_REGISTERED_AT_ONCE = 100


def register_named(workshop) -> int:
    """Add the businesses this workshop's phones named to the project's register, by name only
    (a name that says what the business is gives it assumed tags); return how many."""
    names = unregistered_names(workshop)[:MAX_REGISTERED_AT_ONCE]
    for name in names:
        registry.save(workshop.project, registry.BusinessData(name=name))
    return len(names)


def my_meeting(workshop, device: str) -> dict:
    """What one phone sees: its business, its table and whom it meets in the current round.

    A phone whose business is not in the register gets the name it gave as `named`."""
    step = _current_step(workshop)
    mine = business_of(workshop, device)
    meeting_round = latest(workshop, step) if "pairings" in steps.kinds_of(step) else None
    result = {"business": mine.name if mine else None, "round": None, "table": None, "with": []}
    if mine is None and (named := given_name(workshop, device)):
        result["named"] = named
    if meeting_round is None:
        return result
    total, _minutes = plan_of(step)
    result.update({"round": meeting_round.number, "rounds": total})
    if mine is None:
        return result
    for n, group in enumerate(meeting_round.groups, start=1):
        if mine.id in group:
            names = _names(set(group) - {mine.id})
            result["table"] = n
            result["with"] = [{"id": x, "name": names.get(x, "")} for x in group if x != mine.id]
    return result


def may_meet(workshop, step) -> list[Business]:
    """Whom a phone may say it met in a `connections` step: the businesses present."""
    return pairing_service.present_businesses(workshop.project, workshop)


def record_met(workshop, device: str, other_id: object, now: datetime):
    """Record that this phone's business met another: a connection, origin workshop, met."""
    if workshop.status == "closed":
        raise StepError("closed")
    step = _current_step(workshop)
    kinds = steps.kinds_of(step)
    if "pairings" not in kinds and "connections" not in kinds:
        raise StepError("not_now")
    mine = business_of(workshop, device)
    if mine is None:
        raise StepError("no_business")
    if not isinstance(other_id, int) or isinstance(other_id, bool):
        raise StepError("not_a_pair")
    other = db.session.get(Business, other_id)
    allowed = {b.id for b in may_meet(workshop, step)}
    if "pairings" in kinds:
        allowed = {x for r in rounds(workshop, step) for g in r.groups if mine.id in g for x in g}
    if other is None or other.id == mine.id or other.id not in allowed:
        raise StepError("not_a_pair")
    connection = pairing_service.connect(workshop.project, mine, other, origin="workshop")
    if connection.status in ("suggested", "introduced"):
        pairing_service.set_status(connection, "met")
    return connection


# --- the step registry ---------------------------------------------------------------------


def _start(workshop, step, now: datetime) -> None:
    if not rounds(workshop, step):
        # Too few present yet: the console offers the first round.
        with suppress(StepError):
            next_round(workshop, step, now)


def _panel(workshop, step, manual: bool) -> Panel | None:
    if workshop.status == "closed":
        return None
    total, minutes = plan_of(step)
    done = rounds(workshop, step)
    present = len(pairing_service.present_businesses(workshop.project, workshop))
    lines = [
        ngettext(
            "%(num)s registered business is here.",
            "%(num)s registered businesses are here.",
            present,
        ),
    ]
    if done:
        lines.insert(
            0,
            ngettext(
                "Round %(n)s of %(total)s, %(minutes)s min: %(num)s table.",
                "Round %(n)s of %(total)s, %(minutes)s min: %(num)s tables.",
                len(done[-1].groups),
                n=done[-1].number,
                total=total,
                minutes=minutes,
            ),
        )
    controls: tuple[Control, ...] = ()
    if len(done) < total:
        label = _("Pair round %(n)s", n=len(done) + 1)
        controls = (Control("next", label, primary=True),)
    unknown_lines, unknown_controls = _unregistered(workshop)
    return Panel(
        "pairings",
        _("Speed meetings"),
        tuple(lines) + unknown_lines,
        controls + unknown_controls,
    )


def _unregistered(workshop) -> tuple[tuple[str, ...], tuple[Control, ...]]:
    """The console's line naming the businesses phones gave that the project lacks, and the
    button that adds them (nothing when there are none)."""
    unknown = unregistered_names(workshop)
    if not unknown:
        return (), ()
    line = ngettext(
        "Named on phones, not among the project's businesses: %(names)s.",
        "Named on phones, not among the project's businesses: %(names)s.",
        len(unknown),
        # Each name between Unicode's isolates: one name's direction override cannot reverse
        # the names after it.
        names=", ".join(f"\u2068{name}\u2069" for name in unknown),
    )
    label = ngettext(
        "Add %(num)s business to the project",
        "Add %(num)s businesses to the project",
        min(len(unknown), MAX_REGISTERED_AT_ONCE),
    )
    return (line,), (Control("register", label),)


def _connections_panel(workshop, step, manual: bool) -> Panel | None:
    """What the leader sees while phones record whom they met: how many, and who cannot yet."""
    if workshop.status == "closed":
        return None
    count = _connections_counts(workshop).get("connections", 0)
    lines = (
        ngettext(
            "%(num)s meeting recorded from phones in this project.",
            "%(num)s meetings recorded from phones in this project.",
            count,
        ),
    )
    unknown_lines, controls = _unregistered(workshop)
    return Panel("connections", _("Who met whom"), lines + unknown_lines, controls)


def _connections_wall(workshop, step) -> dict | None:
    """The wall while phones record whom they met: what to do, and how many so far."""
    if workshop.status == "closed":
        return None
    count = _connections_counts(workshop).get("connections", 0)
    return {
        "lines": [
            _("On your phone, press “We met” for each business you talked with."),
            ngettext(
                "%(num)s meeting recorded from phones in this project.",
                "%(num)s meetings recorded from phones in this project.",
                count,
            ),
        ]
    }


def _connections_act(workshop, action: str, form: Mapping, now: datetime) -> None:
    if workshop.status == "closed":
        raise StepError("closed")
    if action != "register":
        raise StepError("unknown_action")
    register_named(workshop)


def _act(workshop, action: str, form: Mapping, now: datetime) -> None:
    if workshop.status == "closed":
        raise StepError("closed")
    if action == "register":
        register_named(workshop)
        return
    if action != "next":
        raise StepError("unknown_action")
    next_round(workshop, _current_step(workshop), now)


def _phone(workshop, step) -> dict | None:
    meeting_round = latest(workshop, step)
    total, minutes = plan_of(step)
    return {
        "round": meeting_round.number if meeting_round else None,
        "rounds": total,
        "minutes": minutes,
    }


def _wall(workshop, step) -> dict | None:
    meeting_round = latest(workshop, step)
    if meeting_round is None:
        return None
    total, minutes = plan_of(step)
    return {
        "round": meeting_round.number,
        "rounds": total,
        "minutes": minutes,
        "tables": tables(meeting_round),
        "lines": [
            ngettext(
                "Round %(n)s of %(total)s, %(minutes)s min: %(num)s table.",
                "Round %(n)s of %(total)s, %(minutes)s min: %(num)s tables.",
                len(meeting_round.groups),
                n=meeting_round.number,
                total=total,
                minutes=minutes,
            )
        ],
        "table_label": _("Table"),
    }


def _connections_counts(workshop) -> dict[str, int]:
    count = db.session.scalar(
        select(func.count(Connection.id)).where(
            Connection.project_id == workshop.project_id, Connection.origin == "workshop"
        )
    )
    return {"connections": count} if count else {}


# --- the phones' API -------------------------------------------------------------------------

MEET_ERRORS = {
    "closed": (409, lambda: _("This workshop is closed.")),
    "not_now": (409, lambda: _("This step does not record meetings.")),
    "no_business": (409, lambda: _("Tell us the name of your business first.")),
    "not_a_pair": (422, lambda: _("That business is not one you could have met here.")),
}


def _device() -> str:
    return participants.device_key(devices.current_device())


@bp.get("/<code>/meeting")
def my_meeting_api(code: str):
    """This phone's table and whom it meets in the current speed-meeting round."""
    workshop = workshop_or_404(code)
    result = my_meeting(workshop, _device())
    step = _current_step(workshop)
    if "connections" in steps.kinds_of(step):
        mine = business_of(workshop, _device())
        result["present"] = [
            {"id": b.id, "name": b.name}
            for b in may_meet(workshop, step)
            if mine is None or b.id != mine.id
        ]
    return result


@bp.post("/<code>/met")
def met_api(code: str):
    """Record that this phone's business met another (a connection, origin workshop)."""
    data = json_body()
    workshop = workshop_or_404(code)
    try:
        connection = record_met(workshop, _device(), data.get("with"), utcnow())
        db.session.commit()
    except (StepError, pairing_service.OutcomeError) as error:
        db.session.rollback()
        code_ = getattr(error, "code", "not_a_pair")
        status, message = MEET_ERRORS.get(code_, MEET_ERRORS["not_a_pair"])
        api_abort(status, code_, message())
    return {"connection": connection.id, "status": connection.status}, 201


def openapi_paths(spec: dict) -> None:
    """Describe the phones' meeting endpoints in the OpenAPI document."""
    person = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    }
    spec["paths"]["/workshops/{code}/meeting"] = {
        "get": operation(
            "This phone's table and whom it meets in the current speed-meeting round",
            "200",
            {
                "type": "object",
                "properties": {
                    "business": nullable("string"),
                    "named": {
                        "type": "string",
                        "description": "the business name this phone gave, when no registered "
                        "business has it",
                    },
                    "round": nullable("integer"),
                    "rounds": {"type": "integer"},
                    "table": nullable("integer"),
                    "with": {"type": "array", "items": person},
                    "present": {"type": "array", "items": person},
                },
            },
            (404, 503),
        )
    }
    spec["paths"]["/workshops/{code}/met"] = {
        "post": operation(
            "Record that this phone's business met another (a connection, origin workshop)",
            "201",
            {
                "type": "object",
                "properties": {"connection": {"type": "integer"}, "status": {"type": "string"}},
            },
            WRITE_ERRORS,
            {"type": "object", "required": ["with"], "properties": {"with": {"type": "integer"}}},
        )
    }


def init_app(app) -> None:
    """Register speed meetings and connections with the live room, and the phones' API."""
    steps.register(
        app,
        Kind(
            "pairings",
            on_start=_start,
            panel=_panel,
            act=_act,
            phone=_phone,
            wall=_wall,
        ),
    )
    steps.register(
        app,
        Kind(
            "connections",
            counts=_connections_counts,
            panel=_connections_panel,
            act=_connections_act,
            wall=_connections_wall,
            phone=lambda workshop, step: {"open": workshop.status != "closed"},
        ),
    )
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.extensions.setdefault("kraftverk.openapi", []).append(openapi_paths)
