"""Pairing suggests complementary partners with reasons, pairs a room and proposes ecosystems."""

import random

import numpy as np
import pytest

from method import taxonomy
from workshops.businesses import pairing
from workshops.businesses.pairing import Profile, Reason

SLUSEDAL = [
    ("1", "Slusedal Gjestegård", "55.10", "accommodation, group_accommodation, meals",
     "guided_tour, local_food, live_performance"),
    ("2", "Kvernhuskafeen i Sluseby", "56.10", "meals, catering, venue", "local_food, local_drinks"),
    ("3", "Sluseby Pub & Scene", "56.30", "venue, local_drinks", "live_performance, stage_tech"),
    ("4", "Ormebakken Sideri", "11.03", "local_drinks, tasting", "sales_outlet, group_customers"),
    ("5", "Kvitlia Geitgård", "10.51", "local_food, farm_visit", "sales_outlet, visitors"),
    ("6", "Slusedal Padling", "93.29", "guided_tour, equipment_rental",
     "accommodation, meals, passenger_transport"),
    ("7", "Slusedal Opplevelser", "79.12", "packaging, booking_channel",
     "accommodation, guided_tour"),
    ("8", "Slusedal Spelemannstrio", "90.01", "live_performance", "venue, stage_tech, visitors"),
    ("9", "Slusedal Verksmuseum", "91.02", "heritage_stories, exhibition",
     "meals, handmade_products"),
    ("10", "Sluseby Smie", "25.50", "handmade_products, craft_demo",
     "sales_outlet, design_branding"),
    ("11", "Ullstua i Sluseby", "14.39", "handmade_products, souvenirs",
     "sales_outlet, marketing_reach"),
    ("12", "Slusedal Kanalbåt", "50.30", "water_transport", "guided_tour, packaging"),
    ("13", "Slusedal Buss og Taxi", "49.39", "passenger_transport, scene på henger",
     "group_customers"),
    ("14", "Slusedal Næringsforum", "84.13", "business_advice, funding_advice", ""),
]  # fmt: skip


def business(row: tuple[str, str, str, str, str]) -> Profile:
    key, name, code, offers, needs = row
    return Profile(
        key,
        name,
        taxonomy.sector_group_for(code).group,
        frozenset(taxonomy.map_words(offers).tags),
        frozenset(taxonomy.map_words(needs).tags),
    )


@pytest.fixture(scope="module")
def slusedal() -> list[Profile]:
    return [business(row) for row in SLUSEDAL]


def random_region(n: int, seed: int, located: bool = False) -> list[Profile]:
    rng = random.Random(seed)
    keys = [t.key for t in taxonomy.tags()]
    groups = [g.key for g in taxonomy.groups()]
    ideas = [f"i{k}" for k in range(max(3, n // 8))]
    return [
        Profile(
            f"b{i}",
            f"B {i:04d}",
            rng.choice(groups),
            frozenset(rng.sample(keys, rng.randint(1, 4))),
            frozenset(rng.sample(keys, rng.randint(1, 4))),
            frozenset(rng.sample(ideas, rng.choice((0, 0, 1, 2)))),
            frozenset(rng.sample(("entertainment", "esthetic"), rng.randint(0, 1))),
            rng.choice(("Ås", "Bø", "")),
            59 + rng.random() if located and rng.random() < 0.8 else None,
            9 + rng.random() if located else None,
            assumed=rng.random() < 0.1,
        )
        for i in range(n)
    ]


def test_demo_pairs_from_the_method_meet_in_a_top_three(slusedal):
    top = pairing.top_partners(slusedal, k=3)
    firsts = {a: {s.partner_id for s in found} for a, found in top.items()}

    for a, b in [("6", "1"), ("2", "4"), ("2", "5"), ("3", "8"), ("8", "13"), ("9", "10"),
                 ("12", "6"), ("6", "7")]:  # fmt: skip
        assert b in firsts[a] or a in firsts[b], (a, b)


def test_smithy_and_wool_shop_are_not_flagged_competitors(slusedal):
    smie, ullstua = slusedal[9], slusedal[10]

    assert not pairing.score_pair(smie, ullstua).competitor


def test_same_offers_and_nothing_needed_is_a_competitor_with_a_penalty():
    a = Profile("a", "Elv Padling", "guides_activities", frozenset({"guided_tour"}),
                frozenset({"accommodation"}))  # fmt: skip
    b = Profile("b", "Fjord Padling", "guides_activities", frozenset({"guided_tour"}),
                frozenset({"accommodation"}))  # fmt: skip
    other = Profile("c", "Other", "crafts", frozenset({"guided_tour"}), frozenset({"sales_outlet"}))

    rivals = pairing.score_pair(a, b)

    assert rivals.competitor
    assert rivals.reasons[-1] == Reason("competitor")
    assert rivals.score == pytest.approx(2 * 0.2 - 1.5)
    assert not pairing.score_pair(a, other).competitor


def test_small_hosts_pooling_beds_for_a_group_need_are_not_competitors():
    a = Profile("a", "Gard", "accommodation", frozenset({"accommodation"}), frozenset())
    b = Profile("b", "Hytter", "accommodation", frozenset({"accommodation"}),
                frozenset({"group_accommodation"}))  # fmt: skip

    result = pairing.score_pair(a, b)

    assert not result.competitor
    assert Reason("pool_beds", giver="Gard", taker="Hytter") in result.reasons


def test_a_competitor_is_never_in_a_top_three_even_when_it_scores_high():
    idea = frozenset({"big-idea"})
    me = Profile("me", "Me", "crafts", frozenset({"handmade_products"}), frozenset({"visitors"}),
                 interests=idea)  # fmt: skip
    rivals = [
        Profile(f"r{k}", f"Rival {k}", "crafts", frozenset({"handmade_products"}),
                frozenset({"visitors"}), interests=idea)
        for k in range(3)
    ]  # fmt: skip
    helpers = [
        Profile(f"h{k}", f"Helper {k}", "retail", frozenset({"visitors"}), frozenset())
        for k in range(4)
    ]

    top = pairing.top_partners([me, *rivals, *helpers], k=6)["me"]

    assert all(pairing.score_pair(me, r).competitor for r in rivals)
    assert [s.competitor for s in top[:3]] == [False, False, False]


def test_suggestions_are_best_first_ties_to_the_more_exact_fit_then_by_name():
    region = random_region(120, seed=5)
    by_id = {p.id: p for p in region}

    for key, found in pairing.top_partners(region, k=8).items():
        me = by_id[key]

        def exact(other, me=me):
            weight = sum(
                taxonomy.tag(t).weight
                for t in (me.offers & other.needs) | (other.offers & me.needs)
            )  # a tag both give each other counts twice
            weight += sum(
                taxonomy.tag(t).weight for t in me.offers & other.needs & other.offers & me.needs
            )
            return round(weight * (0.5 if me.assumed or other.assumed else 1.0), 9)

        keys = [
            (-round(s.score, 9), -exact(by_id[s.partner_id]), by_id[s.partner_id].name)
            for s in found
        ]
        assert all(s.score >= 0 for s in found)
        assert keys[:3] == sorted(keys[:3])


def test_an_exact_match_outranks_a_close_one_of_equal_sector():
    hotel = Profile("h", "Hotel", "accommodation", frozenset({"accommodation"}),
                    frozenset({"guided_tour"}))  # fmt: skip
    guide = Profile("g", "Guide", "guides_activities", frozenset({"guided_tour"}))
    rafting = Profile("r", "Rafting", "guides_activities", frozenset({"outdoor_activity"}))

    top = pairing.top_partners([hotel, guide, rafting], k=2)

    assert [s.partner_id for s in top["h"]] == ["g", "r"]
    close = [r for r in top["h"][1].reasons if r.kind == "close_need"]
    assert close == [
        Reason("close_need", giver="Rafting", taker="Hotel", tag="guided_tour",
               offer="outdoor_activity")
    ]  # fmt: skip
    assert pairing.explain(close[0], "en") == (
        "Hotel needs guided tours; Rafting offers outdoor activities, which comes close."
    )


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("nb", ["trenger", "tilbyr", "guidede turer"]),
        ("sv", ["behöver", "erbjuder", "guidade turer"]),
        ("da", ["har brug for", "tilbyder", "guidede ture"]),
        ("fi", ["on tarve", "tarjoaa", "opastetut kierrokset"]),
        ("en", ["needs", "offers", "guided tours"]),
    ],
)
def test_reasons_are_worded_in_each_language_with_names_and_tag_labels(slusedal, lang, words):
    reason = Reason("covers_need", giver="Slusedal Padling", taker="Slusedal Gjestegård",
                    tag="guided_tour")  # fmt: skip

    text = pairing.explain(reason, lang)

    assert "Slusedal Padling" in text and "Slusedal Gjestegård" in text
    assert all(word in text for word in words)


def test_every_kind_of_reason_can_be_worded_in_five_languages(slusedal):
    kinds = set()
    for found in pairing.top_partners(slusedal, k=5).values():
        for suggestion in found:
            for reason in suggestion.reasons:
                kinds.add(reason.kind)
                for lang in ("nb", "sv", "da", "fi", "en"):
                    assert "{" not in pairing.explain(reason, lang)
    assert {"covers_need", "value_chain", "package_check"} <= kinds
    shared = Reason("shared_interest", idea="i7")
    assert pairing.explain(shared, "en", {"i7": "Canal weekend"}) == (
        'Both want to work on "Canal weekend".'
    )


def test_candidates_come_from_the_tag_index_not_from_all_pairs(monkeypatch):
    # 200 businesses, no sector, and only ten offer-need links between them.
    region = [
        Profile(f"b{i}", f"B {i}", None, frozenset({f"offer-{i}"}), frozenset({f"need-{i}"}))
        for i in range(200)
    ]
    region = [
        Profile(p.id, p.name, None, frozenset({f"need-{i + 1}"}) if i < 10 else p.offers, p.needs)
        for i, p in enumerate(region)
    ]
    calls = []
    original = pairing.candidates._score_and_exact
    monkeypatch.setattr(
        pairing.candidates,
        "_score_and_exact",
        lambda *args, **kw: calls.append(1) or original(*args, **kw),
    )

    top = pairing.top_partners(region, k=3)

    assert 0 < len(calls) <= 2 * 10
    assert top["b0"][0].partner_id == "b1"
    assert top["b150"] == []


def test_strong_sector_affinity_is_found_without_any_tag():
    region = [Profile("h", "Hotel", "accommodation"), Profile("g", "Guide", "guides_activities")]
    region += [Profile(f"x{k}", f"X {k}", "crafts", frozenset({f"o{k}"})) for k in range(5)]

    top = pairing.top_partners(region, k=1)

    assert top["h"][0].partner_id == "g"
    assert top["h"][0].reasons == (
        Reason("value_chain", group_a="accommodation", group_b="guides_activities",
               product="multi_day_trips"),
    )  # fmt: skip


def test_matrix_scoring_agrees_with_scoring_pair_by_pair():
    region = random_region(450, seed=3, located=True)

    by_index = pairing._edges_by_index(region, 6, pairing.WEIGHTS)
    by_matrix = pairing._edges_by_matrix(region, 6, pairing.WEIGHTS)

    for one, other in zip(by_index, by_matrix, strict=True):
        assert [e[1:] for e in one] == [e[1:] for e in other]
        assert [e[0] for e in one] == pytest.approx([e[0] for e in other])


def test_score_matrix_holds_the_same_scores_as_score_pair():
    region = random_region(40, seed=9, located=True)

    matrix = pairing.score_matrix(region)

    for i, j in [(0, 1), (3, 17), (25, 39), (10, 11)]:
        assert matrix[i, j] == pytest.approx(pairing.score_pair(region[i], region[j]).score)


@pytest.mark.parametrize("size", [2, 9, 14])
def test_speed_meeting_puts_everyone_present_in_a_pair_or_one_trio(size):
    present = random_region(size, seed=size)

    meeting = pairing.speed_meeting(present)

    seated = [x for group in meeting.groups for x in group]
    assert sorted(seated) == sorted(p.id for p in present)
    assert sorted(len(g) for g in meeting.groups) == [2] * (size // 2 - size % 2) + [3] * (size % 2)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_speed_meeting_reaches_nine_tenths_of_the_exact_optimum(seed):
    present = random_region(41, seed=seed)
    matrix = np.clip(pairing.score_matrix(present), 0, None)
    index = {p.id: k for k, p in enumerate(present)}

    def weight(meeting: pairing.Meeting) -> float:
        return pairing.matching_weight(matrix, [[index[x] for x in g] for g in meeting.groups])

    fast = pairing.speed_meeting(present, exact_up_to=0)
    exact = pairing.speed_meeting(present, exact_up_to=100)

    assert not fast.exact and exact.exact
    assert weight(fast) >= 0.9 * weight(exact)
    assert sorted(x for g in fast.groups for x in g) == sorted(index)


def test_ecosystems_have_three_to_six_members_and_cover_the_day(slusedal):
    proposals = pairing.ecosystems(slusedal) + pairing.ecosystems(random_region(200, seed=4))

    assert proposals
    assert all(3 <= len(e.members) <= 6 for e in proposals)
    canal = next(e for e in pairing.ecosystems(slusedal) if "1" in e.members)
    assert {"1", "6"} <= set(canal.members)
    assert canal.coverage[0] == "stay" and canal.viable
    assert pairing.explain(canal.reasons[0], "en").startswith("Together they cover")


def test_network_figure_is_a_png_or_an_svg(slusedal):
    png = pairing.network_figure(slusedal, fmt="png")
    svg = pairing.network_figure(pairing.build_graph(slusedal), fmt="svg", lang="en")

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in svg and b"Slusedal Padling" in svg


def test_nobody_to_pair_gives_empty_answers():
    assert pairing.top_partners([], k=3) == {}
    assert pairing.speed_meeting([]).groups == ()
    assert pairing.top_partners([Profile("a", "A")], k=3) == {"a": []}


def test_a_close_offer_adds_to_a_candidate_but_never_makes_one():
    guide = Profile("g", "Guide", None, frozenset({"guided_tour"}))
    rafting = Profile("r", "Rafting", None, frozenset({"canoe"}), frozenset({"outdoor_activity"}))

    assert pairing.candidate_pairs([guide, rafting]) == set()
    assert pairing.top_partners([guide, rafting], k=3) == {"g": [], "r": []}


def test_a_market_access_offer_meets_the_need_it_serves():
    photographer = Profile("p", "Foto", "visual_arts_media", frozenset({"content_media"}),
                           frozenset({"visitors"}))  # fmt: skip
    farm = Profile("f", "Gard", "local_food", frozenset({"local_food"}),
                   frozenset({"marketing_reach"}))  # fmt: skip
    agency = Profile("a", "Reiseliv", "travel_trade", frozenset({"booking_channel"}))

    assert pairing.candidate_pairs([photographer, farm, agency]) == {(0, 1), (0, 2), (1, 2)}
    top = pairing.top_partners([photographer, farm, agency], k=3)
    assert {s.partner_id for s in top["p"]} == {"f", "a"}
    served = [r for r in top["f"][0].reasons if r.kind == "serves_need"]
    assert served and all("{" not in pairing.explain(r, lang) for r in served
                          for lang in ("nb", "sv", "da", "fi", "en"))  # fmt: skip


def test_matrix_scoring_agrees_with_pair_by_pair_on_a_region_of_defaults_and_ideas():
    region = random_region(500, seed=8)
    region += [
        Profile(f"d{k}", f"D {k:03d}", group, *map(frozenset, taxonomy.default_profile(group)),
                municipality=("Ås", "Bø")[k % 2], assumed=True)
        for k, group in enumerate(g.key for g in taxonomy.groups() for _ in range(3))
    ]  # fmt: skip

    by_index = pairing._edges_by_index(region, 10, pairing.WEIGHTS)
    by_matrix = pairing._edges_by_matrix(region, 10, pairing.WEIGHTS)

    for one, other in zip(by_index, by_matrix, strict=True):
        assert [e[1:] for e in one] == [e[1:] for e in other]
        assert [e[0] for e in one] == pytest.approx([e[0] for e in other])
