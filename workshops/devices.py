"""Participants' devices: a random token in a cookie, or an X-Device header from other clients.

A device is the unit for rate limits, votes, tracks and "one response per form". It is never
linked to a person unless the participant gives a name.

Stored values are keyed hashes of the token (hashed()). The key is the device key, a secret of its
own kept in the database (table device_key), so every worker and host uses the same one and
rotating SECRET_KEY does not change any hash. A database created from the models gets a random key;
the migration that added the table seeded it from SECRET_KEY as hashed() used it before, so hashes
stored until then stay valid.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from flask import Flask, current_app, g, request
from sqlalchemy import String, event, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

COOKIE = "kv_device"
HEADER = "X-Device"
VALID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_AGE = 400 * 24 * 3600
KEY_BYTES = 64  # blake2b's largest key


class DeviceKey(db.Model):
    """The key of every device hash: one row, its bytes as hex."""

    __tablename__ = "device_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(2 * KEY_BYTES))


@event.listens_for(DeviceKey.__table__, "after_create")
def _seed(table, connection, **_kw) -> None:
    """A new database (created from the models) starts with a random key."""
    connection.execute(insert(table).values(id=1, key=secrets.token_hex(KEY_BYTES)))


def device_key() -> bytes:
    """The device key, read once per app (a restart picks up a rotated key)."""
    cached = current_app.extensions.get("kv_device_key")
    if cached is None:
        stored = db.session.scalar(select(DeviceKey.key).where(DeviceKey.id == 1))
        if not stored:
            raise RuntimeError("No device key in the database: run `flask db upgrade`.")
        cached = current_app.extensions["kv_device_key"] = bytes.fromhex(stored)
    return cached


def rotate_key() -> None:
    """Put a new random key in place (the caller commits); every phone then looks new."""
    row = db.session.get(DeviceKey, 1)
    if row is None:
        db.session.add(DeviceKey(id=1, key=secrets.token_hex(KEY_BYTES)))
    else:
        row.key = secrets.token_hex(KEY_BYTES)
    current_app.extensions.pop("kv_device_key", None)


def current_device(*, create: bool = True) -> str | None:
    """This request's device token: the header, the cookie, or (if `create`) a new one."""
    if "device" in g:
        return g.device
    token = request.headers.get(HEADER, "")
    if not VALID.match(token):
        token = request.cookies.get(COOKIE, "")
    if not VALID.match(token):
        if not create:
            return None
        token = secrets.token_urlsafe(24)
        g.device_is_new = True
    g.device = token
    return token


def hashed(token: str, purpose: str) -> str:
    """A keyed hash of a device token for one purpose, so stored values cannot be joined."""
    return hashlib.blake2b(
        f"{purpose}:{token}".encode(), key=device_key(), digest_size=20
    ).hexdigest()


def _set_cookie(response):
    if g.get("device_is_new") and request.headers.get(HEADER) is None:
        response.set_cookie(
            COOKIE,
            g.device,
            max_age=MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


def _forget() -> None:
    """Read the device anew for each request (an app context may outlive one)."""
    g.pop("device", None)
    g.pop("device_is_new", None)


def init_app(app: Flask) -> None:
    """Give a new device its cookie on the response that created it."""
    app.before_request(_forget)
    app.after_request(_set_cookie)
