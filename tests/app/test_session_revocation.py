"""Ending sessions: a new password or "log out on every device" makes earlier cookies useless,
session and remember cookies alike, for that user only."""

import pytest

from app.auth.models import User, user_by_email, user_for_session
from app.extensions import db as _db
from tests.conftest import PASSWORD, login, make_app

pytestmark = pytest.mark.db

NEW_PASSWORD = "a brand new long password"


@pytest.fixture
def app(tmp_path):
    """An app whose requests each get their own app context, as in production (the shared
    fixture keeps one open, and Flask-Login would keep the first browser's user in it)."""
    app = make_app(tmp_path)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        for email in ("leader@example.org", "viewer@example.org"):
            user = User(email=email)
            user.set_password(PASSWORD)
            _db.session.add(user)
        _db.session.commit()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def cookies_of(client) -> dict[str, str]:
    """The session and remember cookies a browser holds, as an attacker would copy them."""
    found = {}
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            found[name] = cookie.value
    return found


def browser_with(app, cookies: dict[str, str]):
    """A new browser holding only these copied cookies."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser


def logged_in(client) -> bool:
    return client.get("/account").status_code == 200


@pytest.fixture
def laptop(app):
    browser = app.test_client()
    browser.post(
        "/login", data={"email": "leader@example.org", "password": PASSWORD, "remember": "y"}
    )
    return browser


@pytest.fixture
def other_user_client(app):
    browser = app.test_client()
    login(browser, "viewer@example.org")
    return browser


def change_password(client, new=NEW_PASSWORD):
    return client.post(
        "/account",
        data={"name": "", "language": "", "password": new, "confirm": new, "current": PASSWORD},
    )


def test_a_password_change_ends_copied_session_and_remember_cookies(app, laptop, other_user_client):
    copied = cookies_of(laptop)
    assert set(copied) == {"session", "remember_token"}
    phone = app.test_client()
    login(phone, "leader@example.org")

    assert change_password(laptop).status_code == 302

    assert logged_in(laptop)  # the browser that changed it stays logged in
    assert not logged_in(phone)
    assert not logged_in(browser_with(app, {"session": copied["session"]}))
    assert not logged_in(browser_with(app, {"remember_token": copied["remember_token"]}))
    assert logged_in(other_user_client)


def test_after_a_password_change_the_browser_is_still_remembered(app, laptop):
    change_password(laptop)

    remembered = browser_with(app, {"remember_token": laptop.get_cookie("remember_token").value})

    assert logged_in(remembered)


def test_log_out_on_every_device_ends_every_session_of_that_user_only(
    app, laptop, other_user_client
):
    copied = cookies_of(laptop)
    phone = app.test_client()
    login(phone, "leader@example.org")

    response = laptop.post("/logout", data={"everywhere": "1"})

    assert response.status_code == 302
    assert not logged_in(laptop)
    assert not logged_in(phone)
    assert not logged_in(browser_with(app, copied))
    assert not logged_in(browser_with(app, {"remember_token": copied["remember_token"]}))
    assert logged_in(other_user_client)
    login(phone, "leader@example.org")
    assert logged_in(phone)  # logging in again works


def test_a_plain_logout_ends_only_this_browsers_session(app, laptop):
    phone = app.test_client()
    login(phone, "leader@example.org")

    laptop.post("/logout")

    assert not logged_in(laptop)
    assert logged_in(phone)


def test_a_cookie_from_before_session_versions_works_until_the_first_end(app):
    with app.app_context():
        leader = user_by_email("leader@example.org")
        leader.session_version = 0  # as the upgrade leaves every existing user
        _db.session.commit()
        assert user_for_session(str(leader.id)) == leader

        leader.end_sessions()
        _db.session.commit()

        assert user_for_session(str(leader.id)) is None
        assert user_for_session(f"{leader.id}:1") == leader
        assert user_for_session(f"{leader.id}:0") is None
        assert user_for_session("x:1") is None and user_for_session(f"{leader.id}:x") is None


def test_an_operator_setting_a_password_ends_the_sessions_too(app, laptop):
    with app.app_context():
        user_by_email("leader@example.org").set_password(NEW_PASSWORD)
        _db.session.commit()

    assert not logged_in(laptop)


def test_the_account_page_offers_log_out_on_every_device(app, laptop):
    page = laptop.get("/account?lang=en").get_data(as_text=True)

    assert 'action="/logout"' in page and 'name="everywhere"' in page
    assert "Log out on every device" in page
