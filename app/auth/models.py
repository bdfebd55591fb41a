"""Accounts of process leaders and municipality viewers (participants have none)."""

from __future__ import annotations

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

    def set_password(self, password: str) -> None:
        """Store a salted hash (scrypt by default) of `password`."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

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


def normalise_email(email: str) -> str:
    """Trim and lower-case an address, so lookups ignore case."""
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    """The user with this address, if any."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
