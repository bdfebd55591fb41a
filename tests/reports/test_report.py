"""The method report: sections, numbers and every idea in the PDF; access; hostile text."""

from __future__ import annotations

import base64
import re
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.reports import data, render
from tests.conftest import login
from tests.reports.conftest import HOSTILE, pdf_text
from workshops import pdf
from workshops.businesses.models import Business
from workshops.ideas.models import Idea
from workshops.programme.models import Workshop

pytestmark = pytest.mark.db


def _report(project, lang: str) -> str:
    return pdf_text(render.report_pdf(data.assemble(project, lang), lang))


def test_english_report_has_every_section_the_numbers_and_the_ideas(story):
    text = _report(story, "en")

    for section in (
        "Contents", "Summary", "Background and goals", "The method", "Organisation",
        "Participants", "Programme as planned and as run", "Ecosystems and connections",
        "Results against goals", "Evaluations", "Experiences and advice", "Continuation",
        "Appendix A: every idea as typed", "Appendix B: about the data and privacy",
    ):  # fmt: skip
        assert section in text, section
    assert "METHOD REPORT" in text.upper() and "Slusedal kommune" in text
    assert "Kanalbyen Slusedal" in text
    assert "Interreg North Sea Region" in text and "Nome" in text
    assert "Padletur med middag på gjestegården" in text
    assert "Skjult idé om smia (hidden from the wall)" in text
    assert "Kommunen bør invitere til frokostmøter" in text  # experiences (W5.5)
    assert "Vi møtes første tirsdag i måneden" in text  # continuation (W5.6)
    assert "Lea Leder" in text and "Nome kommune" in text  # organisation by name
    assert "leader@example.org" not in text and "viewer@example.org" not in text
    assert "5 ideas were collected" in text
    assert "Page 3 of" in text  # footer page numbers
    assert "Kanalhelg" in text and "Collaborating" in text


def test_report_is_in_the_project_language_by_default(story, runner, tmp_path):
    output = tmp_path / "report.pdf"

    result = runner.invoke(args=["report", "--project", "slusedal", "--output", str(output)])

    assert result.exit_code == 0, result.output
    content = output.read_bytes()
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Kanalbyen Slusedal" in text
    assert "Padletur med middag på gjestegården" in text
    assert "januar 2026" in text  # dates in Norwegian


def test_the_report_command_leaves_its_garbage_to_the_process_exit(
    story, runner, tmp_path, monkeypatch
):
    import gc

    from app.reports import commands

    at_exit = []
    monkeypatch.setattr(commands.atexit, "register", at_exit.append)

    result = runner.invoke(
        args=["report", "--project", "slusedal", "--output", str(tmp_path / "r.pdf")]
    )

    assert result.exit_code == 0, result.output
    assert at_exit == [gc.freeze]  # not walked by the collector at exit


def test_report_command_takes_another_language(story, runner, tmp_path):
    output = tmp_path / "report-en.pdf"

    result = runner.invoke(
        args=["report", "--project", "slusedal", "--output", str(output), "--lang", "en"]
    )

    assert result.exit_code == 0, result.output
    assert "January 14, 2026" in pdf_text(output.read_bytes())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--project", "nowhere"], "no project with the slug 'nowhere'"),
        (["--project", "slusedal", "--lang", "xx"], "'xx' is not one of"),
    ],
)
def test_report_command_refuses_bad_input_with_one_line(story, runner, tmp_path, args, message):
    result = runner.invoke(args=["report", *args, "--output", str(tmp_path / "r.pdf")])

    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "r.pdf").exists()


def test_report_of_an_empty_project_says_no_data_yet(make_project, leader, client):
    make_project("tom", leaders=[leader])
    login(client, leader.email)

    page = client.get("/projects/tom/report")
    pdf = client.get("/projects/tom/report.pdf")

    assert page.status_code == 200
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "Tom" in pdf_text(pdf.data)
    assert len(PdfReader(BytesIO(pdf.data)).pages) >= 3  # cover, contents, sections


def test_empty_project_report_in_english_names_what_is_missing(make_project, leader):
    project = make_project("tom", leaders=[leader], language="en")

    text = _report(project, "en")

    assert "No workshops have been planned yet." in text
    assert "No ideas have been collected yet." in text
    assert "No evaluation data yet" in text
    assert "No data yet: no lessons" in text


def test_viewer_downloads_the_report_and_the_exports(story, client, viewer):
    login(client, viewer.email)

    pdf = client.get("/projects/slusedal/report.pdf")
    exported = client.get("/projects/slusedal/export.json")
    workbook = client.get("/projects/slusedal/export.xlsx")

    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert exported.status_code == 200 and exported.json["project"]["slug"] == "slusedal"
    assert workbook.status_code == 200 and workbook.data.startswith(b"PK")


@pytest.mark.parametrize("path", ["report", "report.pdf", "export.json", "export.xlsx"])
def test_someone_outside_the_project_gets_404(story, client, stranger, path):
    login(client, stranger.email)

    assert client.get(f"/projects/slusedal/{path}").status_code == 404


def test_logged_out_visitor_is_sent_to_log_in(story, client):
    response = client.get("/projects/slusedal/report.pdf")

    assert response.status_code in (302, 401)


def test_preview_shows_the_same_sections_and_escapes_user_text(story, client, leader):
    workshop = db.session.scalar(db.select(Workshop).where(Workshop.join_code == "ABCDEF"))
    db.session.add(Idea(workshop_id=workshop.id, text="<script>alert('x')</script>"))
    db.session.commit()
    login(client, leader.email)

    page = client.get("/projects/slusedal/report?lang=en").get_data(as_text=True)

    assert "Appendix A: every idea as typed" in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "/projects/slusedal/report.pdf" in page


def test_hostile_text_stays_text_and_fetches_nothing(story, monkeypatch):
    story.name = HOSTILE[0]
    workshop = db.session.scalar(db.select(Workshop).where(Workshop.join_code == "ABCDEF"))
    for n, text in enumerate(HOSTILE):
        db.session.add(Idea(workshop_id=workshop.id, text=text))
        db.session.add(Business(project=story, name=f"{text} {n}", sector="55.10"))
    db.session.commit()
    asked = []
    real = pdf.resolve_static

    def recording(url, roots):
        asked.append(url)
        return real(url, roots)

    monkeypatch.setattr(pdf, "resolve_static", recording)

    text = _report(story, "en")

    assert "<script>alert('x')</script>" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert '=HYPERLINK("http://evil.example","click")' in text
    assert '<img src="file:///etc/passwd">' in text
    assert asked, "the stylesheet is fetched through the fetcher"
    assert all(
        url.startswith((f"{pdf.BASE_URL}static/", f"{pdf.BASE_URL}reports/static/"))
        for url in asked
    ), asked


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/logo.png",
        "https://kraftverk.invalid.example.org/static/favicon.svg",
        f"{pdf.BASE_URL}static/../../config.py",
        f"{pdf.BASE_URL}static/%2e%2e/%2e%2e/config.py",
        f"{pdf.BASE_URL}etc/passwd",
        "data:image/svg+xml,<svg/>",
    ],
)
def test_url_fetcher_refuses_everything_but_static_files(app, url):
    fetcher = pdf.static_only_fetcher()

    with pytest.raises(pdf.FetchRefused):
        fetcher.fetch(url)


def test_url_fetcher_serves_static_files_from_disk(app):
    fetcher = pdf.static_only_fetcher()

    stylesheet = fetcher.fetch(f"{pdf.BASE_URL}{render.STYLESHEET}")
    icon = fetcher.fetch(f"{pdf.BASE_URL}static/favicon.svg")
    chart = fetcher.fetch(pdf.DATA_SVG + base64.b64encode(b"<svg/>").decode())

    assert b"@page" in stylesheet.read()
    assert icon.content_type == "image/svg+xml"
    assert (chart.read(), chart.content_type) == (b"<svg/>", "image/svg+xml")


def test_url_fetcher_serves_the_static_folder_of_every_blueprint(app):
    roots = pdf.static_roots()

    assert set(roots) == {
        "static/",
        "reports/static/",
        "evaluations/static/",
        "public/static/",
    }
    assert all(folder.is_dir() for folder in roots.values())


def test_pdf_text_is_selectable_with_page_numbers_and_a_toc(story):
    content = render.report_pdf(data.assemble(story, "en"), "en")
    reader = PdfReader(BytesIO(content))
    contents_page = reader.pages[1].extract_text()

    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    assert "Contents" in contents_page
    assert "Appendix A" in contents_page
    # cover 1, contents 2, summary 3: each title followed by its page (no dot leaders)
    assert re.search(r"Summary[ .]*3\b", contents_page)


def test_method_page_and_pdf_are_public_in_the_page_language(client):
    page = client.get("/method?lang=en")
    pdf = client.get("/method.pdf?lang=en")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Who we are and what we have" in html and "Harvest and keep it alive" in html
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data)
    assert "Impromptu" in text or "Meet someone new" in text
    assert "How to take part" in text


def test_method_pdf_in_norwegian_uses_the_catalogue_titles(client):
    pdf = client.get("/method.pdf?lang=nb")

    assert "Hvem er vi og hva har vi" in pdf_text(pdf.data)


def test_an_empty_projects_report_has_its_cover_brand_and_no_table_of_zeros(make_project, leader):
    project = make_project("tom", leaders=[leader], language="en")

    content = render.report_pdf(data.assemble(project, "en"), "en")
    cover = pdf_text(content).split("Contents")[0]

    assert "Kraftverk" in cover  # the brand at the cover's foot, not pushed off the page
    text = pdf_text(content)
    assert "No workshop has been held yet: nothing to count." in text
    assert "Workshops held" not in text
