"""Logging in and out, throttling, accounts and the leader commands."""

import pytest

from app.auth.models import LoginAttempt, User
from tests.conftest import PASSWORD, csrf_token, login, make_app

pytestmark = pytest.mark.db


def test_leader_logs_in_and_reaches_projects(client, leader):
    response = login(client, "LEADER@example.org ")

    assert response.status_code == 302
    assert response.location.endswith("/projects")
    assert client.get("/projects").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, leader):
    response = login(client, leader.email, "not the password")

    assert response.status_code == 401
    assert "Feil e-postadresse eller passord" in response.get_data(as_text=True)
    assert client.get("/projects").status_code == 302  # still anonymous


def test_repeated_wrong_passwords_are_throttled_even_with_the_right_one(app, client, leader):
    for _ in range(app.config["LOGIN_ATTEMPTS"]):
        login(client, leader.email, "guess")

    response = login(client, leader.email, PASSWORD)

    assert response.status_code == 429
    assert client.get("/projects").status_code == 302


def test_successful_login_clears_failed_attempts(app, db, client, leader):
    login(client, leader.email, "guess")
    login(client, leader.email)

    assert db.session.query(LoginAttempt).count() == 0


def test_login_never_redirects_off_site(client, leader):
    response = client.post(
        "/login?next=https://evil.example/x", data={"email": leader.email, "password": PASSWORD}
    )

    assert response.location.endswith("/projects")


def test_login_follows_a_local_next(client, leader):
    response = client.post(
        "/login?next=/account", data={"email": leader.email, "password": PASSWORD}
    )

    assert response.location.endswith("/account")


def test_logout_needs_a_post(leader_client):
    assert leader_client.get("/logout").status_code == 405
    assert leader_client.post("/logout").status_code == 302
    assert leader_client.get("/projects").status_code == 302


def test_passwords_are_stored_hashed_with_scrypt(tmp_path):
    app = make_app(tmp_path, PASSWORD_HASH_METHOD="scrypt")
    with app.app_context():
        user = User(email="x@example.org")
        user.set_password("a long password")

        assert user.password_hash.startswith("scrypt:")
        assert "a long password" not in user.password_hash
        assert user.check_password("a long password")


def test_account_change_needs_the_current_password(db, leader_client, leader):
    response = leader_client.post(
        "/account",
        data={"name": "Ny", "language": "en", "password": "", "confirm": "", "current": "nope"},
    )

    assert response.status_code == 400
    assert db.session.get(User, leader.id).name == "Lea Leder"


def test_account_language_is_used_for_pages(db, client, leader):
    login(client, leader.email)
    client.post(
        "/account",
        data={"name": "Lea", "language": "fi", "password": "", "confirm": "", "current": PASSWORD},
    )

    page = client.get("/projects").get_data(as_text=True)

    assert '<html lang="fi">' in page


def test_login_form_without_csrf_token_is_refused(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        from app.extensions import db

        db.create_all()
        client = app.test_client()

        refused = client.post("/login", data={"email": "a@b.no", "password": "whatever1"})
        token = csrf_token(client, "/login")
        accepted_form = client.post(
            "/login", data={"email": "a@b.no", "password": "whatever1", "csrf_token": token}
        )

        assert refused.status_code == 400
        assert accepted_form.status_code == 401  # the form was read: only the password is wrong
        db.session.remove()
        db.drop_all()


def test_create_leader_reads_the_password_from_standard_input(runner, db):
    result = runner.invoke(
        args=["create-leader", "Ny@Example.org", "--name", "Ny"], input="longenough\n"
    )

    assert result.exit_code == 0, result.output
    user = db.session.query(User).one()
    assert (user.email, user.name, user.can_create_projects) == ("ny@example.org", "Ny", True)
    assert user.check_password("longenough")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["create-leader", "a@example.org"], "short\n", "at least 8 characters"),
        (["create-leader", "not-an-address"], "longenough\n", "is not an e-mail address"),
    ],
)
def test_create_leader_rejects_bad_input_with_one_line(runner, db, args, stdin, message):
    result = runner.invoke(args=args, input=stdin)

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert db.session.query(User).count() == 0


def test_create_leader_refuses_a_taken_address(runner, db, leader):
    result = runner.invoke(args=["create-leader", leader.email], input="longenough\n")

    assert result.exit_code == 1
    assert "exists already" in result.output
