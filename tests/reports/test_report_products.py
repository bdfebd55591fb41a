"""Section 7 lists the ideas that became products: each linked product with its ideas as typed."""

import pytest

from app.extensions import db
from app.reports import data, render
from tests.reports.conftest import pdf_text
from workshops.businesses.models import Ecosystem
from workshops.ideas.models import Idea

pytestmark = pytest.mark.db


def body(project, lang="en") -> str:
    return str(render.report_body(data.assemble(project, lang), lang))


def test_without_links_section_7_says_so_in_one_line(story):
    html = body(story)

    assert "Ideas that became products" in html
    assert "No product has been linked yet to the ideas it grew from." in html
    assert data.assemble(story, "en").products == ()


def test_a_linked_product_lists_its_ideas_verbatim_in_preview_and_pdf(story):
    ecosystem = db.session.scalar(db.select(Ecosystem))
    ideas = list(db.session.scalars(db.select(Idea).order_by(Idea.id)))[:2]
    ecosystem.ideas = ideas
    db.session.commit()

    report = data.assemble(story, "en")
    html = body(story)
    text = pdf_text(render.report_pdf(report, "en"))

    assert [(p.ecosystem, p.ideas) for p in report.products] == [
        ("Kanalhelg", tuple(i.text for i in ideas))
    ]
    assert "No product has been linked yet" not in html
    section = html.split("Ideas that became products", 1)[1].split("<section", 1)[0]
    for idea in ideas:
        assert str(render.Markup.escape(idea.text)) in section
        assert " ".join(idea.text.split()) in text


def test_the_demo_report_shows_products_with_their_ideas(app, make_project, leader):
    from workshops import demo

    project = make_project("demo", leaders=[leader], name="Slusedal", language="nb")
    demo.load(project)
    db.session.commit()

    report = data.assemble(project, "nb")

    assert {p.ecosystem for p in report.products} == {"Kanalhelg", "Verkskveld", "Jernmønster"}
    assert (
        "Kanalhelg med båt, padling, lokal mat og konsert"
        in {p.ecosystem: p.ideas for p in report.products}["Kanalhelg"]
    )
