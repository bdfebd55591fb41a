"""The report as a publishable, archivable PDF: tagged PDF/A, outline, alt texts; kept once made."""

from __future__ import annotations

import dataclasses
import re
import time
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.reports import cache, data, render
from app.reports.models import PdfCache
from evaluations import charts
from evaluations.results import FormResults, QuestionResult
from tests.conftest import login
from tests.reports.conftest import pdf_text
from workshops.businesses.models import Business
from workshops.ideas.models import Idea
from workshops.privacy import service as privacy
from workshops.programme.models import Workshop

pytestmark = pytest.mark.db

SCALE = ("Not useful", "A little", "Useful", "Very useful")


def _question(qid: int, title: str, counts, qtype="single", labels=SCALE) -> QuestionResult:
    respondents = sum(counts) if qtype != "multiple" else max(counts)
    too_few = charts.too_few(respondents)
    if too_few:
        return QuestionResult(qid, f"q{qid}", qtype, title, respondents, True)
    chart = charts.ChartData(
        title=title,
        kind=charts.kind_for(qtype),
        labels=labels,
        counts=counts,
        respondents=respondents,
    )
    return QuestionResult(
        qid, f"q{qid}", qtype, title, respondents, False, chart=chart,
        table=tuple(charts.data_table(chart)),
    )  # fmt: skip


def _forms() -> tuple[FormResults, ...]:
    """Two workshops' forms: a compared question, a too-few one, a multiple choice, texts."""
    texts = QuestionResult(9, "q9", "text", "Anything else?", 6, False, texts=("Mer kaffe 🙂",))
    first = FormResults(
        1, "Evaluation", 14, 20, None, 5,
        (
            _question(1, "How useful was the workshop?", (0, 2, 8, 4)),
            _question(2, "What helped?", (3, 7), "multiple", ("Talks", "Coffee")),
            texts,
        ),
    )  # fmt: skip
    second = FormResults(
        2, "Evaluation", 12, 12, None, 5,
        (
            _question(1, "How useful was the workshop?", (1, 1, 1, 0)),  # 3: too few
            _question(2, "What helped?", (5, 2), "multiple", ("Talks", "Coffee")),
        ),
    )  # fmt: skip
    return first, second


def _report(story, lang="en") -> data.ReportData:
    report = data.assemble(story, lang)
    return dataclasses.replace(
        report,
        evaluations=_forms(),
        evaluation_labels=("Who we are", "Harvest"),
        evaluations_available=True,
    )


def _structure(reader: PdfReader):
    """Every structure element of the PDF's tag tree (dictionaries), depth first."""
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    stack, found = [root], []
    while stack:
        node = stack.pop()
        if hasattr(node, "get_object"):
            node = node.get_object()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not hasattr(node, "get"):
            continue
        found.append(node)
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)
    return found


def test_evaluation_rows_compare_workshops_and_keep_the_under_five_rule():
    rows = data.evaluation_rows(_forms(), ("Who we are", "Harvest"))

    useful, helped, texts = rows
    assert useful.kind == "pie" and useful.labels == SCALE
    assert [c.label for c in useful.cells] == ["Who we are", "Harvest"]
    assert useful.cells[0].counts == (0, 2, 8, 4) and not useful.cells[0].too_few
    assert useful.cells[1].too_few and useful.cells[1].counts == ()  # 3 answers: not shown
    assert [c.label for c in useful.shown] == ["Who we are"]
    assert helped.kind == "bar" and [c.counts for c in helped.cells] == [(3, 7), (5, 2)]
    assert texts.kind is None and texts.texts == (("Who we are", ("Mer kaffe 🙂",)),)


def _baselines(content: bytes, words: set[str]) -> dict[str, float]:
    """The height on its page of each of words as the PDF draws it (the first time)."""
    found: dict[str, float] = {}

    def visit(text, cm, tm, _font, _size):
        text = text.strip()
        if text in words and text not in found:
            found[text] = round(cm[3] * tm[5] + cm[5], 1)  # no rotation in the report

    for page in PdfReader(BytesIO(content)).pages:
        page.extract_text(visitor_text=visit)
    return found


def _six_workshops(story) -> data.ReportData:
    """The report with six workshops' forms alike: too many columns for options as lines."""
    first = _forms()[0]
    forms = tuple(dataclasses.replace(first, form_id=k) for k in range(1, 7))
    return dataclasses.replace(
        _report(story), evaluations=forms, evaluation_labels=tuple(f"W{k}" for k in range(1, 7))
    )


@pytest.mark.parametrize("layout", ["lines", "a row per option"])
def test_each_option_label_stands_level_with_its_numbers_in_the_pdf(story, layout):
    report = _report(story) if layout == "lines" else _six_workshops(story)
    content = render.report_pdf(report, "en")

    heights = _baselines(content, {*SCALE, "0 (0 %)", "2 (14 %)", "8 (57 %)", "4 (29 %)"})

    assert heights["Not useful"] == heights["0 (0 %)"]
    assert heights["A little"] == heights["2 (14 %)"]
    assert heights["Useful"] == heights["8 (57 %)"]
    assert heights["Very useful"] == heights["4 (29 %)"]
    assert heights["Not useful"] > heights["A little"] > heights["Useful"] > heights["Very useful"]
    body = str(render.report_body(report, "en", lines=True))
    assert body.count('<tr class="lines">') == (1 if layout == "lines" else 0)  # bars: rows


def test_the_pdf_puts_options_as_lines_and_the_preview_keeps_a_row_per_option(story):
    report = _report(story)

    pdf_body = str(render.report_body(report, "en", lines=True))
    preview = str(render.report_body(report, "en"))

    assert '<tr class="lines">' in pdf_body
    assert "0 (0 %)\n2 (14 %)\n8 (57 %)\n4 (29 %)" in pdf_body
    assert '<tr class="lines">' not in preview
    assert preview.count('<th scope="row" class="option key') == len(SCALE)


def test_long_options_line_breaks_and_many_workshops_keep_a_row_per_option():
    as_lines = render.evaluation_helpers(lines=True)["eval_as_lines"]
    row = data.evaluation_rows(_forms(), ("Who we are", "Harvest"))[0]
    long_label = "Very useful, and we will tell the municipality about it"

    assert as_lines(row)
    assert not render.evaluation_helpers()["eval_as_lines"](row)  # the preview
    assert not as_lines(dataclasses.replace(row, labels=(*row.labels[:3], long_label)))
    assert not as_lines(dataclasses.replace(row, labels=(*row.labels[:3], "Very\nuseful")))
    assert not as_lines(dataclasses.replace(row, labels=(*row.labels[:3], "Very\u2028useful")))
    assert not as_lines(dataclasses.replace(row, labels=(*row.labels[:3], "Very\tuseful")))
    assert not as_lines(dataclasses.replace(row, labels=(*row.labels[:3], "Very\u200fuseful")))
    assert not as_lines(dataclasses.replace(row, cells=row.cells * 3))  # six: narrow columns
    assert not as_lines(data.evaluation_rows(_forms(), ("Who we are", "Harvest"))[1])  # bars


def test_report_pdf_is_tagged_pdf_a_with_language_title_outline_and_fonts(story):
    content = render.report_pdf(_report(story), "en")
    reader = PdfReader(BytesIO(content))
    catalog = reader.trailer["/Root"]

    assert catalog["/Lang"] == "en"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    intents = catalog["/OutputIntents"]
    assert intents and intents[0].get_object()["/S"] == "/GTS_PDFA1"
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp or "<pdfaid:part>3</pdfaid:part>" in xmp
    assert reader.metadata.title == "Method report: Kanalbyen Slusedal"
    assert "Slusedal kommune" in reader.metadata.subject
    assert "/CreationDate" not in reader.metadata and "/ModDate" not in reader.metadata
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Kanalbyen Slusedal" in outline
    assert any("Evaluations" in title for title in outline)
    assert any("Appendix A" in title for title in outline)
    fonts = 0
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
            fonts += 1
    assert fonts
    kinds = {str(node.get("/S")) for node in _structure(reader)}
    assert {"/H2", "/Table", "/TH", "/TD", "/Figure", "/L", "/LI"} <= kinds


def test_every_chart_has_alt_text_with_its_counts_and_percentages(story):
    reader = PdfReader(BytesIO(render.report_pdf(_report(story), "en")))

    alts = [str(n["/Alt"]) for n in _structure(reader) if str(n.get("/S")) == "/Figure"]

    assert any(
        alt.startswith("How useful was the workshop? – Who we are:")
        and "Not useful 0 (0 %), A little 2 (14 %), Useful 8 (57 %), Very useful 4 (29 %)" in alt
        and "n = 14" in alt
        for alt in alts
    ), alts
    figures = [n for n in _structure(reader) if str(n.get("/S")) == "/Figure"]
    assert all("/Alt" in n for n in figures)


def test_report_text_is_concise_with_tables_in_an_appendix(story):
    text = pdf_text(render.report_pdf(_report(story), "en"))

    assert "Appendix C: evaluation answers per form" in text
    assert "too few" in text  # Harvest's 3 answers are not shown
    assert "Mer kaffe" in text  # free text verbatim
    assert "Several answers were allowed" in text
    assert "13 Resources" in text and "Participants' hours" in text


def test_same_data_gives_the_same_bytes(story):
    report = _report(story)

    assert render.report_pdf(report, "en") == render.report_pdf(report, "en")


def test_preview_draws_goal_bars_as_images_not_inline_widths(story, client, leader):
    login(client, leader.email)

    page = client.get("/projects/slusedal/report?lang=en").get_data(as_text=True)

    assert 'style="width' not in page
    assert re.search(r'<span class="bar"><span class="fill w-\d+"></span></span> \d+ %', page)


def test_download_is_made_once_and_again_only_when_the_data_change(
    story, client, leader, monkeypatch
):
    made = []
    real = render.report_pdf

    def counting(report, lang):
        made.append(lang)
        return real(report, lang)

    monkeypatch.setattr(render, "report_pdf", counting)
    login(client, leader.email)

    first = client.get("/projects/slusedal/report.pdf?lang=en")
    second = client.get("/projects/slusedal/report.pdf?lang=en")

    assert first.status_code == second.status_code == 200
    assert first.data == second.data and made == ["en"]
    assert db.session.scalar(select(func.count()).select_from(PdfCache)) == 1

    workshop = db.session.scalar(select(Workshop).where(Workshop.join_code == "ABCDEF"))
    db.session.add(Idea(workshop_id=workshop.id, text="Ny idé etter første nedlasting"))
    db.session.commit()
    third = client.get("/projects/slusedal/report.pdf?lang=en")

    assert made == ["en", "en"] and "Ny idé etter første nedlasting" in pdf_text(third.data)
    assert db.session.scalar(select(func.count()).select_from(PdfCache)) == 1  # old one replaced


def test_erasing_a_business_drops_the_kept_pdfs(story, client, leader):
    login(client, leader.email)
    client.get("/projects/slusedal/report.pdf?lang=en")
    assert db.session.scalar(select(func.count()).select_from(PdfCache)) == 1

    business = db.session.scalar(select(Business).where(Business.name == "Sluseby Smie"))
    privacy.erase_business(business, entirely=True)
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(PdfCache)) == 0


def test_an_unusable_cache_only_makes_the_download_slower(story, client, leader):
    PdfCache.__table__.drop(db.engine)
    login(client, leader.email)

    response = client.get("/projects/slusedal/report.pdf?lang=en")

    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    PdfCache.__table__.create(db.engine)


def test_catalogue_change_gives_a_new_key(app, tmp_path):
    catalogue = tmp_path / "nb" / "LC_MESSAGES" / "messages.mo"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_bytes(b"one")
    before = cache.renderer_version("nb", str(tmp_path))
    cache.renderer_version.cache_clear()
    catalogue.write_bytes(b"two")

    assert cache.renderer_version("nb", str(tmp_path)) != before
    cache.renderer_version.cache_clear()


def test_method_pdf_is_tagged_kept_and_the_same_for_everyone(client):
    first = client.get("/method.pdf?lang=en")
    second = client.get("/method.pdf?lang=en")

    assert first.data == second.data
    assert (
        db.session.scalar(
            select(func.count()).select_from(PdfCache).where(PdfCache.kind == "method")
        )
        == 1
    )
    reader = PdfReader(BytesIO(first.data))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.metadata.subject
    assert len(reader.outline) > 3


def test_businesses_are_named_only_with_their_consent(story):
    text = pdf_text(render.report_pdf(data.assemble(story, "en"), "en"))

    assert "Slusedal Padling" not in text and "Sluseby Smie" not in text
    assert "Business 1 (" in text and "No business has agreed to be named." in text

    padling = db.session.scalar(select(Business).where(Business.name == "Slusedal Padling"))
    padling.report_consent = True
    db.session.commit()
    text = pdf_text(render.report_pdf(data.assemble(story, "en"), "en"))

    assert "Named with their consent: Slusedal Padling." in text
    assert "Sluseby Smie" not in text


def test_the_use_of_the_method_is_stored_named_and_shapes_the_programme(app, runner):
    from workshops.programme.models import Workshop as W

    result = runner.invoke(
        args=[
            "create-project", "vidde", "--name", "Vidda", "--use", "existing_ecosystem",
            "--programme", "default", "--first-day", "2027-02-03",
        ]
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    project = db.session.scalar(select(data.Project).where(data.Project.slug == "vidde"))
    assert project.use == "existing_ecosystem"
    workshops = db.session.scalars(
        select(W).where(W.project_id == project.id).order_by(W.position)
    ).all()
    assert [w.template_key for w in workshops] == ["W2", "W3", "W4", "W5"]
    assert workshops[0].starts_at.date().isoformat() == "2027-02-03"
    text = pdf_text(render.report_pdf(data.assemble(project, "en"), "en"))
    assert "This project's use of the method: Develop an existing ecosystem" in text

    result = runner.invoke(args=["create-project", "vidde2", "--name", "V", "--use", "nonsense"])
    assert result.exit_code != 0


def test_resources_show_the_costs_and_funding_the_leader_entered(story):
    text = pdf_text(render.report_pdf(data.assemble(story, "en"), "en"))
    assert "has not entered costs or funding" in text

    story.costs = "NOK 180 000, of which 40 hours of process leading"
    story.funding = "Slusedal kommune and the county's rural fund"
    db.session.commit()
    text = pdf_text(render.report_pdf(data.assemble(story, "en"), "en"))

    assert "NOK 180 000, of which 40 hours of process leading" in text
    assert text.count("the county's rural fund") == 2  # organisation and resources
    assert "Workshops held 2" in text


def test_participants_by_size_and_stage_where_known(story):
    text = pdf_text(render.report_pdf(data.assemble(story, "en"), "en"))
    assert "No business has given its size or stage." in text

    padling = db.session.scalar(select(Business).where(Business.name == "Slusedal Padling"))
    padling.size_band, padling.stage = "2-4", "new"
    db.session.commit()
    text = pdf_text(render.report_pdf(data.assemble(story, "en"), "en"))

    assert "2–4 people 1 Not given 2" in text
    assert "New (up to three years) 1 Not given 2" in text


def test_agenda_and_guide_pdfs_are_kept_per_workshop(story, client, leader):
    workshop = db.session.scalar(select(Workshop).where(Workshop.join_code == "ABCDEF"))
    login(client, leader.email)
    base = f"/projects/slusedal/workshops/{workshop.id}"

    first = client.get(f"{base}/agenda?format=pdf&lang=en")
    again = client.get(f"{base}/agenda?format=pdf&lang=en")
    guide = client.get(f"{base}/guide?format=pdf&lang=en")

    assert first.status_code == again.status_code == guide.status_code == 200
    assert first.data == again.data and first.data.startswith(b"%PDF")
    kinds = db.session.scalars(select(PdfCache.kind).order_by(PdfCache.kind)).all()
    assert kinds == [f"agenda-{workshop.id}", f"guide-{workshop.id}"]


def test_a_replaced_pdf_leaves_no_copy_in_the_database_files(app, story):
    """The report before and after one more answer, side by side in a copy of the database,
    would show that answer: the replaced PDF is emptied from the log and the file soon after."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's files; PostgreSQL keeps dead rows until vacuum (docs/privacy.md)")
    database = Path(db.engine.url.database)
    wal = database.with_name(database.name + "-wal")
    project_id = story.id
    before = b"%PDF-1.7 report before the answer " + b"Q" * 3000
    after = b"%PDF-1.7 report after the answer " + b"R" * 3000

    cache._write("key-before", "report", "en", project_id, before)
    cache._write("key-after", "report", "en", project_id, after)

    def files() -> bytes:
        return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    deadline = time.monotonic() + 10
    while b"report before the answer" in files() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert b"report before the answer" not in files()
    assert b"report after the answer" in files()
