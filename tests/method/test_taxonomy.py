"""The taxonomy reads offers, needs and sectors the way people write them, in five languages."""

import pytest

from method import taxonomy

LANGS = ("nb", "sv", "da", "fi", "en")


def tags_of(text: str) -> tuple[str, ...]:
    return taxonomy.map_words(text).tags


def test_every_tag_has_a_label_in_five_languages_and_a_group_weight():
    found = taxonomy.tags()

    assert len(found) == 44
    for tag in found:
        assert all(tag.labels[lang] for lang in LANGS)
        assert tag.weight == (0.5 if tag.grp in ("comp", "sup") else 1.0)


def test_roles_follow_the_method_rule():
    special = {"language_guiding": "enabler", "equipment_rental": "base_service"}
    special |= {"artworks": "input", "tasting": "reason_to_go", "farm_visit": "reason_to_go"}
    special |= {
        "craft_demo": "reason_to_go",
        "venue": "base_service",
        "outdoor_site": "base_service",
    }
    special |= {"stage_tech": "base_service", "visitor_facilities": "base_service"}
    special |= {"sales_outlet": "market_access"}
    by_grp = {"exp": "reason_to_go", "cult": "reason_to_go", "hosp": "base_service"}
    by_grp |= {"mob": "base_service", "mkt": "market_access", "comp": "enabler", "sup": "enabler"}
    for tag in taxonomy.tags():
        expected = special.get(tag.key) or by_grp.get(tag.grp, "input")
        assert tag.role == expected, tag.key


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("overnatting", "accommodation"),
        ("boende", "accommodation"),
        ("overnatning", "accommodation"),
        ("majoitus", "accommodation"),
        ("accommodation", "accommodation"),
        ("kortreist mat", "local_food"),
        ("lähiruoka", "local_food"),
        ("närproducerat", "local_food"),
        ("guida turer", "guided_tour"),
        ("guidade turer", "guided_tour"),
        ("opastetut kierrokset", "guided_tour"),
        ("sykkelutleie", "equipment_rental"),
        ("B&B", "accommodation"),
        ("bastu", "wellness"),
        ("savusauna", "wellness"),
        ("scene på henger", "stage_tech"),
        ("rom for overnatting", "accommodation"),
    ],
)
def test_words_in_five_languages_map_to_their_tag(text, tag):
    assert tags_of(text) == (tag,)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("overnattingar", "accommodation"),
        ("hytter", "accommodation"),
        ("rommene", "accommodation"),
        ("stugor", "accommodation"),
        ("övernattningar", "accommodation"),
        ("majoitusta", "accommodation"),
        ("majoituksen", "accommodation"),
        ("lähiruokaa", "local_food"),
        ("saunassa", "wellness"),
        ("kahvilassa", "meals"),
        ("ravintoloita", "meals"),
        ("kävijöitä", "visitors"),
        ("markedsføringen", "marketing_reach"),
    ],
)
def test_inflected_forms_map_like_their_base(text, tag):
    assert tags_of(text) == (tag,)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("kanotuthyrning", "equipment_rental"),
        ("gårdsbutikken", "sales_outlet"),
        ("malekurs", "course_workshop"),
        ("fjellguide", "guided_tour"),
        ("hotellihuoneita", "accommodation"),
        ("kanoottivuokraamo", "equipment_rental"),
        ("ryhmämajoitusta", "group_accommodation"),
        ("museumskafé", "meals"),
    ],
)
def test_compounds_map_by_their_known_head(text, tag):
    assert tags_of(text) == (tag,)


def test_folded_letters_are_read_as_the_nordic_ones():
    assert tags_of("gardsbutikk") == ("sales_outlet",)
    assert tags_of("lahiruoka") == ("local_food",)
    assert tags_of("overnatningsmuligheder") == ("accommodation",)


def test_a_field_is_split_on_commas_slashes_and_the_word_for_and():
    mapped = taxonomy.map_words("padling, kanoutleie / overnatting og frokost; sauna ja kahvila")

    assert mapped.tags == (
        "outdoor_activity", "equipment_rental", "accommodation", "meals", "wellness"
    )  # fmt: skip
    assert mapped.free == ()


def test_words_saying_who_it_is_for_add_no_tag():
    assert tags_of("transport för grupper") == ("passenger_transport",)
    assert tags_of("majoitusta asiakkaille") == ("accommodation",)
    assert tags_of("hylleplass for lokale produkter") == ("sales_outlet",)


def test_unknown_words_are_kept_free_as_typed():
    mapped = taxonomy.map_words("Overnatting, Blåbærsyltetøy-kurs hos Oline? nei, Zorbing")

    assert "accommodation" in mapped.tags
    assert "Zorbing" in mapped.free


@pytest.mark.parametrize(
    "word", ["kultur", "natur", "oppgaver", "konkurs", "automat", "tomat", "struktur"]
)
def test_short_stems_do_not_fire_inside_unrelated_words(word):
    assert taxonomy.map_words(word) == taxonomy.WordMapping((), (word,))


def test_project_mappings_win_over_the_built_in_words():
    extra = {"scene": "venue", "tømmerfløting": "heritage_stories"}

    mapped = taxonomy.map_words("scene, tømmerfløtinga", extra=extra)

    assert mapped.tags == ("venue", "heritage_stories")


def test_project_mapping_to_an_unknown_tag_is_refused():
    with pytest.raises(ValueError, match="not a tag"):
        taxonomy.map_words("x", extra={"x": "no_such_tag"})


@pytest.mark.parametrize(
    ("written", "code"),
    [("55.10", "55.10"), ("5510", "55.10"), ("55.101", "55.10"), ("55.1", "55.1"), ("55", "55")],
)
def test_nace_codes_in_every_written_form_give_their_group(written, code):
    assert taxonomy.sector_group_for(written) == taxonomy.SectorMatch("accommodation", code, True)


def test_nace_rev21_codes_are_accepted_and_rev2_maps_to_them():
    assert taxonomy.sector_group_for("91.21").group == "heritage_museums"
    assert taxonomy.sector_group_for("90.20").group == "performing_arts_events"
    assert taxonomy.nace_rev21("90.01") == "90.20"
    assert taxonomy.nace_rev21("91.02") == "91.21"


def test_a_code_maps_by_its_longest_listed_prefix():
    assert taxonomy.sector_group_for("47.78").group == "crafts"
    assert taxonomy.sector_group_for("47.11").group == "retail"
    assert taxonomy.sector_group_for("01.41").group == "local_food"


def test_a_valid_code_in_no_listed_division_keeps_its_code_without_a_group():
    assert taxonomy.sector_group_for("99.00") == taxonomy.SectorMatch(None, "99.00", False)


@pytest.mark.parametrize(
    ("word", "group"),
    [
        ("hotell", "accommodation"),
        ("Hotelli", "accommodation"),
        ("kafé", "food_service"),
        ("kahvila", "food_service"),
        ("restaurang", "food_service"),
        ("museo", "heritage_museums"),
        ("Reisebyrå", "travel_trade"),
        ("smedja", "crafts"),
        ("spelemannslag", "performing_arts_events"),
    ],
)
def test_sector_words_in_five_languages_give_their_group(word, group):
    assert taxonomy.sector_group_for(word).group == group


def test_an_unknown_sector_word_is_not_recognised():
    assert taxonomy.sector_group_for("zorbing") == taxonomy.SectorMatch(None, None, False)


def test_default_profile_uses_the_class_refinement_when_the_class_has_one():
    assert taxonomy.default_profile("accommodation", "55.30")[0] == (
        "accommodation", "outdoor_site", "equipment_rental"
    )  # fmt: skip
    assert taxonomy.default_profile("accommodation", "55.10")[0] == (
        "accommodation", "group_accommodation", "meals", "venue"
    )  # fmt: skip
    assert taxonomy.default_profile("heritage_museums", "91.21")[0][-1] == "sales_outlet"
    assert taxonomy.default_profile("nothing") == ((), ())


def test_affinity_follows_the_method_table():
    assert taxonomy.affinity("guides_activities", "accommodation") == (1.0, "multi_day_trips")
    assert taxonomy.affinity("crafts", "crafts") == (0.2, None)
    assert taxonomy.affinity("crafts", "transport") == (0.3, None)
    assert taxonomy.affinity("enablers", "crafts") == (0.4, "support")
    assert taxonomy.affinity(None, "crafts") == (0.3, None)  # no listed group: unlisted pair
    # A group listed with itself makes products within it: a festival and its performers.
    assert taxonomy.affinity("performing_arts_events", "performing_arts_events") == (
        0.7,
        "festival_programme",
    )
    assert taxonomy.affinity("travel_trade", "transport") == (0.9, "transfers_in_packages")
    assert taxonomy.affinity("transport", "accommodation") == (0.7, "guest_transfers")
    assert taxonomy.affinity("visual_arts_media", "crafts") == (0.6, "gallery_shelf")
    assert taxonomy.affinity("heritage_museums", "heritage_museums") == (0.2, None)
    # A business of no listed group is most often a hall let for parties and weddings.
    assert taxonomy.affinity(None, "visual_arts_media") == (0.5, None)
    assert taxonomy.affinity(None, None) == (0.3, None)


def test_labels_and_joint_products_exist_in_five_languages():
    for lang in LANGS:
        assert taxonomy.tag_label("accommodation", lang)
        assert taxonomy.product_label("multi_day_trips", lang)
        for group in taxonomy.groups():
            assert taxonomy.group_label(group.key, lang)
        for kind in taxonomy.reason_kinds():
            assert taxonomy.reason_template(kind, lang)
    assert taxonomy.tag_label("no_such_tag", "nb") == "no_such_tag"


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("catering på arrangementer", ("catering",)),
        ("restauranter som vil ha ost", ("meals",)),
        ("lokaler å spille i", ("venue",)),
        ("majoitus esiintyjille", ("accommodation",)),
        ("omvisning i bryggeriet", ("guided_tour",)),
    ],
)
def test_words_saying_where_or_which_add_no_tag(text, tags):
    assert taxonomy.map_words(text).tags == tags


def test_related_tags_are_symmetric_and_known():
    for tag in taxonomy.tags():
        for other in taxonomy.related(tag.key):
            assert taxonomy.is_tag(other)
            assert tag.key in taxonomy.related(other)
    assert "outdoor_activity" in taxonomy.related("guided_tour")


def test_serving_offers_are_known_tags_and_meet_needs_of_another_kind():
    keys = {t.key for t in taxonomy.tags()}
    for tag in taxonomy.tags():
        for need in taxonomy.serves(tag.key):
            assert need in keys and need != tag.key
    assert "visitors" in taxonomy.serves("booking_channel")
    assert "marketing_reach" in taxonomy.serves("content_media")
    assert taxonomy.serves("visitors") == frozenset()
