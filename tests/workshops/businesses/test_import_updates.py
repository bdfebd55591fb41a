"""Re-importing a business: an empty cell keeps what is stored, and the preview says what changes."""

import html
import io

import pytest
from flask_babel import force_locale

from method import taxonomy
from workshops.businesses import registry as businesses

pytestmark = pytest.mark.db

HEADER = "Navn;Bransje;Tilbud;Behov;Kommune;Beskrivelse;E-post;Nettsted;Størrelse;Fase\n"
KAYAK = "Ersfjord Kajakk & Villmark AS"


@pytest.fixture
def project(db, leader, make_project):
    return make_project("ersfjord", leaders=[leader], name="Ersfjord", language="en")


@pytest.fixture
def kayak(db, project):
    """A business added by the form, with contact details, tags chosen from the list, a size."""
    business = businesses.save(
        project,
        businesses.BusinessData(
            name=KAYAK,
            sector="guiding",
            municipality="Tromsø",
            email="post@ersfjordkajakk.example",
            website="ersfjordkajakk.example",
            size_band="2-4",
            stage="established",
            offer_tags=("guided_tour", "equipment_rental"),
            need_tags=("accommodation",),
        ),
    )
    db.session.commit()
    return business


def _facts(business) -> dict:
    return {
        "email": business.email,
        "website": business.website,
        "municipality": business.municipality,
        "description": business.description,
        "size": business.size_band,
        "stage": business.stage,
        "sector": business.sector,
        "offers": business.offers,
        "needs": business.needs,
    }


def test_empty_cells_in_an_update_keep_the_stored_values(db, project, kayak):
    before = _facts(kayak)
    row = f"{KAYAK};;;;Tromsø;Oppdatert fra fil;;;;\n"

    plan = businesses.import_file(project, (HEADER + row).encode("utf-8-sig"))
    db.session.commit()

    db.session.refresh(kayak)
    assert (plan.created, plan.updated, plan.errors) == (0, 1, [])
    assert _facts(kayak) == before | {"description": "Oppdatert fra fil"}


def test_the_walks_row_keeps_email_and_website_and_its_offers_replace_the_chosen_tags(
    db, project, kayak
):
    # The last row of the walk's file: empty e-mail and website, one offer, unreadable size/stage.
    row = f"{KAYAK};guiding;kajakk;overnatting;Tromsø;Oppdatert fra fil;;;abc;ukjent fase\n"

    plan = businesses.import_file(project, (HEADER + row).encode("utf-8-sig"))
    db.session.commit()

    db.session.refresh(kayak)
    assert (kayak.email, kayak.website) == ("post@ersfjordkajakk.example", "ersfjordkajakk.example")
    assert (kayak.size_band, kayak.stage) == ("2-4", "established")
    assert "outdoor_activity" in kayak.offers and "guided_tour" not in kayak.offers
    [planned] = plan.rows
    assert [change.column for change in planned.changes] == ["offers"]
    assert planned.kept == ("email", "website")


def test_the_plan_lists_what_an_update_replaces_in_the_users_language(app, db, project, kayak):
    row = f"{KAYAK};;kajakk;;Bodø;;ny@ersfjordkajakk.example;;10;\n"

    plan = businesses.plan_import(
        project, businesses.read_table((HEADER + row).encode("utf-8-sig"))
    )

    [planned] = plan.rows
    with app.test_request_context(), force_locale("en"):
        shown = [
            (plan.header(c.column), c.shown("before"), c.shown("after")) for c in planned.changes
        ]
        kept = [plan.header(column) for column in planned.kept]
    guided, rental = (taxonomy.tag_label(t, "en") for t in ("guided_tour", "equipment_rental"))
    assert shown == [
        ("Tilbud", f"{guided}, {rental}", taxonomy.tag_label("outdoor_activity", "en")),
        ("Kommune", "Tromsø", "Bodø"),
        ("E-post", "post@ersfjordkajakk.example", "ny@ersfjordkajakk.example"),
        ("Størrelse", "2–4 people", "10–49 people"),
    ]
    assert kept == ["Bransje", "Behov", "Nettsted", "Fase"]
    assert db.session.get(type(kayak), kayak.id).email == "post@ersfjordkajakk.example"


def test_an_update_with_nothing_new_replaces_nothing_and_keeps_the_profile(db, project, kayak):
    before = _facts(kayak)

    plan = businesses.import_file(project, f"name,email\n{KAYAK.upper()},\n".encode())
    db.session.commit()

    db.session.refresh(kayak)
    [planned] = plan.rows
    assert (planned.action, planned.changes, planned.kept) == ("update", [], ("email",))
    assert planned.reading.offers == ("guided_tour", "equipment_rental")  # shown as stored
    assert _facts(kayak) == before


def test_new_needs_keep_the_offers_chosen_in_the_form(db, project, kayak):
    businesses.import_file(project, f"name;offers;needs\n{KAYAK};;overnatting, mat\n".encode())
    db.session.commit()

    db.session.refresh(kayak)
    assert kayak.offers == ["guided_tour", "equipment_rental"]
    assert "accommodation" in kayak.needs and "meals" in kayak.needs


def test_the_preview_says_per_updated_row_what_is_replaced_and_what_is_kept(
    db, leader_client, project, kayak
):
    row = f"{KAYAK};guiding;kajakk;overnatting;Tromsø;Oppdatert fra fil;;;;\n"
    upload = leader_client.post(
        "/projects/ersfjord/businesses/import",
        data={"file": (io.BytesIO((HEADER + row).encode("utf-8-sig")), "import2.csv")},
        content_type="multipart/form-data",
    )

    page = html.unescape(leader_client.get(upload.headers["Location"] + "?lang=en").text)

    guided, rental = (taxonomy.tag_label(t, "en") for t in ("guided_tour", "equipment_rental"))
    outdoor = taxonomy.tag_label("outdoor_activity", "en")
    assert "a filled cell replaces what is stored, an empty cell keeps it" in page
    assert f"Tilbud: '{guided}, {rental}' becomes '{outdoor}'." in page
    assert "Empty cells keep what is stored: E-post, Nettsted, Størrelse, Fase." in page
    assert db.session.get(type(kayak), kayak.id).offers == ["guided_tour", "equipment_rental"]
