"""make run's access log: no line for the requests that answer an evaluation."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config


@pytest.fixture
def logged(tmp_path):
    path = tmp_path / "access.log"
    config = Config()
    config.set("accesslog", str(path))
    config.set("logger_class", "app.access_log.PrivateAccessLogger")
    logger = config.logger_class(config)

    def request(method: str, path_info: str, referer: str = "") -> str:
        environ = {
            "HTTP_REFERER": referer,
            "REMOTE_ADDR": "203.0.113.7",
            "REQUEST_METHOD": method,
            "RAW_URI": path_info,
            "PATH_INFO": path_info,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "QUERY_STRING": "",
        }
        resp = SimpleNamespace(status="201 Created", sent=10, headers=[])
        req = SimpleNamespace(headers=[("User-Agent", "phone")], path=path_info)
        logger.access(resp, req, environ, timedelta(milliseconds=12))
        for handler in logger.access_log.handlers:
            handler.flush()
        return path.read_text() if path.exists() else ""

    yield request
    for handler in logger.access_log.handlers + logger.error_log.handlers:
        handler.close()


def test_the_gunicorn_settings_of_make_run_name_the_private_logger():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert "--config python:app.gunicorn_conf" in (root / "Makefile").read_text()
    from app import gunicorn_conf

    assert gunicorn_conf.logger_class == "app.access_log.PrivateAccessLogger"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/e/AbCdEf123456"),
        ("GET", "/e/AbCdEf123456"),
        ("GET", "/e/AbCdEf123456/thanks"),
        ("POST", "/api/v1/evaluations/AbCdEf123456"),
    ],
)
def test_no_line_ties_an_answer_to_an_address_or_a_time(logged, method, path):
    assert logged(method, path) == ""


def test_other_requests_are_logged_as_before(logged):
    log = logged("GET", "/calendar")

    assert "203.0.113.7" in log and "GET /calendar" in log


def test_files_loaded_by_an_answering_page_are_not_logged_either(logged):
    assert logged("GET", "/static/css/kraftverk.css", "http://venue.example/e/AbCdEf/thanks") == ""
    assert "kraftverk.css" in logged("GET", "/static/css/kraftverk.css", "http://venue.example/")
