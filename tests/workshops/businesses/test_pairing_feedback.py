"""The leader's marks and recorded outcomes feed back into a project's pairing; competitors stay
out of the top three; speed meetings keep declined pairs apart; a large region pages."""

import pytest

from tests.conftest import login
from workshops.businesses import pairing, pairing_service
from workshops.businesses import registry as businesses
from workshops.businesses.models import PairingMark
from workshops.businesses.pairing import Feedback, Profile, Reason


def P(pid, group, offers, needs, municipality="", assumed=False):  # noqa: N802
    return Profile(pid, pid.title(), group, frozenset(offers), frozenset(needs),
                   municipality=municipality, assumed=assumed)  # fmt: skip


@pytest.fixture
def valley():
    hotel = P(
        "hotel", "accommodation", {"accommodation", "meals"}, {"guided_tour", "live_performance"}
    )
    cabins = P("cabins", "accommodation", {"accommodation"}, {"guided_tour", "outdoor_activity"})
    guide = P("guide", "guides_activities", {"guided_tour"}, {"accommodation"})
    husky = P("husky", "guides_activities", {"guided_tour", "outdoor_activity"}, {"accommodation"})
    band = P("band", "performing_arts_events", {"live_performance"}, {"accommodation", "venue"})
    return [hotel, cabins, guide, husky, band]


def ranked(top, pid):
    return [s.partner_id for s in top[pid]]


# --- the pure part ------------------------------------------------------------------------------


def test_a_bad_pair_is_never_suggested_again_and_only_that_pair(valley):
    top = pairing.top_partners(valley, k=10)
    assert "guide" in ranked(top, "hotel")

    after = pairing.apply_feedback(
        valley, top, Feedback(bad=frozenset({frozenset({"hotel", "guide"})}))
    )

    assert "guide" not in ranked(after, "hotel") and "hotel" not in ranked(after, "guide")
    assert "husky" in ranked(after, "hotel") and "cabins" in ranked(after, "guide")


def test_pairs_like_a_good_one_move_up_and_say_why(valley):
    top = pairing.top_partners(valley, k=10)
    good = Feedback(good=frozenset({frozenset({"cabins", "guide"})}))

    after = pairing.apply_feedback(valley, top, good)

    before_score = {s.partner_id: s.score for s in top["hotel"]}
    moved = {s.partner_id: s for s in after["hotel"]}
    # hotel-guide joins the same groups for the same kind of reason (accommodation, guided tour)
    assert moved["guide"].score == pytest.approx(
        before_score["guide"] + pairing.ranking.FEEDBACK_STEP
    )
    assert moved["guide"].reasons[0] == Reason("like_good")
    assert pairing.explain(moved["guide"].reasons[0], "en") == "Like the pairs you marked good."
    # hotel-band joins other groups: untouched
    assert moved["band"].score == pytest.approx(before_score["band"])
    assert Reason("like_good") not in moved["band"].reasons
    # the good pair itself is not lifted by itself
    assert {s.partner_id: s.score for s in after["cabins"]}["guide"] == pytest.approx(
        {s.partner_id: s.score for s in top["cabins"]}["guide"]
    )


def test_pairs_like_a_bad_one_move_down_with_a_reason(valley):
    top = pairing.top_partners(valley, k=10)
    bad = Feedback(bad=frozenset({frozenset({"cabins", "husky"})}))

    after = pairing.apply_feedback(valley, top, bad)

    old = {s.partner_id: s.score for s in top["hotel"]}
    new = {s.partner_id: s for s in after["hotel"]}
    assert new["husky"].score < old["husky"]
    assert Reason("like_declined") in new["husky"].reasons
    assert ranked(after, "hotel").index("husky") >= ranked(top, "hotel").index("husky")


def test_no_feedback_changes_nothing_and_unmarking_restores_the_ranking(valley):
    top = pairing.top_partners(valley, k=10)

    same = pairing.apply_feedback(valley, top, Feedback())

    assert {a: ranked(same, a) for a in same} == {a: ranked(top, a) for a in top}


def test_a_boost_never_lifts_a_competitor_into_the_top_three():
    me = P("me", "crafts", {"handmade_products"}, {"visitors"})
    rivals = [P(f"r{k}", "crafts", {"handmade_products"}, {"visitors"}) for k in range(2)]
    helpers = [P(f"h{k}", "retail", {"visitors"}, set()) for k in range(4)]
    region = [me, *rivals, *helpers]
    top = pairing.top_partners(region, k=10)
    fake = {
        "me": [pairing.Suggestion(r.id, 9.0, competitor=True) for r in rivals] + list(top["me"])
    }

    after = pairing.apply_feedback(
        region, fake, Feedback(good=frozenset({frozenset({"r0", "r1"})}))
    )

    assert [s.competitor for s in after["me"][:3]] == [False, False, False]


def test_speed_meetings_keep_declined_pairs_apart():
    a = P("a", "accommodation", {"accommodation"}, {"guided_tour"})
    b = P("b", "guides_activities", {"guided_tour"}, {"accommodation"})
    c = P("c", "crafts", {"handmade_products"}, {"sales_outlet"})
    d = P("d", "retail", {"sales_outlet"}, {"handmade_products"})
    apart = {frozenset({"a", "b"})}

    free = pairing.speed_meeting([a, b, c, d])
    kept = pairing.speed_meeting([a, b, c, d], apart=apart)
    greedy = pairing.speed_meeting([a, b, c, d], apart=apart, exact_up_to=0)

    assert ("a", "b") in free.groups
    for meeting in (kept, greedy):
        assert all(not {"a", "b"} <= set(g) for g in meeting.groups)
        assert sorted(x for g in meeting.groups for x in g) == ["a", "b", "c", "d"]


def test_two_declined_alone_each_meet_no_one_rather_than_each_other():
    a = P("a", "accommodation", {"accommodation"}, {"guided_tour"})
    b = P("b", "guides_activities", {"guided_tour"}, {"accommodation"})

    meeting = pairing.speed_meeting([a, b], apart={frozenset({"a", "b"})})

    assert sorted(meeting.groups) == [("a",), ("b",)]


# --- competitors (METHOD.md section 3) -----------------------------------------------------------


def test_a_business_known_only_by_its_sector_is_a_competitor_of_one_that_offers_the_same():
    bakery = P("bakery", "local_food", {"local_food"}, {"meals", "sales_outlet"})
    offers, needs = pairing.scoring.taxonomy.default_profile("local_food")
    other = P("other", "local_food", offers, needs, assumed=True)

    assert pairing.score_pair(bakery, other).competitor


def test_an_unknown_group_does_not_hide_two_businesses_offering_the_same():
    a = P("a", None, {"venue", "event_program"}, {"catering"})
    b = P("b", None, {"venue", "event_program"}, {"accommodation"})

    assert pairing.score_pair(a, b).competitor


def test_an_offer_only_close_to_a_need_does_not_meet_it():
    # a guided tour is close to "outdoor activities" but is not one: still competitors
    a = P("a", "guides_activities", {"guided_tour", "equipment_rental"}, {"outdoor_activity"})
    b = P("b", "guides_activities", {"guided_tour", "equipment_rental"}, {"accommodation"})

    assert "outdoor_activity" in pairing.scoring._close_offers(b)
    assert pairing.score_pair(a, b).competitor


def test_a_need_met_either_way_is_no_competitor():
    a = P("a", "food_service", {"meals", "venue"}, {"live_performance"})
    b = P("b", "food_service", {"meals", "venue", "live_performance"}, {"local_food"})

    assert not pairing.score_pair(a, b).competitor


def test_matrix_and_index_agree_on_competitors_with_unknown_groups_and_assumed_profiles():
    region = []
    for k in range(60):
        group = [None, "local_food", "guides_activities", "food_service"][k % 4]
        offers = [{"venue", "event_program"}, {"local_food"}, {"guided_tour"}, {"meals"}][k % 4]
        needs = [{"catering"}, {"meals"}, {"accommodation"}, {"local_food"}][k % 4]
        region.append(P(f"b{k:02d}", group, offers, needs, assumed=k % 7 == 0))
    by_index = pairing._edges_by_index(region, 6, pairing.WEIGHTS)
    by_matrix = pairing._edges_by_matrix(region, 6, pairing.WEIGHTS)

    assert [[(round(s, 6), j, c) for s, j, c, _ in row] for row in by_index] == [
        [(round(s, 6), j, c) for s, j, c, _ in row] for row in by_matrix
    ]


# --- the app ------------------------------------------------------------------------------------

CSV = (
    "name;sector;offers;needs;municipality\n"
    "Fjellstua;55.10;overnatting, middag;guidede turer, konserter;Nordvik\n"
    "Hyttegrenda;hytteutleie;hytter;guidede turer, friluftsaktiviteter;Nordvik\n"
    "Elvestrand Guiding;79.90;guidede turer;overnatting;Nordvik\n"
    "Huskygården;hundekjøring;hundekjøring, guidede turer;overnatting;Nordvik\n"
    "Spelemannslaget;90.01;konserter;overnatting, lokale;Nordvik\n"
)


@pytest.fixture
def project(db, leader, make_project):
    project = make_project("fjell", leaders=[leader], name="Fjell", language="en")
    businesses.import_file(project, CSV.encode("utf-8-sig"))
    db.session.commit()
    return project


def ids(project, *names):
    return [businesses.find_by_name(project, n).id for n in names]


@pytest.mark.db
def test_leader_marks_not_relevant_and_takes_it_back(db, leader_client, project):
    hut, guide = ids(project, "Fjellstua", "Elvestrand Guiding")

    before = leader_client.get("/projects/fjell/pairings").get_data(as_text=True)
    marked = leader_client.post(
        "/projects/fjell/pairings/mark", data={"a": hut, "b": guide, "mark": "not_relevant"}
    )
    top = {
        b.name: [p.business.name for p in found]
        for b, found in pairing_service.suggestions(project, k=10)
    }
    leader_client.post("/projects/fjell/pairings/mark", data={"a": guide, "b": hut, "mark": "none"})
    back = {
        b.name: [p.business.name for p in found]
        for b, found in pairing_service.suggestions(project, k=10)
    }

    assert "Elvestrand Guiding needs accommodation; Fjellstua offers it." in before
    assert marked.status_code == 302
    assert "Elvestrand Guiding" not in top["Fjellstua"]
    assert "Fjellstua" not in top["Elvestrand Guiding"]
    assert "Elvestrand Guiding" in back["Fjellstua"]
    assert db.session.query(PairingMark).count() == 0


@pytest.mark.db
def test_a_good_mark_lifts_alike_pairs_and_the_page_says_why(db, leader_client, project):
    cabins, guide = ids(project, "Hyttegrenda", "Elvestrand Guiding")

    leader_client.post(
        "/projects/fjell/pairings/mark", data={"a": cabins, "b": guide, "mark": "good"}
    )
    page = leader_client.get("/projects/fjell/pairings?lang=en").get_data(as_text=True)

    assert "Like the pairs you marked good." in page
    assert "You marked this pair good." in page  # the marked pair itself, lifted as much
    assert "Marked good" in page
    assert "Take the mark back" in page


@pytest.mark.db
def test_marks_belong_to_one_project(db, leader, make_project, project):
    other = make_project("annen", leaders=[leader], name="Annen", language="en")
    businesses.import_file(other, CSV.encode("utf-8-sig"))
    db.session.commit()
    hut, guide = (businesses.find_by_name(project, n) for n in ("Fjellstua", "Elvestrand Guiding"))
    pairing_service.mark(project, hut, guide, "not_relevant")
    db.session.commit()

    mine = {
        b.name: [p.business.name for p in f] for b, f in pairing_service.suggestions(project, k=10)
    }
    theirs = {
        b.name: [p.business.name for p in f] for b, f in pairing_service.suggestions(other, k=10)
    }

    assert "Elvestrand Guiding" not in mine["Fjellstua"]
    assert "Elvestrand Guiding" in theirs["Fjellstua"]
    other_hut = businesses.find_by_name(other, "Fjellstua")
    with pytest.raises(pairing_service.OutcomeError):
        pairing_service.mark(project, hut, other_hut, "good")
    with pytest.raises(pairing_service.OutcomeError):
        pairing_service.mark(project, hut, guide, "splendid")


@pytest.mark.db
def test_a_declined_connection_leaves_the_pair_out_of_suggestions_and_speed_meetings(db, project):
    hut, guide = (businesses.find_by_name(project, n) for n in ("Fjellstua", "Elvestrand Guiding"))
    connection = pairing_service.connect(project, hut, guide)
    pairing_service.set_status(connection, "declined")
    db.session.commit()

    top = {
        b.name: [p.business.name for p in f] for b, f in pairing_service.suggestions(project, k=10)
    }
    meeting = pairing_service.speed_meeting(
        [hut, guide, *[b for b in project.businesses if b not in (hut, guide)]]
    )

    assert "Elvestrand Guiding" not in top["Fjellstua"]
    assert all(not {str(hut.id), str(guide.id)} <= set(g) for g in meeting.groups)


@pytest.mark.db
def test_a_connection_that_goes_on_counts_as_good(db, project):
    cabins, guide = (
        businesses.find_by_name(project, n) for n in ("Hyttegrenda", "Elvestrand Guiding")
    )
    connection = pairing_service.connect(project, cabins, guide)
    pairing_service.set_status(connection, "met")
    db.session.commit()

    found = pairing_service.feedback(project)

    assert frozenset({str(cabins.id), str(guide.id)}) in found.good


@pytest.mark.db
def test_a_viewer_cannot_mark(db, client, make_user, project):
    from workshops.projects import service as projects

    viewer = make_user("viewer@example.org", can_create=False)
    projects.set_role(project, viewer, "viewer")
    db.session.commit()
    login(client, "viewer@example.org")
    hut, guide = ids(project, "Fjellstua", "Elvestrand Guiding")

    page = client.get("/projects/fjell/pairings").get_data(as_text=True)
    post = client.post("/projects/fjell/pairings/mark", data={"a": hut, "b": guide, "mark": "good"})

    assert "Not relevant" not in page
    assert post.status_code == 403
    assert db.session.query(PairingMark).count() == 0


@pytest.mark.db
def test_bad_marks_are_refused(db, leader_client, project):
    hut, guide = ids(project, "Fjellstua", "Elvestrand Guiding")

    assert (
        leader_client.post(
            "/projects/fjell/pairings/mark", data={"a": hut, "b": guide, "mark": "x"}
        ).status_code
        == 400
    )
    assert (
        leader_client.post(
            "/projects/fjell/pairings/mark", data={"a": hut, "b": hut, "mark": "good"}
        ).status_code
        == 400
    )
    assert (
        leader_client.post(
            "/projects/fjell/pairings/mark", data={"a": hut, "b": 99999, "mark": "good"}
        ).status_code
        == 404
    )


@pytest.mark.db
def test_the_pairings_page_searches_by_name_sector_and_tag_and_pages(db, leader_client, project):
    by_name = leader_client.get("/projects/fjell/pairings?q=husky&lang=en").get_data(as_text=True)
    by_tag = leader_client.get("/projects/fjell/pairings?q=konserter&lang=en").get_data(
        as_text=True
    )
    nothing = leader_client.get("/projects/fjell/pairings?q=zzzz&lang=en").get_data(as_text=True)
    odd = leader_client.get("/projects/fjell/pairings?page=abc")

    assert (
        'id="b' in by_name and ">Huskygården</h2>" in by_name and ">Fjellstua</h2>" not in by_name
    )
    assert ">Spelemannslaget</h2>" in by_tag and ">Fjellstua</h2>" in by_tag
    assert ">Elvestrand Guiding</h2>" not in by_tag
    assert "No business matches the search." in nothing
    assert odd.status_code == 200


@pytest.mark.db
def test_a_large_region_shows_one_page_at_a_time(db, leader, make_project):
    import time

    project = make_project("stor", leaders=[leader], name="Stor", language="en")
    rows = ["name;sector;offers;needs"] + [
        f"Bedrift {k:05d};{['55.10', '79.90', '56.10', '10.51'][k % 4]};;" for k in range(2000)
    ]
    businesses.import_file(project, "\n".join(rows).encode())
    db.session.commit()
    pairing_service.suggestions(project, k=5, businesses=[])  # warm the cache
    started = time.perf_counter()
    shown = pairing_service.suggestions(project, k=5, businesses=list(project.businesses)[:20])
    elapsed = time.perf_counter() - started

    assert len(shown) == 20
    assert elapsed < 2.0


# --- ecosystems the leader named -------------------------------------------------------------


def _region():
    import random

    rng = random.Random(3)
    groups = [
        "accommodation",
        "food_service",
        "guides_activities",
        "crafts",
        "retail",
        "local_food",
    ]
    tags = [t.key for t in pairing.scoring.taxonomy.tags()]
    return [
        P(
            f"b{k:02d}",
            groups[k % len(groups)],
            set(rng.sample(tags, 3)),
            set(rng.sample(tags, 3)),
            municipality="Nordvik",
        )
        for k in range(40)
    ]


def test_a_named_group_is_never_proposed_again_nor_one_that_shares_two_thirds():
    region = _region()
    first = pairing.ecosystems(region)
    target = first[0].members
    nearly = list(target[:-1]) + ["someone else"] if len(target) == 3 else list(target[:-1])

    again = pairing.ecosystems(region, named=[("Ours", list(target))])
    near = pairing.ecosystems(region, named=[("Ours", nearly)])

    assert all(set(e.members) != set(target) for e in again)
    assert all(set(e.members) != set(target) for e in near)
    assert len(again) == len(first) - 1


def test_a_proposal_sharing_some_members_says_what_it_adds():
    region = _region()
    names = {p.id: p.name for p in region}
    big = next(e for e in pairing.ecosystems(region) if len(e.members) >= 4)
    named = [("Elvehelg", [big.members[0], big.members[1], "outsider"])]

    found = next(e for e in pairing.ecosystems(region, named=named) if e.members == big.members)
    words = [pairing.explain(r, "en") for r in found.reasons]

    assert found.builds_on == ("Elvehelg",)
    added = ", ".join(sorted(names[x] for x in big.members[2:]))
    assert f"Builds on your ecosystem “Elvehelg”: adds {added}." in words


def test_repeats_named_counts_two_thirds_of_the_larger_group():
    from workshops.businesses.pairing.ecosystems import repeats_named

    assert repeats_named(["a", "b", "c"], [("x", ["a", "b", "d"])])
    assert not repeats_named(["a", "b", "c", "d"], [("x", ["a", "b", "e"])])
    assert repeats_named(["a", "b"], [("x", ["a", "b", "c", "d"])])  # nothing but some of it


@pytest.mark.db
def test_the_ecosystems_page_never_proposes_a_named_group_again(db, leader_client, project):
    from workshops.businesses import pairing_service as service

    first = service.ecosystem_proposals(project)
    assert first
    members = first[0][1]
    service.name_ecosystem(project, "Fjellhelg", "A weekend", members)
    db.session.commit()

    again = service.ecosystem_proposals(project)
    page = leader_client.get("/projects/fjell/ecosystems?lang=en")

    assert all({b.id for b in found} != {b.id for b in members} for _e, found in again)
    assert page.status_code == 200
