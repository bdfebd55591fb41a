"""Unchecked translations: export them for a reviewer, import the reviewed file, flags cleared."""

import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from babel.messages.pofile import read_po, write_po

from app import catalogues
from app import translation_review as review


@pytest.fixture
def tree(tmp_path):
    """Copies of the catalogues and the method data to write into."""
    translations = tmp_path / "translations"
    folder = tmp_path / "data"
    shutil.copytree(catalogues.TRANSLATIONS, translations)
    shutil.copytree(catalogues.METHOD_DATA, folder)
    return {"translations": translations, "folder": folder}


def _po(path: Path):
    with open(path, "rb") as handle:
        return read_po(handle)


def test_every_team_translation_is_unchecked_until_read(tree):
    items = review.unchecked_items("fi", **tree)
    places = {item.place for item in items}

    assert any(i.place == review.CATALOGUE and i.english == "Log in" for i in items)
    assert "programme/W1.yaml#steps/W1.1/title" in places
    assert all(i.english for i in items)
    assert review.unchecked_items("nb", **tree) == []  # a source language has nothing to read


def test_po_export_names_place_english_and_translation_and_marks_all_fuzzy(tree, tmp_path):
    target = tmp_path / "sv.po"

    count = review.export_review("sv", "po", target, **tree)
    exported = _po(target)
    entry = exported.get("Welcome", context="programme/W1.yaml#steps/W1.1/title")

    assert count == len([m for m in exported if m.id]) > 100
    assert str(exported.locale) == "sv"
    assert entry.string == "Välkommen"
    assert all(m.fuzzy for m in exported if m.id)


def test_po_import_writes_changes_back_and_clears_the_flags(tree, tmp_path):
    target = tmp_path / "sv.po"
    review.export_review("sv", "po", target, **tree)
    exported = _po(target)
    w1 = [m for m in exported if m.context and m.context.startswith("programme/W1.yaml#")]
    for message in w1:
        message.flags.discard("fuzzy")  # the reviewer read all of W1 ...
    exported.get(
        "Welcome", context="programme/W1.yaml#steps/W1.1/title"
    ).string = "Hej och välkommen"
    notes = "programme/W1.yaml#notes"
    exported.get(
        next(m.id for m in w1 if m.context == notes), context=notes
    ).string = (
        "Lägg workshoppen på en frukost eller en eftermiddag. Kontrollera wifi och projektor."
    )
    login = exported.get("Log in", context=review.CATALOGUE)
    login.flags.discard("fuzzy")
    login.string = "Logga in här"
    exported.get("Log out", context=review.CATALOGUE).flags.discard("fuzzy")
    with open(target, "wb") as handle:
        write_po(handle, exported)

    result = review.import_review(target, **tree)
    w1_data = yaml.safe_load((tree["folder"] / "programme" / "W1.yaml").read_text("utf-8"))
    catalogue = catalogues.load_catalogue("sv", tree["translations"])
    left = {i.english for i in review.unchecked_items("sv", **tree) if i.place == "catalogue"}

    assert result.problems == []
    assert result.changed == 3 and result.reviewed == len(w1) + 2
    assert result.cleared_files == ["programme/W1.yaml"]
    assert w1_data["unchecked"] == ["da", "fi"]
    assert w1_data["steps"][0]["title"]["sv"] == "Hej och välkommen"
    assert w1_data["notes"]["sv"].startswith("Lägg workshoppen på en frukost eller")
    assert w1_data["steps"][0]["title"]["nb"] == "Velkommen"
    assert catalogue.get("Log in").string == "Logga in här"
    assert "Log in" not in left and "Log out" not in left and "Join" in left
    assert review.load_reviewed("sv", tree["translations"])["Log in"] == "Logga in här"


def test_a_translation_changed_after_review_is_unchecked_again(tree, tmp_path):
    target = tmp_path / "da.po"
    review.export_review("da", "po", target, **tree)
    exported = _po(target)
    exported.get("Log in", context=review.CATALOGUE).flags.discard("fuzzy")
    with open(target, "wb") as handle:
        write_po(handle, exported)
    review.import_review(target, **tree)
    po = tree["translations"] / "da" / "LC_MESSAGES" / "messages.po"
    before = {i.english for i in review.unchecked_items("da", **tree)}

    po.write_text(po.read_text("utf-8").replace('msgstr "Log ind"', 'msgstr "Log på"'), "utf-8")
    after = {i.english for i in review.unchecked_items("da", **tree)}

    assert "Log in" not in before
    assert "Log in" in after


def test_xlsx_round_trip_with_a_plural_and_a_checked_column(tree, tmp_path):
    target = tmp_path / "fi.xlsx"
    review.export_review("fi", "xlsx", target, **tree)
    book = openpyxl.load_workbook(target)
    sheet = book.active
    rows = list(sheet.iter_rows(min_row=2))
    plural = next(r for r in rows if r[2].value)  # a text with plural forms
    plural[5].value = "x"
    yesno = next(r for r in rows if r[0].value == "evaluation_forms.yaml#yesno/no/text")
    yesno[3].value = "Ei, ei"
    yesno[5].value = "yes"
    unread = next(r for r in rows if r[0].value == "catalogue" and not r[2].value)
    unread[3].value = "Tätä ei luettu"
    book.save(target)

    result = review.import_review(target, **tree)
    forms = yaml.safe_load((tree["folder"] / "evaluation_forms.yaml").read_text("utf-8"))
    catalogue = catalogues.load_catalogue("fi", tree["translations"])

    assert sheet.title == "review-fi"
    assert result.problems == [] and result.reviewed == 2 and result.changed == 1
    assert forms["yesno"][1]["text"]["fi"] == "Ei, ei"
    assert forms["unchecked"] == ["sv", "da", "fi"]  # one text of the file read, not all
    assert catalogue.get(unread[1].value).string != "Tätä ei luettu"
    assert plural[1].value in review.load_reviewed("fi", tree["translations"])


def test_import_refuses_a_translation_with_an_unknown_placeholder(tree, tmp_path):
    target = tmp_path / "sv.po"
    review.export_review("sv", "po", target, **tree)
    exported = _po(target)
    entry = next(m for m in exported if m.context == "catalogue" and "%(" in str(m.id))
    entry.flags.discard("fuzzy")
    entry.string = (
        tuple(s + " %(evil)s" for s in entry.string)
        if entry.pluralizable
        else entry.string + " %(evil)s"
    )
    with open(target, "wb") as handle:
        write_po(handle, exported)

    result = review.import_review(target, **tree)

    assert result.reviewed == 0 and len(result.problems) == 1


def test_cli_exports_and_imports(app, tree, tmp_path, monkeypatch):
    monkeypatch.setattr(catalogues, "TRANSLATIONS", tree["translations"])
    monkeypatch.setattr(catalogues, "METHOD_DATA", tree["folder"])
    runner = app.test_cli_runner()
    target = tmp_path / "fi.po"

    exported = runner.invoke(
        args=["translations-review", "export", "--lang", "fi", "--format", "po", str(target)]
    )
    imported = runner.invoke(args=["translations-review", "import", str(target)])
    bad = runner.invoke(args=["translations-review", "export", "--lang", "xx", str(target)])

    assert exported.exit_code == 0, exported.output
    assert "unchecked fi texts" in exported.output
    assert imported.exit_code == 0, imported.output
    assert "0 texts read" in imported.output
    assert bad.exit_code != 0
