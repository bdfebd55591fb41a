"""The session-signing secret, shared by every app server through the database.

`SECRET_KEY` from the environment always wins. Without it, one host's instance folder holds a
generated secret (config.py), which other hosts cannot see: so the served app (run.py) keeps the
secret in the database instead. The first app server to start stores the secret it has (its
generated one, so sessions signed before the upgrade stay valid); every later one, on any host,
reads that stored secret and uses it.
"""

from __future__ import annotations

import os

from flask import Flask
from sqlalchemy import String, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

SESSION = "session"


class AppSecret(db.Model):
    """A secret every app server must share; one row per purpose."""

    __tablename__ = "app_secret"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


def share_secret_key(app: Flask) -> None:
    """Use the database's session secret unless SECRET_KEY comes from the environment."""
    if os.environ.get("SECRET_KEY"):
        return
    with app.app_context():
        if not inspect(db.engine).has_table(AppSecret.__tablename__):
            return  # before `flask db upgrade` has made it: commands run on their own secret
        stored = db.session.scalar(select(AppSecret.value).where(AppSecret.name == SESSION))
        if stored is None:
            try:
                db.session.add(AppSecret(name=SESSION, value=app.config["SECRET_KEY"]))
                db.session.commit()
                stored = app.config["SECRET_KEY"]
            except IntegrityError:  # another server stored one first: use that
                db.session.rollback()
                stored = db.session.scalar(select(AppSecret.value).where(AppSecret.name == SESSION))
        db.session.remove()
    app.config["SECRET_KEY"] = stored
    app.secret_key = stored
