"""Shared fixtures: a fresh app and database per test, users, projects, a logged-in client."""

from __future__ import annotations

import os
import re

import pytest

from app import create_app
from app.extensions import db as _db
from config import TestingConfig

PASSWORD = "correct horse battery"


def _database_url(tmp_path) -> str:
    # Tests never read DATABASE_URL: only TEST_DATABASE_URL, else a temporary SQLite file.
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path}/test.sqlite3"


def make_app(tmp_path, **overrides):
    """A new app on the test database, with `overrides` as settings."""

    class Config(TestingConfig):
        INSTANCE_PATH = tmp_path / "instance"
        SQLALCHEMY_DATABASE_URI = _database_url(tmp_path)

    for key, value in overrides.items():
        setattr(Config, key, value)
    return create_app(Config)


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    from app.auth.models import User

    def make(email="leader@example.org", *, name="", can_create=True, password=PASSWORD):
        user = User(email=email, name=name, can_create_projects=can_create)
        user.set_password(password)
        _db.session.add(user)
        _db.session.commit()
        return user

    return make


@pytest.fixture
def make_project(app):
    from workshops.projects import service as projects

    def make(slug="kanalbyen", *, leaders=(), viewers=(), name=None, **fields):
        targets = {
            k.removeprefix("target_"): fields.pop(k)
            for k in list(fields)
            if k.startswith("target_")
        }
        data = projects.ProjectData(slug=slug, name=name or slug.title(), targets=targets, **fields)
        project = projects.create(data, leaders=list(leaders))
        for viewer in viewers:
            projects.set_role(project, viewer, "viewer")
        _db.session.commit()
        return project

    return make


def login(client, email, password=PASSWORD):
    """Log `client` in through the real form."""
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def leader(make_user):
    return make_user("leader@example.org", name="Lea Leder")


@pytest.fixture
def leader_client(client, leader):
    login(client, leader.email)
    return client


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The CSRF token from the form on `url`."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)
