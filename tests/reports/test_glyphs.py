"""A character no font can draw shows as a visible placeholder in the PDF, never dropped; a
letter under a tower of accents stays inside its box."""

import subprocess

import pytest

from app.reports import data, render
from tests.reports.conftest import pdf_text
from workshops import glyphs
from workshops.ideas.models import Idea
from workshops.pdf import html_to_pdf

PRIVATE_USE = "\ue000"
# Scripts few machines have a font for (Khitan small script, Nag Mundari, Kawi).
RARE = ("\U00018b00", "\U0001e4d0", "\U00011f04")


def fake(*points: int) -> glyphs.Coverage:
    return glyphs.Coverage([(p, p) for p in points])


def test_uncovered_characters_become_the_placeholder_and_the_rest_stays():
    covered = fake(ord("æ"), ord("😀"))
    text = "a æ 😀\u200d\ufe0f\n\t\u00a0 \ue000 \U00018b00 é"

    assert glyphs.visible(text, covered) == "a æ 😀\u200d\ufe0f\n\t\u00a0 \ufffd \ufffd \ufffd"
    assert glyphs.visible("plain ascii <b>", covered) == "plain ascii <b>"


def test_charsets_parse_into_merged_ranges():
    coverage = glyphs.parse_charsets("20-7e a0-ff\n41-5a 100 101-17f junk\n")

    assert (0x20 in coverage, 0x7F in coverage, 0x9F in coverage, 0x17F in coverage) == (
        True,
        False,
        False,
        True,
    )
    assert coverage.starts == [0x20, 0xA0]
    assert len(coverage) == (0x7E - 0x20 + 1) + (0x17F - 0xA0 + 1)


def test_the_installed_fonts_draw_the_report_languages_and_emoji():
    if glyphs.coverage() is None:
        pytest.skip("fontconfig's fc-list is not installed")
    for char in "æøåäöÆØÅÄÖ–«»€😀":
        assert glyphs.drawable(char), repr(char)


def test_pdf_shows_a_placeholder_for_a_private_use_and_a_rare_script_character(app):
    if glyphs.coverage() is None:
        pytest.skip("fontconfig's fc-list is not installed")
    missing = [c for c in (PRIVATE_USE, *RARE) if not glyphs.drawable(c)]
    if not missing:
        pytest.skip("every test character has a font here")
    html = (
        '<html lang="en"><head><title>t</title></head><body><p>'
        + " ".join(f"[{c}]" for c in missing)
        + " æøå 😀</p></body></html>"
    )

    with app.test_request_context():
        text = pdf_text(html_to_pdf(html))

    assert text.count("\ufffd") == len(missing)
    assert not any(c in text for c in missing)
    assert "æøå" in text


@pytest.mark.db
def test_an_idea_with_an_undrawable_character_keeps_its_place_in_the_report(story, db):
    if glyphs.coverage() is None or glyphs.drawable(PRIVATE_USE):
        pytest.skip("no fontconfig, or a font here draws private-use characters")
    idea = db.session.scalar(db.select(Idea).order_by(Idea.id))
    idea.text = f"Kanal{PRIVATE_USE}helg"
    db.session.commit()

    text = pdf_text(render.report_pdf(data.assemble(story, "en"), "en"))

    assert "Kanal\ufffdhelg" in text
    assert PRIVATE_USE not in text


STACKED_IDEA = "a" + "\u0301" * 1999  # one letter under 1,999 accents: 2,000 characters


def test_only_a_text_whose_letters_stack_marks_beyond_writing_is_clipped():
    assert glyphs.stacks_marks(STACKED_IDEA)
    assert glyphs.stacks_marks("x" + "\u0300\u0301\u0302\u0303\u0304\u0305\u0306")
    for writing in ("Việt Nam: Tiếng Việt có dấu", "e\u0301\u0302", "שָׁלוֹם", "Å ø æ ŋ č"):
        assert not glyphs.stacks_marks(writing)
    assert render.clipped(STACKED_IDEA) == " clipped" and render.clipped("Kafé") == ""
    assert 'class="verbatim clipped"' in render.verbatim_inline(STACKED_IDEA)


@pytest.mark.db
def test_stacked_accents_stay_inside_their_box_in_the_report_pdf(story, tmp_path):
    """Without the clip the tower of accents was drawn over the page's top margin (a walk saw it
    cross the lines above); the top margin of every page stays blank."""
    from PIL import Image

    from app.extensions import db

    workshop = story.workshops[0]
    db.session.add(Idea(workshop_id=workshop.id, text=STACKED_IDEA))
    db.session.commit()
    report = data.assemble(story, "en")
    assert 'class="verbatim clipped"' in str(render.report_body(report, "en"))
    (tmp_path / "report.pdf").write_bytes(render.report_pdf(report, "en"))

    subprocess.run(  # noqa: S603 - fixed arguments
        ["pdftoppm", "-r", "30", "-gray", str(tmp_path / "report.pdf"), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.pgm"))
    assert pages
    for path in pages:
        image = Image.open(path)
        band = image.crop((0, 0, image.width, round(image.height * 15 / 297)))  # 15 mm of 297
        assert band.getextrema()[0] > 240, f"{path.name}: something is drawn in the top margin"
