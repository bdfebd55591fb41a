"""A project world where every field a user can fill holds a hostile payload.

Everything goes in through the app's own doors (the forms, the phone API, the CSV import), with
the field limits the forms set, so what is stored is what a real person could have typed. Many
payloads share one page: one project holds all the ideas, steps, workshops and themes; one small
project per payload holds the one-per-project fields (name, municipality, description).
"""

from __future__ import annotations

import atexit
import csv
import io
import itertools
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from tests.conftest import login
from tests.security.xss_payloads import fit, has_c0, network_payload

MAIN = "xss"
FIRMS = "xss-firms"
IMPORTED = "xss-import"
OPTIONS_PER_QUESTION = 20
QUESTIONS_PER_FORM = 38


@dataclass
class World:
    """Where the payloads went: slugs, ids, tokens, and what each field stored."""

    payloads: list[str]
    live_id: int = 0
    code: str = ""
    planned: list[int] = field(default_factory=list)  # workshops titled by payloads
    steps: list[int] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)  # one per payload
    forms: list[int] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    firms: list[int] = field(default_factory=list)  # businesses made by the form
    registrations: list[str] = field(default_factory=list)
    import_token: str = ""
    fields: dict[str, int] = field(default_factory=dict)  # field -> payloads stored
    ideas: int = 0  # stored in the live workshop
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # NUL, where a door says no (422)

    def count(self, name: str, n: int = 1) -> None:
        self.fields[name] = self.fields.get(name, 0) + n


class Listener:
    """A TCP listener on a free local port that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _address = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    self.connections.append(conn.recv(200) or b"(connected)")
                except OSError:
                    self.connections.append(b"(connected)")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def _c0_fields(sent, path: str = "") -> list[str]:
    """The names (form fields, JSON paths) of the values that hold a C0 control character."""
    if isinstance(sent, str):
        return [path] if has_c0(sent) else []
    if isinstance(sent, dict):
        found = []
        for key, value in sent.items():
            found += _c0_fields(value, f"{path}.{key}" if path else str(key))
        return found
    if isinstance(sent, (list, tuple)):
        return [name for n, item in enumerate(sent) for name in _c0_fields(item, path or str(n))]
    return []


def _post(world: World, client, url: str, *, ok=(200, 201, 302, 303), **kwargs):
    response = client.post(url, **kwargs)
    world.requests += 1
    if response.status_code not in ok:
        fields = _c0_fields(kwargs.get("json", kwargs.get("data")))
        body = response.get_data(as_text=True)
        expected = 422 if "json" in kwargs else 400
        if fields and response.status_code == expected and any(f in body for f in fields):
            world.refused.append(f"POST {url} -> {response.status_code} (control character)")
        else:
            world.failures.append(f"POST {url} -> {response.status_code}")
    return response


def _id_of_last(model, **where) -> int:
    stmt = select(model.id).order_by(model.id.desc()).limit(1)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return db.session.scalar(stmt)


def build(app, leader_email: str, payloads: list[str]) -> World:
    """Fill every field with every payload; return where they went."""
    world = World(payloads=payloads)
    with app.app_context():
        leader = app.test_client()
        login(leader, leader_email)
        _account(world, leader)
        _projects(world, leader)
        _main(world, app, leader)
        _participants(world, app, leader)
        _themes(world, leader)
        _evaluations(world, app, leader)
        _firms(world, leader)
        _import(world, leader)
        _registrations(world, app, leader)
        db.session.remove()
    return world


def _project_form(name: str, slug: str, municipality: str = "", description: str = "") -> dict:
    return {
        "name": name,
        "slug": slug,
        "municipality": municipality,
        "description": description,
        "language": "en",
        "timezone": "Europe/Oslo",
        **{
            f"target_{k}": "0"
            for k in ("attendees", "businesses", "ideas", "connections", "ecosystems")
        },
    }


def _local(days: int) -> str:
    return (utcnow() + timedelta(days=days)).strftime("%Y-%m-%dT10:00")


ACCOUNT_NAME = '"><script>alert(40)</script>'


def _account(world: World, leader) -> None:
    """The leader's own display name (the members page shows it)."""
    from tests.conftest import PASSWORD

    _post(
        world,
        leader,
        "/account",
        data={"name": ACCOUNT_NAME, "language": "", "current": PASSWORD},
    )
    world.count("account display name")


def _carrier(slug: str, title: str, starts_at) -> int:
    """A plain workshop made directly (no payload in it): the payloads go in through its forms."""
    from workshops.programme import builder as programme_builder
    from workshops.programme.models import Workshop
    from workshops.projects.models import Project

    project = db.session.scalar(select(Project).where(Project.slug == slug))
    workshop = Workshop(
        project=project,
        position=len(project.workshops),
        title=title,
        starts_at=starts_at,
        join_code=programme_builder.unique_code(),
        visibility="open",
        is_public=True,
    )
    db.session.add(workshop)
    db.session.flush()
    return workshop.id


def _projects(world: World, leader) -> None:
    """The main projects, and one project per payload for name, municipality and description."""
    for slug, name in ((MAIN, "Kraftverk XSS"), (FIRMS, "XSS firms"), (IMPORTED, "XSS import")):
        _post(world, leader, "/projects/new", data=_project_form(name, slug))
    for n, payload in enumerate(world.payloads):
        slug = f"x{n}"
        _post(
            world,
            leader,
            "/projects/new",
            data=_project_form(fit(payload, 160), slug, fit(payload, 120), fit(payload, 5000)),
        )
        if has_c0(payload):  # refused (400 naming the field): there is no project
            continue
        world.projects.append(slug)
        # A public workshop, so the calendar and the feeds show the project's name and place.
        _carrier(slug, "Møte", utcnow() + timedelta(days=30 + n % 20))
    db.session.commit()
    world.count("project name", len(world.payloads))
    world.count("project municipality", len(world.payloads))
    world.count("project description", len(world.payloads))


def _main(world: World, app, leader) -> None:
    """Planned public workshops titled by payloads, and a live one whose steps are payloads."""
    from workshops.programme.models import Step, Workshop

    for n, payload in enumerate(world.payloads):
        workshop_id = _carrier(MAIN, "x", None)
        db.session.commit()
        _post(
            world,
            leader,
            f"/projects/{MAIN}/workshops/{workshop_id}",
            data={
                "title": fit(payload, 160),
                "starts_at": _local(10 + n % 30),
                "duration_minutes": "120",
                "place": fit(payload, 200),
                "online_url": "https://meet.example.org/x",
                "visibility": "open",
                "is_public": "y",
            },
        )
        _post(
            world,
            leader,
            f"/projects/{MAIN}/workshops/{workshop_id}/registration-settings",
            data={"capacity": "", "theme": fit(payload, 80)},
        )
        world.planned.append(workshop_id)
    world.count("workshop title", len(world.payloads))
    world.count("workshop place", len(world.payloads))
    world.count("workshop theme (calendar)", len(world.payloads))

    world.live_id = _carrier(MAIN, "Live", None)
    db.session.commit()
    _post(
        world,
        leader,
        f"/projects/{MAIN}/workshops/{world.live_id}",
        data={"title": "Live", "visibility": "open", "starts_at": _local(0)},
    )
    base = f"/projects/{MAIN}/workshops/{world.live_id}"
    for n, payload in enumerate(world.payloads):
        collects = ["ideas", "interests", "profiles"] if n == 0 else ["ideas"]
        tracks = "\n".join(fit(p, 80) for p in world.payloads[:40]) if n == 0 else payload
        _post(
            world,
            leader,
            f"{base}/steps/new",
            data={
                "title": fit(payload, 120),
                "minutes": "5",
                "purpose": fit(payload, 2000),
                "prompt": fit(payload, 1000),
                "notes": fit(payload, 4000),
                "collects": collects,
                "tracks": fit(tracks, 4000),
            },
        )
        world.steps.append(_id_of_last(Step, workshop_id=world.live_id))
    for name in ("step title", "step purpose", "step prompt", "step notes", "step track"):
        world.count(name, len(world.payloads))
    _post(world, leader, f"{base}/live/start", data={})
    world.code = db.session.get(Workshop, world.live_id).join_code
    db.session.rollback()


def _participants(world: World, app, leader) -> None:
    """Each payload is a participant: name and business, an idea three ways, an interest."""
    from workshops.ideas.models import Idea

    base = f"/projects/{MAIN}/workshops/{world.live_id}"
    for payload in world.payloads:
        phone = app.test_client()
        phone.get(f"/j/{world.code}")
        world.requests += 1
        _post(
            world,
            phone,
            f"/api/v1/workshops/{world.code}/join",
            json={"name": fit(payload, 120), "business": fit(payload, 160)},
        )
        response = _post(
            world, phone, f"/api/v1/workshops/{world.code}/ideas", json={"text": payload}
        )
        idea_id = response.get_json().get("id") if response.status_code == 201 else None
        _post(world, phone, f"/j/{world.code}/ideas", data={"text": payload, "key": "k" * 12})
        _post(world, leader, f"{base}/ideas", data={"text": payload, "name": fit(payload, 120)})
        if idea_id:
            _post(
                world,
                phone,
                f"/api/v1/workshops/{world.code}/interests",
                json={"idea": idea_id, "business": fit(payload, 160)},
            )
        # The step collects profiles: the participant describes their business from the phone.
        _post(
            world,
            phone,
            f"/j/{world.code}/profile",
            data={
                "name": fit(payload, 160),
                "sector": fit(payload, 80),
                "offers": fit(payload, 2000),
                "needs": fit(payload, 2000),
                "municipality": fit(payload, 120),
            },
        )
    n = len(world.payloads)
    world.count("participant name (join API)", n)
    world.count("participant business (join API)", n)
    world.count("idea text (phone API)", n)
    world.count("idea text (phone page form)", n)
    world.count("idea text (leader's paper form)", n)
    world.count("idea author name (paper form)", n)
    world.count("interest business name", n)
    for name in ("name", "sector", "offers", "needs", "municipality"):
        world.count(f"phone profile {name}", n)
    world.ideas = db.session.scalar(
        select(db.func.count()).select_from(Idea).where(Idea.workshop_id == world.live_id)
    )
    refused = sum("/ideas -> 4" in item for item in world.refused)
    if world.ideas != 3 * n - refused:
        world.failures.append(f"{world.ideas} ideas stored, {3 * n - refused} taken")
    db.session.rollback()


def _themes(world: World, leader) -> None:
    """A theme per payload, each holding the payload's idea; the wall groups by theme."""
    from workshops.ideas.models import Idea, Theme

    base = f"/projects/{MAIN}/workshops/{world.live_id}"
    for payload in world.payloads:
        _post(world, leader, f"{base}/themes", data={"name": fit(payload, 120)})
    themes = list(
        db.session.scalars(
            select(Theme.id).where(Theme.workshop_id == world.live_id).order_by(Theme.id)
        )
    )
    ideas = list(
        db.session.scalars(
            select(Idea.id)
            .where(Idea.workshop_id == world.live_id, Idea.typed_by_leader.is_(False))
            .order_by(Idea.id)
        )
    )
    db.session.rollback()
    for theme_id, idea_id in zip(themes, ideas[::2], strict=False):
        _post(world, leader, f"{base}/ideas/{idea_id}/theme", data={"theme": str(theme_id)})
    _post(world, leader, f"{base}/wall-layout", data={"layout": "theme"})
    _post(world, leader, f"{base}/ideas/{ideas[0]}/spotlight", data={})
    _post(world, leader, f"{base}/vote/open", data={"dots": "3"})
    world.count("theme name", len(world.payloads))


def _evaluations(world: World, app, leader) -> None:
    """Forms whose title, questions and options are payloads; every payload a text answer."""
    from evaluations.models import EvaluationForm, Question

    chunks = [
        world.payloads[k : k + QUESTIONS_PER_FORM]
        for k in range(0, len(world.payloads), QUESTIONS_PER_FORM)
    ]
    text_questions = []
    for chunk in chunks:
        title = fit(chunk[0], 500)
        for attempt in (title, "Control characters refused") if has_c0(title) else (title,):
            # A title with a C0 control is refused (400 naming the field): then a plain one.
            _post(
                world,
                leader,
                f"/projects/{MAIN}/evaluations/new",
                data={"source": "custom", "title": attempt, "workshop": "0", "language": "en"},
            )
        form_id = _id_of_last(EvaluationForm)
        base = f"/projects/{MAIN}/evaluations/{form_id}"
        _post(
            world,
            leader,
            f"{base}/questions",
            data={"type": "text", "text": "Kommentar", "scale": "amount"},
        )
        text_questions.append(_id_of_last(Question, form_id=form_id))
        choice = None
        for n, payload in enumerate(chunk):
            kind = "single" if n == 0 else "text"
            texts = [fit(payload, 500)]
            if n == 0 and has_c0(payload):  # refused; the choice question is needed: a plain one
                texts.append("Control characters refused")
            for text in texts:
                _post(
                    world,
                    leader,
                    f"{base}/questions",
                    data={"type": kind, "text": text, "scale": "amount"},
                )
            if n == 0:
                choice = _id_of_last(Question, form_id=form_id)
        for payload in world.payloads[:OPTIONS_PER_QUESTION]:
            _post(
                world,
                leader,
                f"{base}/questions/{choice}/options",
                data={f"q{choice}-new-text": fit(payload, 500)},
            )
        _post(world, leader, f"{base}/status", data={"action": "open"})
        world.forms.append(form_id)
        world.tokens.append(db.session.get(EvaluationForm, form_id).token)
        db.session.rollback()
    world.count("evaluation form title", len(chunks))
    world.count("evaluation question text", len(world.payloads))
    world.count("evaluation option text", OPTIONS_PER_QUESTION * len(chunks))

    form = db.session.get(EvaluationForm, world.forms[0])
    choice = next(q for q in form.questions if q.type == "single")
    options = [str(o.id) for o in choice.options]
    choice_id = choice.id
    db.session.rollback()
    for n, payload in enumerate(world.payloads):
        phone = app.test_client()
        answer = {str(text_questions[0]): payload, str(choice_id): options[n % len(options)]}
        if n % 2:
            _post(world, phone, f"/api/v1/evaluations/{world.tokens[0]}", json={"answers": answer})
        else:
            _post(
                world,
                phone,
                f"/e/{world.tokens[0]}",
                data={f"q{key}": value for key, value in answer.items()},
            )
    for token, question in zip(world.tokens[1:], text_questions[1:], strict=True):
        for payload in world.payloads[:6]:
            phone = app.test_client()
            body = {"answers": {str(question): payload}}
            _post(world, phone, f"/api/v1/evaluations/{token}", json=body)
    world.count("evaluation text answer (page form and API)", len(world.payloads))


def _firms(world: World, leader) -> None:
    """Businesses from the leader's form, their connections' notes and named ecosystems."""
    from workshops.businesses.models import Business, Connection
    from workshops.projects.models import Project

    for n, payload in enumerate(world.payloads):
        _post(
            world,
            leader,
            f"/projects/{FIRMS}/businesses/new",
            data={
                "name": fit(payload, 160),
                "sector": fit(payload, 80),
                "offers": fit(payload, 2000),
                "needs": fit(payload, 2000),
                "municipality": fit(payload, 120),
                "description": fit(payload, 5000),
                "email": f"firm{n}@example.org",
                "website": fit(payload, 500),
                "contact_consent": "y",
            },
        )
    project = db.session.scalar(select(Project).where(Project.slug == FIRMS))
    world.firms = list(
        db.session.scalars(
            select(Business.id).where(Business.project_id == project.id).order_by(Business.id)
        )
    )
    db.session.rollback()
    taken = sum(not has_c0(p) for p in world.payloads)  # C0 controls: refused, naming the field
    if len(world.firms) != taken:
        world.failures.append(f"{len(world.firms)} businesses from {taken} forms taken")
    for name in ("name", "sector", "offers", "needs", "municipality", "description", "website"):
        world.count(f"business {name} (form)", len(world.firms))
    pairs = list(zip(world.firms[::2], world.firms[1::2], strict=False))
    for (a, b), payload in zip(pairs, world.payloads, strict=False):
        _post(world, leader, f"/projects/{FIRMS}/connections", data={"a": str(a), "b": str(b)})
        connection = _id_of_last(Connection)
        db.session.rollback()
        _post(
            world,
            leader,
            f"/projects/{FIRMS}/connections/{connection}",
            data={f"c{connection}-status": "met", f"c{connection}-notes": fit(payload, 4000)},
        )
    world.count("connection notes", len(pairs))
    # A different pair of members for each: a group sharing two thirds of a named one is refused.
    groups = itertools.cycle(itertools.combinations(world.firms, 2))
    for payload, group in zip(world.payloads, groups, strict=False):
        members = [str(firm) for firm in group]
        _post(
            world,
            leader,
            f"/projects/{FIRMS}/ecosystems",
            ok=(200, 302, 303),
            data={"name": fit(payload, 160), "product": fit(payload, 2000), "members": members},
        )
    world.count("ecosystem name", len(world.payloads))
    world.count("ecosystem product", len(world.payloads))


IMPORT_LIMITS = {"name": 160, "sector": 80, "municipality": 120, "website": 500}


def import_csv(payloads: list[str]) -> bytes:
    """A business file with a row per payload, but those with C0 controls (a cell with one is
    refused with the whole file: test_control_characters.py)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = [
        "name",
        "sector",
        "offers",
        "needs",
        "municipality",
        "description",
        "email",
        "website",
    ]
    writer.writerow(columns)
    for n, payload in enumerate(p for p in payloads if not has_c0(p)):
        row = {c: fit(payload, IMPORT_LIMITS.get(c, 2000)) for c in columns}
        row["name"] = row["name"].strip() or f"firm {n}"
        row["email"] = f"import{n}@example.org"
        writer.writerow([row[c] for c in columns])
    return buffer.getvalue().encode("utf-8")


def _import(world: World, leader) -> None:
    """The CSV import: one upload left at its preview, one confirmed."""
    data = import_csv(world.payloads)
    for confirm in (False, True):
        response = _post(
            world,
            leader,
            f"/projects/{IMPORTED}/businesses/import",
            data={"file": (io.BytesIO(data), "firms.csv")},
            content_type="multipart/form-data",
        )
        token = response.headers.get("Location", "").rstrip("/").rsplit("/", 1)[-1]
        if confirm:
            _post(world, leader, f"/projects/{IMPORTED}/businesses/import/{token}", data={})
        else:
            world.import_token = token
    rows = data.decode("utf-8").count("@example.org")
    for name in ("name", "sector", "offers", "needs", "municipality", "description", "website"):
        world.count(f"business {name} (CSV import)", rows)


def _registrations(world: World, app, leader) -> None:
    """Registrations and walk-ins for the first payload workshop."""
    from workshops.registrations.models import Registration

    workshop_id = world.planned[0]
    for n, payload in enumerate(world.payloads):
        person = app.test_client()
        _post(
            world,
            person,
            f"/workshops/{workshop_id}/register",
            data={
                "name": fit(payload, 120),
                "business": fit(payload, 160),
                "email": f"person{n}@example.org",
                "dietary": fit(payload, 300),
                "contact_consent": "y",
            },
        )
        _post(
            world,
            leader,
            f"/projects/{MAIN}/workshops/{workshop_id}/walk-ins",
            data={"name": fit(payload, 120), "business": fit(payload, 160)},
        )
    world.registrations = list(
        db.session.scalars(
            select(Registration.token)
            .where(Registration.workshop_id == workshop_id)
            .order_by(Registration.id)
        )
    )
    db.session.rollback()
    for name in ("name", "business", "dietary"):
        world.count(f"registration {name}", len(world.registrations))
    world.count("walk-in name", len(world.payloads))
    world.count("walk-in business", len(world.payloads))


# --- one world per test run, copied for each module that needs it -----------------------------

_SHARED: dict[str, object] = {}
LEADER = "lea@example.org"


def _fresh_app(folder: Path):
    from tests.conftest import make_app

    return make_app(folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/world.sqlite3")


def shared(payloads: list[str]) -> tuple[Listener, World, Path]:
    """The listener, the world and its folder (database and instance files), built once."""
    if not _SHARED:
        from app.auth.models import User
        from tests.conftest import PASSWORD

        listener = Listener()
        folder = Path(tempfile.mkdtemp(prefix="xss-world-"))
        atexit.register(shutil.rmtree, folder, True)
        atexit.register(listener.close)
        app = _fresh_app(folder)
        with app.app_context():
            db.create_all()
            user = User(email=LEADER, name="Lea", can_create_projects=True)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
        world = build(app, LEADER, [*payloads, network_payload(listener.port)])
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        _SHARED.update(listener=listener, world=world, folder=folder)
    return _SHARED["listener"], _SHARED["world"], _SHARED["folder"]


def app_on_copy(payloads: list[str], target: Path, **overrides):
    """A new app on a copy of the shared world's database and instance folder."""
    listener, world, folder = shared(payloads)
    shutil.copytree(folder, target, dirs_exist_ok=True)
    from tests.conftest import make_app

    app = make_app(target, SQLALCHEMY_DATABASE_URI=f"sqlite:///{target}/world.sqlite3", **overrides)
    return app, world, listener


def stored_counts(app, world: World) -> dict[str, int]:
    """How many rows of each kind the payloads made (to prove every door took them)."""
    from evaluations import store
    from evaluations.models import Question
    from workshops.businesses.models import Business, Connection, Ecosystem
    from workshops.ideas.models import Idea, Interest, Theme
    from workshops.live.models import Participant
    from workshops.programme.models import Step, Workshop
    from workshops.projects.models import Project
    from workshops.registrations.models import CheckIn, Registration

    def count(model, *where) -> int:
        return db.session.scalar(select(db.func.count()).select_from(model).where(*where))

    with app.app_context():
        firms = db.session.scalar(select(Project.id).where(Project.slug == FIRMS))
        imported = db.session.scalar(select(Project.id).where(Project.slug == IMPORTED))
        main = db.session.scalar(select(Project.id).where(Project.slug == MAIN))
        result = {
            "projects": count(Project, Project.slug.in_(world.projects)),
            "planned workshops": count(Workshop, Workshop.id.in_(world.planned)),
            "steps": count(Step, Step.workshop_id == world.live_id),
            "ideas": count(Idea, Idea.workshop_id == world.live_id),
            "named participants": count(
                Participant, Participant.workshop_id == world.live_id, Participant.name != ""
            ),
            "interests": count(Interest),
            "themes": count(Theme, Theme.workshop_id == world.live_id),
            "phone profiles": count(Business, Business.project_id == main),
            "businesses (form)": count(Business, Business.project_id == firms),
            "businesses (CSV)": count(Business, Business.project_id == imported),
            "connection notes": count(Connection, Connection.notes != ""),
            "ecosystems": count(Ecosystem),
            "evaluation questions": count(Question, Question.form_id.in_(world.forms)),
            "evaluation responses": store.count(world.forms[0]),
            "registrations": count(Registration),
            "walk-ins": count(CheckIn, CheckIn.registration_id.is_(None)),
        }
        db.session.remove()
    return result
