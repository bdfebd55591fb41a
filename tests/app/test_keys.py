"""Without SECRET_KEY in the environment, every app server signs sessions with one secret."""

from __future__ import annotations

from app.extensions import db
from app.keys import AppSecret, share_secret_key
from tests.conftest import make_app


def test_app_servers_with_their_own_generated_secrets_agree_through_the_database(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path}/shared.sqlite3"
    first = make_app(tmp_path / "one", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="generated-on-one")
    second = make_app(tmp_path / "two", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="generated-on-two")
    with first.app_context():
        db.create_all()

    share_secret_key(first)
    share_secret_key(second)

    assert first.secret_key == second.secret_key == "generated-on-one"
    with first.app_context():
        assert db.session.get(AppSecret, "session").value == "generated-on-one"
        db.drop_all()


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    url = f"sqlite:///{tmp_path}/shared.sqlite3"
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="from-the-environment")
    with app.app_context():
        db.create_all()
        db.session.add(AppSecret(name="session", value="stored"))
        db.session.commit()

    share_secret_key(app)

    assert app.secret_key == "from-the-environment"
    with app.app_context():
        db.drop_all()
