"""Text answers go gzip-compressed to browsers that take it; the bytes are the same inside."""

from __future__ import annotations

import gzip

import pytest
from flask import url_for

from workshops.programme import builder as programme_builder

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_page_is_never_compressed_it_carries_the_csrf_token(client):
    """Compressed, a page's length would leak its CSRF token beside reflected text (BREACH)."""
    plain = client.get("/?lang=nb")
    asked = client.get("/?lang=nb", headers=GZIP)

    assert "Content-Encoding" not in asked.headers
    assert asked.data == plain.data


def test_a_static_script_is_compressed_once_and_the_same_each_time(app, client):
    with app.test_request_context():
        url = url_for("static", filename="js/live.js")
    on_disk = (app.static_folder + "/js/live.js").encode()

    first = client.get(url, headers=GZIP)
    second = client.get(url, headers=GZIP)

    assert first.headers["Content-Encoding"] == "gzip"
    assert first.data == second.data
    with open(on_disk, "rb") as script:
        assert gzip.decompress(first.data) == script.read()
    assert "ETag" not in first.headers  # it named the uncompressed bytes
    assert "immutable" in first.headers["Cache-Control"]


@pytest.mark.db
def test_the_live_state_keeps_its_entity_tag_and_its_304(db, client, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader])
    workshop = programme_builder.add_workshop(project, template="W1")
    db.session.commit()
    url = f"/api/v1/workshops/{workshop.join_code}"

    first = client.get(url, headers=GZIP)
    again = client.get(url, headers=GZIP | {"If-None-Match": first.headers["ETag"]})

    assert "Content-Encoding" not in first.headers
    assert again.status_code == 304
