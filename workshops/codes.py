"""Join codes: six characters that are easy to read aloud and type on a phone."""

from __future__ import annotations

import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6
_IGNORED = re.compile(r"[\s\-]+")


def new_code() -> str:
    """A random code from the unambiguous alphabet (no 0/O, 1/I/L)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str) -> str | None:
    """The canonical form of a typed code ('abc-123' -> 'ABC123'), or None if it cannot be one."""
    code = _IGNORED.sub("", raw or "").upper()
    if len(code) != LENGTH or not code.isascii() or not code.isalnum():
        return None
    return code
