"""The public calendar: which workshops it lists, and the same as iCalendar (RFC 5545) feeds.

Only public workshops that are not closed and have a time appear. Times are stored in naive UTC
and written in the project's time zone (DTSTART;TZID=Europe/Oslo:...) with its VTIMEZONE, so
calendar programs show the local time even across daylight-saving changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from workshops.programme.models import Workshop
from workshops.projects.models import Project

if TYPE_CHECKING:
    from icalendar import Event

DEFAULT_TIMEZONE = "Europe/Oslo"
# When neither the workshop nor its steps say how long it takes.
DEFAULT_MINUTES = 180
PRODID = "-//Kraftverk//Workshop calendar//EN"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Row = tuple[Workshop, Project]


def zone(project: Project) -> ZoneInfo:
    """The project's time zone, or Europe/Oslo when it is unknown."""
    try:
        return ZoneInfo(project.timezone or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def span(workshop: Workshop) -> tuple[datetime, datetime] | None:
    """Start and end in naive UTC: the planned length, else the steps' minutes, else 3 hours."""
    if workshop.starts_at is None:
        return None
    minutes = workshop.duration_minutes or sum(s.minutes or 0 for s in workshop.steps)
    return workshop.starts_at, workshop.starts_at + timedelta(minutes=minutes or DEFAULT_MINUTES)


def local(value: datetime, project: Project) -> datetime:
    """A stored naive UTC time in the project's time zone."""
    return value.replace(tzinfo=UTC).astimezone(zone(project))


def web_url(url: str | None) -> str:
    """The link if it is an http(s) address, else '' (never a javascript: or data: link)."""
    url = (url or "").strip()
    return url if re.match(r"^https?://[^\s<>\"']+$", url, re.IGNORECASE) else ""


def public_workshops(
    *,
    project: Project | None = None,
    municipality: str = "",
    theme: str = "",
    upcoming_after: datetime | None = None,
) -> list[Row]:
    """Public, not closed workshops with a time, soonest first; optionally filtered.

    `upcoming_after` keeps only workshops that have not ended by then (for the calendar page;
    the feeds keep past ones so subscribed calendars keep their history).
    """
    stmt = (
        select(Workshop, Project)
        .join(Project, Project.id == Workshop.project_id)
        .where(
            Workshop.is_public.is_(True),
            Workshop.status != "closed",
            Workshop.starts_at.is_not(None),
        )
        .order_by(Workshop.starts_at, Workshop.id)
    )
    if project is not None:
        stmt = stmt.where(Workshop.project_id == project.id)
    # Exact matches: the values come from filter_choices() (SQLite's lower() knows no "Å").
    if municipality:
        stmt = stmt.where(Project.municipality == municipality.strip())
    if theme:
        stmt = stmt.where(Workshop.theme == theme.strip())
    if upcoming_after is not None:
        # A workshop lasts at most a day: look back that far, then keep those not yet over.
        stmt = stmt.where(Workshop.starts_at >= upcoming_after - timedelta(days=1))
    rows = [(w, p) for w, p in db.session.execute(stmt).all()]
    if upcoming_after is not None:
        rows = [(w, p) for w, p in rows if span(w)[1] > upcoming_after]
    return rows


def filter_choices(*, now: datetime | None = None) -> tuple[list[str], list[str]]:
    """The municipalities and themes of upcoming public workshops, for the calendar's filters."""
    rows = public_workshops(upcoming_after=now or utcnow())
    municipalities = sorted({p.municipality for _w, p in rows if p.municipality}, key=str.casefold)
    themes = sorted({w.theme for w, _p in rows if w.theme}, key=str.casefold)
    return municipalities, themes


def has_public_workshops(project: Project) -> bool:
    """True when the project has ever shown a workshop publicly (its feed is then public)."""
    return bool(
        db.session.scalar(
            select(Workshop.id)
            .where(Workshop.project_id == project.id, Workshop.is_public.is_(True))
            .limit(1)
        )
    )


def _text(value: str) -> str:
    """Text for a property: control characters removed (icalendar escapes the rest)."""
    return _CONTROL.sub("", value or "").replace("\r\n", "\n").replace("\r", "\n")


def uid(workshop: Workshop) -> str:
    """A UID that stays the same for the workshop however often the feed is fetched."""
    created = (workshop.created_at or datetime(2000, 1, 1)).strftime("%Y%m%dT%H%M%S")
    return f"workshop-{workshop.id}-{created}@kraftverk"


def event(
    workshop: Workshop, project: Project, *, register_url: str, description: str, now: datetime
) -> Event:
    """One VEVENT: local times with TZID, place, online link (URL), registration link."""
    from icalendar import Event

    start, end = span(workshop)
    item = Event()
    item.add("uid", uid(workshop))
    item.add("dtstamp", now.replace(tzinfo=UTC))
    item.add("dtstart", local(start, project))
    item.add("dtend", local(end, project))
    item.add("summary", _text(workshop.title))
    if workshop.place:
        item.add("location", _text(workshop.place))
    link = web_url(workshop.online_url) or web_url(register_url)
    if link:
        item.add("url", link)
    item.add("description", _text(description))
    if workshop.theme:
        item.add("categories", [_text(workshop.theme)])
    item.add("status", "CONFIRMED")
    item.add("transp", "OPAQUE")
    return item


def build(
    rows: Sequence[Row],
    *,
    name: str,
    register_url: Callable[[Workshop], str],
    describe: Callable[[Workshop, Project, str], str],
    now: datetime | None = None,
) -> bytes:
    """An iCalendar file of `rows` with a VTIMEZONE for every project zone they use.

    `register_url(workshop)` gives the registration page's address; `describe(workshop,
    project, register_url)` the event's description in the project's language.
    """
    from icalendar import Calendar

    now = now or utcnow()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _text(name))
    for workshop, project in rows:
        url = register_url(workshop)
        cal.add_component(
            event(
                workshop,
                project,
                register_url=url,
                description=describe(workshop, project, url),
                now=now,
            )
        )
    if rows:
        # Rules for the years the events span (not 1970-2038), so the file stays small.
        first = min(w.starts_at for w, _p in rows).date() - timedelta(days=366)
        last = max(w.starts_at for w, _p in rows).date() + timedelta(days=366)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()
