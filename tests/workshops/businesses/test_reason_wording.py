"""Reason sentences read naturally in every language: every kind, every language, hard labels."""

import re

import pytest

from method import taxonomy
from workshops.businesses import pairing
from workshops.businesses.pairing import Reason

LANGS = ("nb", "sv", "da", "fi", "en")
AND = {"nb": "og", "sv": "och", "da": "og", "fi": "ja", "en": "and"}
QUOTED = re.compile(r"[«»“”\"][^«»“”\"]*[«»“”\"]")
IDEAS = {"i1": "Kanalhelg med konsert"}


def _full(kind: str) -> Reason:
    """A reason of `kind` with every field set, using labels that hold commas and an "and"."""
    return Reason(
        kind,
        giver="Slusedal Padling",
        taker="Slusedal Gjestegård",
        tag="booking_channel",  # "Booking, sales channel"
        offer="venue",  # "Venue, meeting room"
        idea="i1",
        group_a="accommodation",
        group_b="guides_activities",  # "Guiding and activities"
        product="transfers_boat_tours",
        parts=("stay", "eat", "do"),
    )


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", taxonomy.reason_kinds())
def test_every_reason_kind_reads_as_a_sentence_in_every_language(kind, lang):
    text = pairing.explain(_full(kind), lang, IDEAS)
    outside_quotes = QUOTED.sub("«»", text)
    conjunction = AND[lang]

    assert text[:1].isupper() and text[-1] in ".?", text
    assert "{" not in text and "}" not in text and "  " not in text, text
    assert not re.search(rf"\b{conjunction}\s+\w+\s+{conjunction}\b", outside_quotes), text
    assert ", ," not in text and ",," not in text, text
    for key in ("booking_channel", "venue", "guides_activities"):
        label = (taxonomy.tag_label if key != "guides_activities" else taxonomy.group_label)(
            key, lang
        )
        inside = label[:1].lower() + label[1:]
        if inside in text:  # a label with a comma or an "and" never stands bare in a sentence
            assert inside not in outside_quotes, text


@pytest.mark.parametrize("lang", LANGS)
def test_day_parts_are_listed_with_the_languages_and(lang):
    text = pairing.explain(_full("covers_day"), lang)

    assert re.search(rf"\w, \w+ {AND[lang]} \w+\.$", text), text


def test_finnish_agreement_and_case():
    support = pairing.explain(Reason("support", group_a="accommodation", group_b="enablers"), "fi")
    chain = pairing.explain(_full("value_chain"), "fi")
    need = pairing.explain(_full("covers_need"), "fi")
    close = pairing.explain(_full("close_need"), "fi")

    assert support == (
        "Ryhmän ”kehittäjät ja asiantuntijat” toimijat voivat tukea ryhmän ”majoitus” "
        "yrityksiä neuvoilla ja osaamisella."
    )
    assert chain.startswith("Ryhmien ”majoitus” ja ”opastus ja aktiviteetit” yritykset tekevät")
    assert need == (
        "Yrityksellä Slusedal Gjestegård on tarve ”varaus, myyntikanava”, "
        "ja Slusedal Padling tarjoaa sitä."
    )
    assert "tarjonta ”tila, kokoustila” on sitä lähellä" in close


def test_norwegian_group_reasons_do_not_chain_og():
    chain = pairing.explain(_full("value_chain"), "nb")
    serves = pairing.explain(_full("serves_need"), "nb")

    assert chain == (
        "Bedrifter innen overnatting og «guiding og aktiviteter» lager ofte transfer og båtturer "
        "sammen."
    )
    assert serves == (
        "Slusedal Gjestegård trenger «booking, salgskanal»; Slusedal Padling tilbyr "
        "«lokale, møterom», som dekker behovet."
    )


def test_a_joint_product_within_one_group_names_the_group_once():
    festival = pairing.Profile(
        "f", "Visefestivalen", group="performing_arts_events",
        offers=frozenset({"event_program"}), needs=frozenset({"live_performance"}),
    )  # fmt: skip
    band = pairing.Profile(
        "b", "Duo Fjellklang", group="performing_arts_events",
        offers=frozenset({"live_performance"}), needs=frozenset({"event_program"}),
    )  # fmt: skip
    reasons = pairing.score_pair(festival, band).reasons
    within = next(r for r in reasons if r.kind == "within_group")

    assert not any(r.kind == "value_chain" for r in reasons)
    assert pairing.explain(within, "nb") == (
        "Bedrifter innen «scenekunst og arrangement» lager ofte et program med utøvere sammen."
    )


def test_a_pair_tied_by_nothing_they_wrote_says_it_is_a_weak_suggestion():
    # An accountant and an IT helper, both asking for customers: no need of one met by the
    # other, one of them of no group (as an import of two owners' rows read them).
    accountant = pairing.Profile(
        id="1",
        name="Regnskap AS",
        group="enablers",
        offers=frozenset({"business_advice"}),
        needs=frozenset({"visitors"}),
    )
    helper = pairing.Profile(
        id="2",
        name="IT-hjelp",
        group=None,
        offers=frozenset({"marketing_reach"}),
        needs=frozenset({"visitors"}),
    )
    tied = pairing.Profile(
        id="3", name="Hytta", group="accommodation", needs=frozenset({"business_advice"})
    )

    weak = pairing.top_partners([accountant, helper], k=1)["2"][0]
    strong = pairing.top_partners([accountant, tied], k=1)["3"][0]

    assert weak.score > 0 and [r.kind for r in weak.reasons] == ["little_known"]
    assert pairing.explain(weak.reasons[0], "en").startswith("Little of what they wrote")
    assert "little_known" not in [r.kind for r in strong.reasons]
