"""A municipality viewer logs in and downloads the method report as a PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.auth.models import User
from app.extensions import db
from tests.conftest import PASSWORD
from workshops.ideas.models import Idea
from workshops.programme.models import Workshop
from workshops.projects import service as projects

pytestmark = pytest.mark.browser


@pytest.fixture
def viewer_project(live_app):
    """A project with one workshop and an idea, and a viewer from the municipality."""
    with live_app.app_context():
        viewer = User(email="kommune@example.org", name="Elvedal kommune")
        viewer.set_password(PASSWORD)
        db.session.add(viewer)
        db.session.flush()
        project = projects.create(
            projects.ProjectData(slug="elvedal", name="Elvedal", municipality="Elvedal kommune"),
            leaders=[],
        )
        projects.set_role(project, viewer, "viewer")
        workshop = Workshop(
            project=project, title="Hvem er vi", join_code="QWERTY", status="closed"
        )
        db.session.add(workshop)
        db.session.flush()
        db.session.add(Idea(workshop_id=workshop.id, text="Sykkeltur <b>med</b> kaffe"))
        db.session.commit()
    return "kommune@example.org"


def test_viewer_downloads_the_report_as_pdf(page, live_url, viewer_project, tmp_path):
    page.goto(f"{live_url}/login")
    page.get_by_label("E-post").fill(viewer_project)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(page).to_have_url(re.compile(r"/projects$"))

    page.goto(f"{live_url}/projects/elvedal/report")
    expect(page.get_by_text("Sykkeltur <b>med</b> kaffe").first).to_be_visible()
    with page.expect_download() as download_info:
        page.locator('a[href$="/projects/elvedal/report.pdf"]').click()
    download = download_info.value
    saved = Path(tmp_path / download.suggested_filename)
    download.save_as(saved)

    assert download.suggested_filename.endswith(".pdf")
    assert saved.read_bytes().startswith(b"%PDF")
