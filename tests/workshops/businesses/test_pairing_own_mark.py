"""The leader's own mark on a pair wins over its likeness to other pairs, and a pair alike to
good and to not-relevant pairs says only what moved it (walk 3, bug 6)."""

import pytest

from workshops.businesses import pairing
from workshops.businesses.pairing import Feedback, Profile, Reason
from workshops.businesses.pairing.ranking import FEEDBACK_STEP


def P(pid, group, offers, needs):  # noqa: N802
    return Profile(pid, pid.title(), group, frozenset(offers), frozenset(needs))


@pytest.fixture
def valley():
    return [
        P("hotel", "accommodation", {"accommodation", "meals"}, {"guided_tour"}),
        P("cabins", "accommodation", {"accommodation"}, {"guided_tour", "outdoor_activity"}),
        P("guide", "guides_activities", {"guided_tour"}, {"accommodation"}),
        P("husky", "guides_activities", {"guided_tour", "outdoor_activity"}, {"accommodation"}),
    ]


def pair(a, b):
    return frozenset({a, b})


def partner(top, a, b):
    return next(s for s in top[a] if s.partner_id == b)


def test_a_pair_marked_good_is_not_moved_down_by_a_bad_pair_like_it(valley):
    top = pairing.top_partners(valley, k=10)
    feedback = Feedback(
        good=frozenset({pair("hotel", "guide")}), bad=frozenset({pair("hotel", "husky")})
    )

    after = pairing.apply_feedback(valley, top, feedback)

    marked = partner(after, "hotel", "guide")
    assert marked.score == pytest.approx(partner(top, "hotel", "guide").score)
    assert Reason("like_declined") not in marked.reasons
    assert [s.partner_id for s in after["hotel"]][0] == "guide"


def test_a_pair_marked_good_still_moves_up_with_other_good_pairs_like_it(valley):
    top = pairing.top_partners(valley, k=10)
    feedback = Feedback(
        good=frozenset({pair("hotel", "guide"), pair("cabins", "guide")}),
        bad=frozenset({pair("cabins", "husky")}),
    )

    after = pairing.apply_feedback(valley, top, feedback)

    marked = partner(after, "hotel", "guide")
    assert marked.score == pytest.approx(partner(top, "hotel", "guide").score + FEEDBACK_STEP)
    assert marked.reasons[0] == Reason("like_good")
    assert Reason("like_declined") not in marked.reasons


def test_a_pair_as_like_good_as_bad_pairs_neither_moves_nor_says_either(valley):
    top = pairing.top_partners(valley, k=10)
    feedback = Feedback(
        good=frozenset({pair("cabins", "guide")}), bad=frozenset({pair("cabins", "husky")})
    )

    after = pairing.apply_feedback(valley, top, feedback)

    for other in ("guide", "husky"):
        found = partner(after, "hotel", other)
        assert found.score == pytest.approx(partner(top, "hotel", other).score)
        assert found.reasons == partner(top, "hotel", other).reasons


def test_only_the_stronger_likeness_speaks_and_moves_by_the_difference(valley):
    top = pairing.top_partners(valley, k=10)
    feedback = Feedback(
        good=frozenset({pair("cabins", "guide")}),
        bad=frozenset({pair("cabins", "husky"), pair("hotel", "guide")}),
    )

    after = pairing.apply_feedback(valley, top, feedback)

    found = partner(after, "hotel", "husky")
    assert found.score == pytest.approx(partner(top, "hotel", "husky").score - FEEDBACK_STEP)
    assert Reason("like_declined") in found.reasons
    assert Reason("like_good") not in found.reasons


def test_a_pair_marked_good_stays_ahead_of_the_pairs_only_like_it(valley):
    """A verifier marked a pair good and saw a pair only like it move above it: the look-alike
    gained a step from the mark, the marked pair none."""
    top = pairing.top_partners(valley, k=10)
    marked = pair("hotel", "guide")
    feedback = Feedback(good=frozenset({marked}), marked_good=frozenset({marked}))

    after = pairing.apply_feedback(valley, top, feedback)

    own = partner(after, "hotel", "guide")
    alike = partner(after, "cabins", "guide")  # accommodation and guiding, like the marked pair
    assert own.score == pytest.approx(partner(top, "hotel", "guide").score + FEEDBACK_STEP)
    assert own.reasons[0] == Reason("marked_good")
    assert Reason("like_good") not in own.reasons  # no other good pair is like it
    assert alike.reasons[0] == Reason("like_good")
    gained = alike.score - partner(top, "cabins", "guide").score
    assert gained == pytest.approx(FEEDBACK_STEP)  # no more than the marked pair
    for business in ("guide", "hotel"):  # so the two keep their order in every list
        before = [
            s.partner_id
            for s in top[business]
            if s.partner_id in ("guide", "cabins", "hotel", "husky")
        ]
        assert [s.partner_id for s in after[business] if s.partner_id in before] == before
    assert pairing.explain(Reason("marked_good"), "en") == "You marked this pair good."


def test_a_pair_good_by_a_connection_alone_does_not_say_it_was_marked(valley):
    top = pairing.top_partners(valley, k=10)
    met = pair("hotel", "guide")

    after = pairing.apply_feedback(valley, top, Feedback(good=frozenset({met})))

    assert Reason("marked_good") not in partner(after, "hotel", "guide").reasons
