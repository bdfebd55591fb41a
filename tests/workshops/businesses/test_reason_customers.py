"""Reasons for a seller of know-how that asks for customers: a buyer of its know-how is one, a
business that brings tourist groups is not (scoring.met_needs, Weights.customer)."""

from workshops.businesses import pairing
from workshops.businesses.pairing import Profile
from workshops.businesses.pairing.scoring import met_needs

STUDIO = Profile(
    "d", "Studio Lyng", "visual_arts_media", frozenset({"design_branding"}),
    frozenset({"group_customers", "content_media"}),
)  # fmt: skip
BARN = Profile(
    "b", "Låven på Haugland", None, frozenset({"venue", "event_program", "group_customers"}),
    frozenset({"catering", "live_performance"}),
)  # fmt: skip
DAIRY = Profile(
    "y", "Breidal Ysteri", "local_food", frozenset({"local_food", "tasting"}),
    frozenset({"design_branding", "sales_outlet"}),
)  # fmt: skip
THEATRE = Profile(
    "t", "Kyläteatteri", "community", frozenset({"live_performance", "volunteers"}),
    frozenset({"visitors"}),
)  # fmt: skip


def test_a_seller_of_know_how_asks_buyers_not_tourist_groups():
    assert met_needs(STUDIO) == frozenset({"content_media"})

    kinds = {r.kind for r in pairing.score_pair(STUDIO, BARN).reasons}

    assert "covers_need" not in kinds
    assert "customer" not in kinds


def test_a_buyer_of_the_know_how_is_the_sellers_customer():
    found = pairing.score_pair(STUDIO, DAIRY)
    kinds = [r.kind for r in found.reasons]

    assert "covers_need" in kinds
    assert "customer" in kinds
    assert pairing.explain(next(r for r in found.reasons if r.kind == "customer"), "en")


def test_an_association_that_asks_for_visitors_wants_them():
    assert met_needs(THEATRE) == THEATRE.needs


def test_the_buyer_ranks_above_the_group_bringer_for_the_seller():
    top = pairing.top_partners([STUDIO, BARN, DAIRY], k=2)

    assert [s.partner_id for s in top["d"]][0] == "y"
