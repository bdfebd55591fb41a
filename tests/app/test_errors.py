"""Errors, the health check, the API's JSON errors and the security headers."""

import pytest

pytestmark = pytest.mark.db


def test_healthz_answers_ok_with_the_database(client):
    response = client.get("/healthz")

    assert (response.status_code, response.json) == (200, {"status": "ok", "database": "ok"})


def test_unknown_api_path_answers_json_not_html(client):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.is_json
    assert response.json["error"] == "not_found"
    assert response.json["message"]


def test_api_error_message_follows_the_client_language(client):
    english = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "en"}).json
    swedish = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "sv"}).json

    assert english["message"] != swedish["message"]


def test_too_large_api_body_is_refused_before_reading(client):
    response = client.post(
        "/api/v1/openapi.json", data=b"x" * (65 * 1024), content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json["error"] == "request_entity_too_large"


def test_unknown_page_is_an_html_404(client):
    response = client.get("/nowhere")

    assert response.status_code == 404
    assert "text/html" in response.content_type


def test_security_headers_on_every_response(client):
    for path in ("/", "/login", "/healthz", "/api/v1/openapi.json", "/nowhere"):
        headers = client.get(path).headers

        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers  # plain HTTP on a venue LAN


def test_hsts_and_secure_cookie_only_over_https(client, leader):
    response = client.post(
        "/login",
        data={"email": leader.email, "password": "correct horse battery"},
        base_url="https://kraftverk.example",
    )

    assert "Strict-Transport-Security" in response.headers
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_use_no_inline_script(client):
    for path in ("/", "/login", "/nowhere"):
        page = client.get(path).get_data(as_text=True)

        assert "<script>" not in page and " onclick=" not in page


def test_openapi_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json

    assert spec["openapi"].startswith("3.")
    assert "/openapi.json" in spec["paths"]
