"""This package's part of the demo: Slusedal's workshops, businesses, ideas and connections.

Slusedal is invented: a rural municipality with a canal and locks, an old ironworks village
(Verket) and farms on the ridge. Every name here is fictional.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.db import utcnow
from app.extensions import db
from workshops.businesses.models import Business, Connection, Ecosystem
from workshops.ideas.models import Idea, Interest, Theme, Vote, VoteRound
from workshops.live.models import Participant
from workshops.programme import builder as programme_builder
from workshops.programme.models import Workshop
from workshops.projects.models import Project
from workshops.registrations import service as registrations

# (name, NACE code, offers, needs, free words kept as typed)
BUSINESSES = [
    (
        "Slusedal Gjestegård",
        "55.10",
        ["accommodation", "group_accommodation", "meals"],
        ["guided_tour", "local_food", "live_performance"],
        [],
    ),
    (
        "Kvernhuskafeen i Sluseby",
        "56.10",
        ["meals", "catering", "venue"],
        ["local_food", "local_drinks"],
        [],
    ),
    (
        "Sluseby Pub & Scene",
        "56.30",
        ["venue", "local_drinks"],
        ["live_performance", "stage_tech"],
        [],
    ),
    (
        "Ormebakken Sideri",
        "11.03",
        ["local_drinks", "tasting"],
        ["sales_outlet", "group_customers"],
        [],
    ),
    ("Kvitlia Geitgård", "10.51", ["local_food", "farm_visit"], ["sales_outlet", "visitors"], []),
    (
        "Slusedal Padling",
        "93.29",
        ["guided_tour", "equipment_rental"],
        ["accommodation", "meals", "passenger_transport"],
        [],
    ),
    (
        "Slusedal Opplevelser",
        "79.12",
        ["packaging", "booking_channel"],
        ["accommodation", "guided_tour"],
        [],
    ),
    (
        "Slusedal Spelemannstrio",
        "90.01",
        ["live_performance"],
        ["venue", "stage_tech", "visitors"],
        [],
    ),
    (
        "Slusedal Verksmuseum",
        "91.02",
        ["heritage_stories", "exhibition"],
        ["meals", "handmade_products"],
        [],
    ),
    (
        "Sluseby Smie",
        "25.50",
        ["handmade_products", "craft_demo"],
        ["sales_outlet", "design_branding"],
        [],
    ),
    (
        "Ullstua i Sluseby",
        "14.39",
        ["handmade_products", "souvenirs"],
        ["sales_outlet", "marketing_reach"],
        [],
    ),
    ("Slusedal Kanalbåt", "50.30", ["water_transport"], ["guided_tour", "packaging"], []),
    (
        "Slusedal Buss og Taxi",
        "49.39",
        ["passenger_transport", "stage_tech"],
        ["group_customers"],
        ["scene på henger"],
    ),
    ("Slusedal Næringsforum", "84.13", ["business_advice", "funding_advice"], [], []),
]

# (template key, title, weeks after workshop 1, start hour, minutes, place). The dates follow
# the day the demo is loaded: workshop 5 was 24 weeks before that week's Wednesday, so the
# follow-up below falls six months after it, as the method has it.
WORKSHOPS = [
    ("W1", "Hvem er vi og hva har vi", 0, 8, 180, "Kvernhuskafeen i Sluseby"),
    ("W2", "Idéer uten filter", 4, 8, 180, "Slusedal Verksmuseum"),
    ("W3", "Fra idé til felles produkt", 8, 13, 180, "Slusedal Gjestegård"),
    ("W4", "Test, lær og gjør det salgbart", 16, 8, 180, "Sluseby Pub & Scene"),
    ("W5", "Høste og holde liv i økosystemet", 20, 13, 150, "Kvernhuskafeen i Sluseby"),
]
W5_WEEKS_AGO = 24

# A workshop to try the console with: today, an hour after the demo is loaded, not yet started.
PRACTICE = ("W2", "Øvingsverksted: Idéer uten filter", "Slusedal Verksmuseum")
# The public follow-up meeting in three weeks (the method's follow-up has no steps of its own): twelve places taken and three people on the waiting list.
FOLLOW_UP = ("Oppfølging: ett år med kanalhelger", 21, 18, 120, "Sluseby Pub & Scene", 12)
REGISTRANTS = [
    ("Kari Sluseby", "Slusedal Gjestegård"),
    ("Ola Verket", "Slusedal Verksmuseum"),
    ("Ingrid Åsen", "Kvitlia Geitgård"),
    ("Per Kanal", "Slusedal Kanalbåt"),
    ("Nina Padle", "Slusedal Padling"),
    ("Hassan Ali", "Sluseby Pub & Scene"),
    ("Marte Smed", "Sluseby Smie"),
    ("Eva Ull", "Ullstua i Sluseby"),
    ("Jon Sider", "Ormebakken Sideri"),
    ("Siri Kvern", "Kvernhuskafeen i Sluseby"),
    ("Anders Buss", "Slusedal Buss og Taxi"),
    ("Liv Spelemann", "Slusedal Spelemannstrio"),
    ("Tor Opplevelse", "Slusedal Opplevelser"),
    ("Aisha Noor", ""),
    ("Berit Forum", "Slusedal Næringsforum"),
]


def demo_days(today: date) -> dict[str, date]:
    """The day of each past workshop, counted back from the day the demo is loaded."""
    wednesday = today - timedelta(days=(today.weekday() - 2) % 7)
    first = wednesday - timedelta(weeks=W5_WEEKS_AGO + WORKSHOPS[-1][2])
    return {key: first + timedelta(weeks=weeks) for key, _t, weeks, *_rest in WORKSHOPS}


# People working in each business and its stage (section 5 of the report), in BUSINESSES order;
# the businesses after these did not say.
SIZE_STAGE = [
    ("5-9", "established"),
    ("2-4", "established"),
    ("2-4", "new"),
    ("1", "new"),
    ("10-49", "established"),
    ("1", "established"),
    ("2-4", "established"),
    ("1", "idea"),
    ("1", "new"),
    ("", "established"),
]

# (workshop key, step key, text exactly as typed)
IDEAS = [
    ("W1", "W1.6", "Vi mangler bygdekvinnelaget og skolen her!"),
    ("W1", "W1.7", "Padletur på kanalen med overnatting og middag på gjestegården"),
    ("W1", "W1.7", "Konsert på puben med buss hjem etterpå"),
    ("W1", "W1.7", "Sidersmaking i museumshagen en sommerkveld"),
    ("W1", "W1.7", "Felles hylle med lokale produkter på kafeen"),
    ("W2", "W2.2", "Ingenting kan bookes på søndager"),
    ("W2", "W2.3", "Smeden viser smiing mens gjestene spiser lunsj i museet"),
    ("W2", "W2.3", "Familiedag på geitegården med båttur tilbake"),
    ("W2", "W2.3", "Spøkelsesvandring i verksbyen"),
    ("W2", "W2.5", "Kanalhelg med båt, padling, lokal mat og konsert"),
    ("W2", "W2.5", "Suvenirer med kumlokkmønster i strikk og smijern"),
    ("W2", "W2.5", "Vinterkonserter i museet for oss som bor her"),
    ("W3", "W3.3", "Kanalhelg for par fra byen som vil ha ro og god mat"),
    ("W3", "W3.6", "Hvem er arrangør hvis gjestegården og padlerne selger sammen?"),
    ("W3", "W3.7", "Jeg tester tre kanalhelger med betalende venner før 1. juni"),
    ("W3", "W3.7", "Smia og Ullstua lager ti prøveprodukter til museumsbutikken"),
    ("W4", "W4.2", "Jeg hadde betalt 2 900 kr for helgen, men ikke mer"),
    ("W4", "W4.6", "Ingen selger under avtalt pris, og vi deler etter antall gjester"),
    ("W5", "W5.3", "Puben har fått tre faste konsertkvelder, og jeg har fått nye kolleger"),
    ("W5", "W5.6", "Frokostmøte første tirsdag i måneden på kafeen, næringsforumet inviterer"),
]

# (business index a, business index b, status, workshop where the two first met), 1-based as in
# the method's demo table; the report draws the network after W1 and at the end.
CONNECTIONS = [
    (6, 1, "collaborating", "W1"),
    (3, 8, "collaborating", "W1"),
    (8, 13, "met", "W2"),
    (9, 10, "introduced", "W3"),
    (12, 7, "declined", "W2"),
]

ECOSYSTEMS = [
    ("Kanalhelg", [1, 6, 7, 12], "En helg på kanalen: båt, padling, lokal mat og overnatting."),
    ("Verkskveld", [3, 4, 8, 13], "Konsertkveld i verksbyen med sider og buss hjem."),
    ("Jernmønster", [9, 10, 11], "Suvenirer i strikk og smijern til museumsbutikken."),
]

# Devices present at each workshop: 22 people in all, most of them more than once.
ATTENDANCE = {
    "W1": range(0, 18),
    "W2": range(2, 18),
    "W3": range(4, 20),
    "W4": range(6, 19),
    "W5": range(8, 22),
}


def _run_as_planned(workshop: Workshop, starts: datetime) -> None:
    """Mark every step as run, a little over or under its plan, and close the workshop."""
    at = starts
    for n, step in enumerate(workshop.steps):
        actual = max(5, step.minutes + (-3, 0, 2, 4, -2)[n % 5])
        step.started_at = at
        step.ended_at = at + timedelta(minutes=actual)
        step.actual_minutes = actual
        at = step.ended_at
    workshop.started_at = starts
    workshop.ended_at = at
    workshop.current_step_id = workshop.steps[-1].id if workshop.steps else None
    workshop.status = "closed"


# W2's clustering (step W2.6): the themes that later became the ecosystems.
THEMES = {
    "Kanalhelg": [
        "Kanalhelg med båt, padling, lokal mat og konsert",
        "Familiedag på geitegården med båttur tilbake",
    ],
    "Verkskveld": ["Vinterkonserter i museet for oss som bor her", "Spøkelsesvandring i verksbyen"],
    "Jernmønster": [
        "Suvenirer med kumlokkmønster i strikk og smijern",
        "Smeden viser smiing mens gjestene spiser lunsj i museet",
    ],
}
# Dots given in W2.5 (three per person), and who wanted to work on which idea (W2.7).
VOTES = {
    "Kanalhelg med båt, padling, lokal mat og konsert": 11,
    "Suvenirer med kumlokkmønster i strikk og smijern": 7,
    "Vinterkonserter i museet for oss som bor her": 5,
}
INTERESTS = {
    "Kanalhelg med båt, padling, lokal mat og konsert": [1, 6, 7, 12],
    "Vinterkonserter i museet for oss som bor her": [3, 8, 13, 4],
    "Suvenirer med kumlokkmønster i strikk og smijern": [9, 10, 11],
}


def _themes_votes_interests(workshop: Workshop, businesses: list[Business]) -> None:
    by_text = {
        idea.text: idea
        for idea in db.session.scalars(db.select(Idea).where(Idea.workshop_id == workshop.id))
    }
    for position, (name, texts) in enumerate(THEMES.items()):
        theme = Theme(workshop_id=workshop.id, name=name, position=position)
        db.session.add(theme)
        db.session.flush()
        for text in texts:
            by_text[text].theme_id = theme.id
    step = next((s for s in workshop.steps if s.key == "W2.5"), None)
    vote_round = VoteRound(
        workshop_id=workshop.id,
        step_id=step.id if step else None,
        dots=3,
        status="closed",
        revealed=True,
        opened_at=workshop.started_at,
        closed_at=workshop.started_at + timedelta(minutes=100),
    )
    db.session.add(vote_round)
    db.session.flush()
    voter = 0
    for text, dots in VOTES.items():
        for _ in range(dots):
            db.session.add(
                Vote(
                    round_id=vote_round.id,
                    idea_id=by_text[text].id,
                    device=f"demo-device-{voter % 16 + 2:02d}",
                    dots=1,
                    created_at=vote_round.opened_at,
                )
            )
            voter += 1
    for text, members in INTERESTS.items():
        for n in members:
            business = businesses[n - 1]
            db.session.add(
                Interest(
                    idea_id=by_text[text].id,
                    device=f"demo-business-{n:02d}",
                    business_name=business.name,
                    business_id=business.id,
                    created_at=workshop.started_at + timedelta(minutes=150),
                )
            )


def _utc(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _upcoming(project: Project, now: datetime, zone: ZoneInfo) -> None:
    """The practice workshop today and the public follow-up with its registrations."""
    local_now = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    soon = (local_now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    template, title, place = PRACTICE
    practice = programme_builder.add_workshop(
        project,
        title,
        template=template,
        starts_at=soon.astimezone(ZoneInfo("UTC")).replace(tzinfo=None),
        place=place,
    )
    practice.visibility = "open"
    practice.is_public = False
    title, days, hour, minutes, place, capacity = FOLLOW_UP
    follow_up = programme_builder.add_workshop(
        project,
        title,
        starts_at=_utc(local_now.date() + timedelta(days=days), hour, 0, zone),
        place=place,
    )
    follow_up.duration_minutes = minutes
    follow_up.is_public = True
    follow_up.capacity = capacity
    db.session.flush()
    for n, (name, business) in enumerate(REGISTRANTS):
        handle = name.split()[0].lower().replace("å", "a")
        registrations.register(
            follow_up,
            registrations.Applicant(
                name=name,
                email=f"{handle}.{n}@demo.example",
                business_name=business,
                contact_consent=n % 3 != 0,
            ),
            now=now - timedelta(days=len(REGISTRANTS) - n),
        )


def load(project: Project, now: datetime | None = None) -> None:
    """Add Slusedal's businesses, closed workshops, ideas, connections and ecosystems, then the
    practice workshop of the day and the public follow-up (dates counted from `now`)."""
    zone = ZoneInfo(project.timezone)
    now = now or utcnow()
    days = demo_days(now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date())
    businesses = []
    for name, nace, offers, needs, free in BUSINESSES:
        business = Business(
            project=project,
            name=name,
            sector=nace,
            offers=offers,
            needs=needs,
            offers_free=free,
            municipality="Slusedal",
            contact_consent=True,
            # All but the last two agreed to be named in the method report.
            report_consent=len(businesses) < len(BUSINESSES) - 2,
        )
        if len(businesses) < len(SIZE_STAGE):
            business.size_band, business.stage = SIZE_STAGE[len(businesses)]
        db.session.add(business)
        businesses.append(business)
    workshops = {}
    for key, title, _weeks, hour, _minutes, place in WORKSHOPS:
        starts = _utc(days[key], hour, 0, zone)
        workshop = programme_builder.add_workshop(
            project, title, template=key, starts_at=starts, place=place
        )
        workshop.visibility = "stepwise"
        _run_as_planned(workshop, starts)
        workshops[key] = workshop
    db.session.flush()
    for key, devices in ATTENDANCE.items():
        workshop = workshops[key]
        for n in devices:
            db.session.add(
                Participant(
                    workshop_id=workshop.id,
                    device=f"demo-device-{n:02d}",
                    joined_at=workshop.started_at + timedelta(minutes=5),
                )
            )
    for n, (key, step_key, text) in enumerate(IDEAS):
        workshop = workshops[key]
        step = next((s for s in workshop.steps if s.key == step_key), None)
        created = (step.started_at if step else workshop.started_at) + timedelta(minutes=2 + n % 7)
        db.session.add(
            Idea(
                workshop_id=workshop.id,
                step_id=step.id if step else None,
                text=text,
                created_at=created,
            )
        )
    _themes_votes_interests(workshops["W2"], businesses)
    for a, b, status, met_at in CONNECTIONS:
        db.session.add(
            Connection(
                project_id=project.id,
                created_at=workshops[met_at].ended_at or workshops[met_at].starts_at,
                a=businesses[a - 1],
                b=businesses[b - 1],
                status=status,
                origin="suggested",
            )
        )
    # Each ecosystem's product grew from the ideas of its W2 theme (report section 7).
    by_text = {
        idea.text: idea
        for idea in db.session.scalars(
            db.select(Idea).where(Idea.workshop_id.in_([w.id for w in workshops.values()]))
        )
    }
    for name, members, product in ECOSYSTEMS:
        db.session.add(
            Ecosystem(
                project_id=project.id,
                name=name,
                product=product,
                status="testing",
                members=[businesses[i - 1] for i in members],
                ideas=[by_text[text] for text in THEMES.get(name, ()) if text in by_text],
            )
        )
    db.session.flush()
    _upcoming(project, now, zone)
    db.session.flush()
