"""Participants' devices: a random token in a cookie, or an X-Device header from other clients.

A device is the unit for rate limits, votes, tracks and "one response per form". It is never
linked to a person unless the participant gives a name.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from flask import Flask, current_app, g, request

COOKIE = "kv_device"
HEADER = "X-Device"
VALID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_AGE = 400 * 24 * 3600


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
    key = current_app.config["SECRET_KEY"].encode()
    return hashlib.blake2b(f"{purpose}:{token}".encode(), key=key[:64], digest_size=20).hexdigest()


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
