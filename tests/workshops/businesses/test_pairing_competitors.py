"""Pure competitors by what makes a group's businesses substitutes, and customers as partners."""

import random

import pytest

from workshops.businesses import pairing
from workshops.businesses.pairing import Profile


def p(pid, group, offers, needs, assumed=False, municipality="Ås") -> Profile:
    return Profile(
        pid,
        pid.title(),
        group,
        frozenset(offers),
        frozenset(needs),
        municipality=municipality,
        assumed=assumed,
    )


def test_two_wedding_venues_compete_even_when_one_has_rooms_the_other_needs():
    barn = p(
        "barn",
        None,
        {"venue", "event_program"},
        {"catering", "live_performance", "accommodation", "content_media"},
    )
    manor = p(
        "manor",
        None,
        {"venue", "event_program", "accommodation"},
        {"catering", "live_performance", "content_media"},
    )

    assert pairing.score_pair(barn, manor).competitor


def test_two_cabin_firms_compete_on_beds_whatever_else_each_adds():
    cabins = p(
        "cabins", "accommodation", {"accommodation", "wellness", "equipment_rental"}, {"meals"}
    )
    cottages = p(
        "cottages", "accommodation", {"accommodation", "outdoor_site"}, {"guided_tour", "meals"}
    )

    assert pairing.score_pair(cabins, cottages).competitor


def test_a_festival_is_no_rival_of_a_band():
    festival = p(
        "festival",
        "performing_arts_events",
        {"event_program", "stage_tech"},
        {"accommodation", "meals"},
    )
    band = p(
        "band",
        "performing_arts_events",
        {"live_performance", "event_program", "stage_tech"},
        {"venue", "accommodation", "visitors"},
        assumed=True,
    )

    assert not pairing.score_pair(festival, band).competitor


def test_a_need_the_needer_meets_itself_makes_no_complement():
    one = p("one", "guides_activities", {"equipment_rental", "guided_tour", "outdoor_activity"},
            {"accommodation", "outdoor_activity"})  # fmt: skip
    other = p("other", "guides_activities", {"equipment_rental", "guided_tour", "outdoor_activity"},
              {"accommodation", "passenger_transport"})  # fmt: skip

    assert pairing.score_pair(one, other).competitor


def test_smithy_and_knitter_are_not_rivals():
    smithy = p("smithy", "crafts", {"handmade_products", "craft_demo"}, {"sales_outlet"})
    knitter = p("knitter", "crafts", {"handmade_products", "souvenirs"}, {"sales_outlet"})

    assert not pairing.score_pair(smithy, knitter).competitor


def test_a_photographer_finds_a_customer_in_a_hotel_that_needs_pictures():
    photographer = p("photographer", "visual_arts_media", {"content_media"}, {"group_customers"})
    hotel = p(
        "hotel", "accommodation", {"accommodation", "meals"}, {"content_media", "guided_tour"}
    )
    cafe = p("cafe", "food_service", {"meals"}, {"local_food"})
    bakery = p("bakery", "local_food", {"local_food"}, {"visitors"})

    found = pairing.score_pair(photographer, hotel)
    plain = pairing.score_pair(bakery, cafe)

    assert any(r.kind == "customer" and r.giver == "Photographer" for r in found.reasons)
    assert "looking for customers" in pairing.explain(
        next(r for r in found.reasons if r.kind == "customer"), "en"
    )
    # Goods are no know-how: a bakery's buyer brings no customer term.
    assert not any(r.kind == "customer" for r in plain.reasons)


def crowded_region(n: int, seed: int) -> list[Profile]:
    """Many alike businesses that meet each other's needs: competitors score high as pairs."""
    rng = random.Random(seed)
    kinds = [
        ("accommodation", {"accommodation", "meals", "guided_tour"}, {"meals", "guided_tour"}),
        ("accommodation", {"accommodation", "meals", "guided_tour"}, {"meals", "guided_tour"}),
        (
            "guides_activities",
            {"guided_tour", "outdoor_activity"},
            {"accommodation", "guided_tour"},
        ),
        ("food_service", {"meals", "local_food"}, {"local_food", "live_performance"}),
        ("visual_arts_media", {"content_media"}, {"group_customers", "visitors"}),
    ]
    found = []
    for i in range(n):
        group, offers, needs = kinds[0] if rng.random() < 0.8 else rng.choice(kinds)
        extra = rng.choice(
            ["venue", "wellness", "sales_outlet", "marketing_reach", "content_media"]
        )
        found.append(
            Profile(f"c{i}", f"C {i:04d}", group, frozenset(offers | {extra}), frozenset(needs),
                    municipality=rng.choice(("Ås", "Bø")), assumed=rng.random() < 0.1)
        )  # fmt: skip
    return found


@pytest.mark.parametrize("seed", [1, 2])
def test_matrix_scoring_agrees_where_competitors_crowd_the_top(seed):
    region = crowded_region(450, seed)

    by_index = pairing._edges_by_index(region, 10, pairing.WEIGHTS)
    by_matrix = pairing._edges_by_matrix(region, 10, pairing.WEIGHTS)

    assert any(e[2] for row in by_matrix for e in row)  # some competitors do reach the lists
    for one, other in zip(by_index, by_matrix, strict=True):
        assert [e[1:] for e in one] == [e[1:] for e in other]
        assert [e[0] for e in one] == pytest.approx([e[0] for e in other])
