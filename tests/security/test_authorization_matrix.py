"""Every route × every kind of visitor × every method: who may, and that nobody else can.

The table RULES names, for each endpoint and method, who may use it. A new route fails
`test_every_route_has_a_row` until it gets its row, so the matrix grows with the app.

For every (route, method, role) the role may not use: the answer is a redirect to the log-in page,
401, 403 or 404, never a 5xx and never a page with project A's data; and a state-changing request
changes nothing in the database or the instance folder. Roles that may use a route get 200 or a
redirect on GET and no 5xx on POST; a POST by a role that may is also checked to change something,
so the payloads sent by those who may not would have done harm had a check been missing.

One world serves the whole module: the refusals run first (they change nothing, which they
assert), then the allowed reads, then the allowed writes, the destructive ones last.
"""

from __future__ import annotations

import pytest
from flask import url_for
from werkzeug.routing import Rule

from tests.conftest import PASSWORD
from tests.security.conftest import MARKERS, ROLES, build_world, snapshot

pytestmark = pytest.mark.db

# Who each word in the table lets in.
WHO = {
    # Anyone at all, with or without an account or a device.
    "anyone": set(ROLES),
    # Phones: whoever holds a workshop's join code (it is on the wall) is a participant.
    "participant": set(ROLES),
    # Whoever holds an evaluation form's link.
    "respondent": set(ROLES),
    # Whoever holds a registration's secret link (it was mailed to them).
    "registrant": set(ROLES),
    # Any logged-in user: their own projects and account.
    "login": {"viewer", "other_leader", "leader"},
    # Logged-in users allowed to create projects (both leaders here; not the viewer).
    "creator": {"other_leader", "leader"},
    # Members of project A.
    "viewer+": {"viewer", "leader"},
    # Leaders of project A.
    "leader": {"leader"},
    # Members of project A; the viewers get numbers only, never who (names, e-mail addresses,
    # dietary needs): test_viewers_get_counts_not_people.
    "leader; viewer counts": {"viewer", "leader"},
}

G, P = "GET", "POST"

RULES: dict[str, dict[str, str]] = {
    # the public face
    "main.index": {G: "anyone"},
    "main.join": {G: "anyone"},
    "main.healthz": {G: "anyone"},
    "reports.method": {G: "anyone"},
    "reports.method_pdf": {G: "anyone"},
    "public.calendar_page": {G: "anyone"},
    "public.calendar_feed": {G: "anyone"},
    "public.project_feed": {G: "anyone"},
    "public.workshop_feed": {G: "anyone"},
    "public.register": {G: "anyone", P: "anyone"},
    "public.registration": {G: "registrant"},
    "public.cancel": {G: "registrant", P: "registrant"},
    "api.openapi": {G: "anyone"},
    # accounts
    "auth.login": {G: "anyone", P: "anyone"},
    "auth.logout": {P: "login"},
    "auth.account": {G: "login", P: "login"},
    "auth.members": {G: "viewer+", P: "leader"},
    "auth.remove_member": {P: "leader"},
    # phones and the public API
    "live.join_page": {G: "participant"},
    "live.join_form": {P: "participant"},
    "ideas.phone_idea": {P: "participant"},
    "businesses.phone_profile": {G: "participant", P: "participant"},
    "workshops_api.live_state": {G: "participant"},
    "ideas_api.list_ideas": {G: "participant"},
    "ideas_api.post_idea": {P: "participant"},
    "workshops_api.join": {P: "participant"},
    "ideas_api.my_votes": {G: "participant"},
    "ideas_api.post_vote": {P: "participant"},
    "ideas_api.post_interest": {P: "participant"},
    "meetings_api.my_meeting_api": {G: "participant"},
    "meetings_api.met_api": {P: "participant"},
    "products_api.product_api": {G: "participant"},
    "products_api.save_product_api": {P: "participant"},
    "evaluations.answer": {G: "respondent", P: "respondent"},
    "evaluations.thanks": {G: "respondent"},
    "evaluations_api.get_form": {G: "respondent"},
    "evaluations_api.post_answers": {P: "respondent"},
    # projects
    "workshops.projects": {G: "login"},
    "workshops.new_project": {G: "creator", P: "creator"},
    "workshops.dashboard": {G: "viewer+"},
    "workshops.edit_project": {G: "leader", P: "leader"},
    # the programme
    "programme.workshops": {G: "viewer+"},
    "programme.new_workshop": {P: "leader"},
    "programme.copy_workshop": {P: "leader"},
    "programme.edit_workshop": {G: "viewer+", P: "leader"},
    "programme.duplicate_workshop": {P: "leader"},
    "programme.edit_step": {G: "leader", P: "leader"},
    "programme.step_action": {P: "leader"},
    "programme.workshop_action": {P: "leader"},
    "programme.agenda": {G: "viewer+"},
    "programme.guide": {G: "leader"},
    # running a workshop
    "live.console": {G: "leader"},
    "live.live_action": {P: "leader"},
    "live.wall": {G: "leader"},
    "live.leader_state": {G: "leader"},
    "live.collect_qr": {G: "leader"},
    "live.collect_action": {P: "leader"},
    # ideas
    "ideas.board": {G: "viewer+"},
    "ideas.export_ideas": {G: "viewer+"},
    "ideas.paper_idea": {P: "leader"},
    "ideas.idea_action": {P: "leader"},
    "ideas.new_theme": {P: "leader"},
    "ideas.rename_theme": {P: "leader"},
    "ideas.merge_themes": {P: "leader"},
    "ideas.vote_action": {P: "leader"},
    "ideas.wall_layout": {P: "leader"},
    # businesses and pairing
    "businesses.index": {G: "viewer+"},
    "businesses.new": {G: "leader", P: "leader"},
    "businesses.edit": {G: "leader", P: "leader"},
    "businesses.upload": {G: "leader", P: "leader"},
    "businesses.preview": {G: "leader"},
    "businesses.confirm": {P: "leader"},
    "businesses.words": {G: "leader"},
    "businesses.map_word": {P: "leader"},
    "businesses.pairings": {G: "viewer+"},
    "businesses.connect": {P: "leader"},
    "businesses.update_connection": {P: "leader"},
    "businesses.mark_pair": {P: "leader"},
    "businesses.ecosystems": {G: "viewer+", P: "leader"},
    "businesses.ecosystem_ideas": {P: "leader"},
    "businesses.edit_ecosystem": {P: "leader"},
    "businesses.ecosystem_status": {P: "leader"},
    "businesses.remove_ecosystem": {P: "leader"},
    "businesses.network": {G: "viewer+"},
    "businesses.speed_meeting": {G: "leader", P: "leader"},
    # registrations at the door
    "public.registrations_list": {G: "leader; viewer counts"},
    "public.registrations_csv": {G: "leader; viewer counts"},
    "public.registration_settings": {P: "leader"},
    "public.check_in": {P: "leader"},
    "public.leader_cancel": {P: "leader"},
    "public.undo_check_in": {P: "leader"},
    "public.walk_in": {P: "leader"},
    "public.outbox": {G: "leader"},
    # privacy: what is stored about one business or person, and erasing it
    "privacy.business_export": {G: "leader"},
    "privacy.business_erase": {G: "leader", P: "leader"},
    "privacy.person_export": {G: "leader"},
    "privacy.person_erase": {G: "leader", P: "leader"},
    # evaluations
    "evaluations.index": {G: "viewer+"},
    "evaluations.new": {P: "leader"},
    "evaluations.copy": {P: "leader"},
    "evaluations.form_page": {G: "viewer+"},
    "evaluations.show": {G: "viewer+"},
    "evaluations.settings": {P: "leader"},
    "evaluations.status": {P: "leader"},
    "evaluations.delete": {P: "leader"},
    "evaluations.add_question": {P: "leader"},
    "evaluations.edit_question": {P: "leader"},
    "evaluations.add_option": {P: "leader"},
    "evaluations.edit_option": {P: "leader"},
    "evaluations.results_page": {G: "viewer+"},
    "evaluations.chart": {G: "viewer+"},
    "evaluations.charts_zip": {G: "viewer+"},
    "evaluations.export_csv": {G: "leader"},
    "evaluations.export_xlsx": {G: "leader"},
    "evaluations.compare": {G: "viewer+"},
    # reports and exports
    "reports.report": {G: "viewer+"},
    "reports.report_pdf": {G: "viewer+"},
    "reports.export_json": {G: "viewer+"},
    "reports.export_xlsx": {G: "viewer+"},
}

# URL values that differ by endpoint (the rest come from the world's ids by name).
URL_VALUES = {
    "public.registration": {"token": "registration_token"},
    "public.cancel": {"token": "registration_token"},
    "businesses.preview": {"token": "import_token"},
    "businesses.confirm": {"token": "import_token"},
    "evaluations.answer": {"token": "form_token"},
    "evaluations.thanks": {"token": "form_token"},
    "evaluations_api.get_form": {"token": "form_token"},
    "evaluations_api.post_answers": {"token": "form_token"},
    "evaluations.chart": {"question_id": "chart_question_id"},
    "evaluations.settings": {"form_id": "draft_id"},
    "evaluations.status": {"form_id": "draft_id"},
    "evaluations.delete": {"form_id": "draft_id"},
    "evaluations.add_question": {"form_id": "draft_id"},
    "evaluations.edit_question": {"form_id": "draft_id", "question_id": "draft_question_id"},
    "evaluations.add_option": {"form_id": "draft_id", "question_id": "draft_question_id"},
    "evaluations.edit_option": {"form_id": "draft_id", "option_id": "draft_option_id"},
}
URL_CONSTANTS = {
    "ideas.export_ideas": {"fmt": "csv"},
    "businesses.network": {"fmt": "svg"},
    "evaluations.chart": {"fmt": "svg"},
    "live.live_action": {"action": "pause"},
    "live.collect_qr": {"kind": "evaluation"},
    "live.collect_action": {"kind": "votes", "action": "open"},
    "ideas.idea_action": {"action": "hide"},
    "ideas.vote_action": {"action": "close"},
    "programme.step_action": {"action": "down"},
    "programme.workshop_action": {"action": "down"},
}

# Writes that, sent by one who may, leave the database as it was (nothing to change there).
NO_CHANGE = {
    "businesses.speed_meeting": "pairs the people present; stores nothing",
    "businesses.remove_ecosystem": "ecosystem_ideas linked an idea to it first: refused, kept",
    "businesses.phone_profile": "the current step does not collect profiles: refused with 409",
    "meetings_api.met_api": "the current step does not record meetings: refused with 409",
    "products_api.save_product_api": "the current step takes no product sheets: refused with 409",
    "auth.logout": "only the session cookie changes",
    "auth.login": "the leader is logged in already: sent on to the projects",
}
# Allowed writes that would spoil the world for the others: run last, in this order.
LAST = (
    "ideas.vote_action",
    "ideas.idea_action",
    "live.live_action",
    "public.leader_cancel",
    "public.cancel",
    "evaluations.delete",
    "privacy.person_erase",
    "privacy.business_erase",
    "auth.remove_member",
    "auth.logout",
)


def payload(endpoint: str, ids: dict) -> dict:
    """What a real user of the page would send: enough to change something if allowed."""
    from method import taxonomy

    a, b, c = ids["business_ids"]
    cid = ids["connection_id"]
    forms = {
        "public.register": {"name": "Reg Zq", "email": "reg@zq.example"},
        "auth.login": {"email": "lead-a@aurora.example", "password": PASSWORD},
        "auth.account": {"name": "Renamed Zq", "language": "en", "current": PASSWORD},
        "auth.members": {"email": ids["other_email"], "role": "leader"},
        "live.join_form": {"name": "Nina Zq", "business": "Zq AS", "track": ""},
        "ideas.phone_idea": {"text": "Phone idea zq", "key": "phone-key-0001"},
        "businesses.phone_profile": {"name": "Phone business zq", "sector": "hotel"},
        "evaluations.answer": {f"q{k}": v for k, v in ids["form_answers"].items()},
        "workshops.new_project": {
            "name": "New Zq",
            "slug": "new-zq",
            "language": "nb",
            "timezone": "Europe/Oslo",
            "with_programme": "",
        },
        "workshops.edit_project": {
            "name": "Taken over",
            "slug": ids["slug"],
            "language": "en",
            "timezone": "Europe/Oslo",
        },
        "programme.new_workshop": {"template": "", "title": "New workshop zq"},
        "programme.copy_workshop": {"source": ids["workshop_id"]},
        "programme.edit_workshop": {
            "title": "Taken over",
            "visibility": "hidden",
            "duration_minutes": "90",
            "is_public": "y",
        },
        "programme.edit_step": {"title": "Taken over", "minutes": "17", "collects": "ideas"},
        "ideas.paper_idea": {"text": "Paper idea zq"},
        "live.collect_action": {"number": "3"},
        "ideas.new_theme": {"name": "Another theme zq"},
        "ideas.rename_theme": {"name": "Renamed theme zq"},
        "ideas.merge_themes": {"source": ids["theme_2_id"], "target": ids["theme_id"]},
        "ideas.wall_layout": {"layout": "theme"},
        "businesses.new": {"name": "New business zq", "sector": "55.10"},
        "businesses.edit": {"name": "Aurora Kajakk", "sector": "93.29", "description": "Gone"},
        "businesses.upload": {"file": (ids["import_file"](), "more.csv")},
        "businesses.map_word": {"w0-word": "zqunknownword", "w0-tag": taxonomy.tags()[0].key},
        "businesses.connect": {"a": str(a), "b": str(c)},
        "businesses.update_connection": {f"c{cid}-status": "met", f"c{cid}-notes": "Taken"},
        "businesses.mark_pair": {"a": str(a), "b": str(c), "mark": "not_relevant"},
        "businesses.ecosystems": {"name": "Eco zq", "product": "P", "members": [str(b), str(c)]},
        "businesses.ecosystem_ideas": {f"e{ids['ecosystem_id']}-ideas": [str(ids["idea_id"])]},
        "businesses.edit_ecosystem": {
            "name": "Fjord weekend zq",
            "product": "Two nights",
            "members": [str(a), str(b)],
        },
        "businesses.ecosystem_status": {f"s{ids['ecosystem_id']}-status": "forming"},
        "businesses.speed_meeting": {"members": [str(a), str(b), str(c)]},
        "public.registration_settings": {"capacity": "1", "theme": "food"},
        "public.walk_in": {"name": "Walk Zq"},
        "privacy.business_erase": {"entirely": "y", "confirm": "y"},
        "privacy.person_erase": {"confirm": "y"},
        "evaluations.new": {
            "source": "custom",
            "title": "New zq",
            "workshop": "0",
            "language": "en",
        },
        "evaluations.copy": {"source": ids["form_id"], "workshop": "0"},
        "evaluations.settings": {"title": "Renamed form zq", "workshop": "0"},
        "evaluations.status": {"action": "open"},
        "evaluations.add_question": {"type": "text", "text": "New question zq", "scale": "useful"},
        "evaluations.edit_question": {f"q{ids['draft_question_id']}-text": "Edited zq"},
        "evaluations.add_option": {f"q{ids['draft_question_id']}-new-text": "Wednesday"},
        "evaluations.edit_option": {f"o{ids['draft_option_id']}-text": "Mon zq"},
    }
    json_bodies = {
        "ideas_api.post_idea": {"text": "API idea zq"},
        "workshops_api.join": {"name": "Api Zq"},
        "ideas_api.post_vote": {"idea": ids["idea_id"], "dots": 1},
        "ideas_api.post_interest": {"idea": ids["idea_id"], "business": "Aurora Kajakk"},
        "meetings_api.met_api": {"with": ids["business_ids"][1]},
        "products_api.save_product_api": {"fields": {"what": "Product zq"}},
        "evaluations_api.post_answers": {"answers": ids["form_answers"]},
    }
    if endpoint in json_bodies:
        headers = {"Idempotency-Key": "api-key-0001"} if endpoint.endswith("post_idea") else {}
        return {"json": json_bodies[endpoint], "headers": headers}
    if endpoint == "evaluations.answer":
        # A device of its own: the same client answers through the API as well.
        return {"data": forms[endpoint], "headers": {"X-Device": "matrix-html-answer-0001"}}
    if endpoint == "businesses.upload":
        return {"data": forms[endpoint], "content_type": "multipart/form-data"}
    return {"data": forms.get(endpoint, {})}


def _rules(app) -> dict[str, Rule]:
    """The app's rules by endpoint, static files left out."""
    return {
        rule.endpoint: rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not rule.endpoint.endswith(".static")
    }


def _methods(rule: Rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from app.extensions import db
    from tests.conftest import make_app

    app = make_app(tmp_path_factory.mktemp("matrix"), EVALUATION_MIN_RESPONSES=1)
    with app.app_context():
        db.drop_all()
        db.create_all()
    world = build_world(app)
    yield world
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _url(world, endpoint: str) -> str:
    rule = _rules(world.app)[endpoint]
    named = {k: world.ids[v] for k, v in URL_VALUES.get(endpoint, {}).items()}
    values = {
        name: named.get(name, URL_CONSTANTS.get(endpoint, {}).get(name, world.ids.get(name)))
        for name in rule.arguments
    }
    missing = [name for name, value in values.items() if value is None]
    assert not missing, f"{endpoint}: no value for {missing}"
    with world.app.test_request_context():
        return url_for(endpoint, **values)


def _request(world, role: str, endpoint: str, method: str):
    client = world.clients[role]
    url = _url(world, endpoint)
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, **payload(endpoint, world.ids))


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    location = response.headers.get("Location", "")
    return response.status_code == 302 and location.split("?")[0].endswith("/login")


ENDPOINTS = sorted(RULES)


def test_every_route_has_a_row(security_app):
    rules = _rules(security_app)

    missing = sorted(
        f"{endpoint} {method}"
        for endpoint, rule in rules.items()
        for method in _methods(rule)
        if method not in RULES.get(endpoint, {})
    )
    unknown = sorted(
        f"{endpoint} {method}"
        for endpoint, row in RULES.items()
        for method in row
        if endpoint not in rules or method not in _methods(rules[endpoint])
    )

    assert missing == [], "routes with no row in RULES: who may use them?"
    assert unknown == [], "rows in RULES for routes that do not exist"
    assert all(who in WHO for row in RULES.values() for who in row.values())


def test_the_matrix_checks_every_route_role_and_method(security_app):
    checks = sum(len(ROLES) * len(row) for row in RULES.values())
    refusals = sum(len(ROLES) - len(WHO[who]) for row in RULES.values() for who in row.values())

    print(f"authorization matrix: {len(RULES)} routes x {len(ROLES)} roles = {checks} checks")
    print(f"of which refusals: {refusals}")
    assert (len(RULES), checks) == (len(_rules(security_app)), 5 * sum(map(len, RULES.values())))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_who_may_not_is_refused_and_changes_nothing(world, endpoint):
    for method, who in sorted(RULES[endpoint].items()):
        before = snapshot(world.app)
        for role in ROLES:
            if role in WHO[who]:
                continue
            response = _request(world, role, endpoint, method)
            body = response.get_data(as_text=True)
            where = f"{method} {endpoint} as {role}"

            assert _refused(response), f"{where}: answered {response.status_code}"
            assert not [m for m in MARKERS if m in body], f"{where}: shows project A's data"
            if method != "GET":
                assert snapshot(world.app) == before, f"{where}: changed the data"
        assert snapshot(world.app) == before, f"{method} {endpoint}: a refused read changed data"


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if G in RULES[e]])
def test_who_may_read_gets_the_page(world, endpoint):
    for role in ROLES:
        if role not in WHO[RULES[endpoint][G]]:
            continue
        response = _request(world, role, endpoint, G)

        assert response.status_code < 400, f"GET {endpoint} as {role}: {response.status_code}"


# What the registrants of project A's workshop gave: the leader's list shows it, a viewer's not.
PEOPLE = ("Rita Registrant", "rita@aurora.example", "Sigurd Second", "sigurd@aurora.example")


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if RULES[e].get(G) == "leader; viewer counts"]
)
def test_viewers_get_counts_not_people(world, endpoint):
    leader = _request(world, "leader", endpoint, G).get_data(as_text=True)
    viewer = _request(world, "viewer", endpoint, G)
    body = viewer.get_data(as_text=True)

    assert all(person in leader for person in PEOPLE)
    assert viewer.status_code == 200
    assert [person for person in PEOPLE if person in body] == []
    assert "Rita" not in body and "@" not in body.split("</header>")[-1]


WRITES = [e for e in ENDPOINTS if set(RULES[e]) - {G} and e not in LAST] + list(LAST)


@pytest.mark.parametrize("endpoint", WRITES)
def test_who_may_write_is_served(world, endpoint):
    # The project's leader goes first: the one whose write must visibly take effect.
    order = sorted(ROLES, key=lambda role: role != "leader")
    for method, who in sorted(RULES[endpoint].items()):
        if method == G:
            continue
        first = True
        for role in [r for r in order if r in WHO[who]]:
            before = snapshot(world.app) if first else None
            response = _request(world, role, endpoint, method)

            assert response.status_code < 500, f"{method} {endpoint} as {role}: 5xx"
            if first and endpoint not in NO_CHANGE:
                assert snapshot(world.app) != before, (
                    f"{method} {endpoint} as {role} ({response.status_code}) changed nothing: "
                    "the payload would prove nothing for those who may not"
                )
            first = False
