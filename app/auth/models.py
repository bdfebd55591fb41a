"""Accounts of process leaders and municipality viewers (participants have none)."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from app.db import utcnow
from app.extensions import db

MIN_PASSWORD = 8


class User(UserMixin, db.Model):
    """A person who logs in: a process leader or a municipality viewer."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(5))
    can_create_projects: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Part of the id in every session and remember cookie; raising it ends them all.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session and the remember cookie: "<id>:<version>"."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Log out every browser this user is logged in on: their cookies no longer match."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        """Store a salted hash (scrypt by default) of `password`; other sessions end."""
        self.password_hash = _hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        """True when `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def display_name(self) -> str:
        """The name, or the e-mail address when no name is set."""
        return self.name or self.email


class LoginAttempt(db.Model):
    """A failed login, kept briefly so repeated guesses for one address are slowed down."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def _hash(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def user_for_session(value: str) -> User | None:
    """The user a session or remember cookie names, if its session version is still theirs.

    A value without a version (a cookie made before versions existed) counts as version 0.
    """
    number, _, version = value.partition(":")
    if not number.isdigit() or not (version or "0").isdigit():
        return None
    user = db.session.get(User, int(number))
    if user is None or (user.session_version or 0) != int(version or "0"):
        return None
    return user


def password_matches(user: User | None, password: str) -> bool:
    """Check a log-in; without a user, check against a stand-in hash made the same way, so
    the answer takes as long and does not tell which addresses have an account."""
    if user is not None:
        return user.check_password(password)
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    stand_ins = current_app.extensions.setdefault("kv_stand_in_hashes", {})
    if method not in stand_ins:
        stand_ins[method] = _hash(secrets.token_urlsafe(16))
    check_password_hash(stand_ins[method], password)
    return False


def normalise_email(email: str) -> str:
    """Trim and lower-case an address, so lookups ignore case."""
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    """The user with this address, if any."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
