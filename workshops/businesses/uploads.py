"""Staging of an uploaded business file between its preview and the confirmed import.

The file waits in the database (table `staged_upload`) under a random token, with its original
name, so that any app server can show the preview and another can confirm it; files older than a
day are forgotten when the next one of the project arrives. A token that is not of the form this
module makes is never looked up. Functions flush; the caller commits.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from app.extensions import db
from workshops.businesses.models import StagedUpload

MAX_AGE = timedelta(days=1)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class Staged:
    """A staged file: its bytes and the name it was uploaded with."""

    data: bytes
    filename: str


def forget_old(project_id: int, now: datetime) -> None:
    """Delete the project's staged files older than MAX_AGE."""
    db.session.execute(
        delete(StagedUpload).where(
            StagedUpload.project_id == project_id, StagedUpload.created_at < now - MAX_AGE
        )
    )


def stage(project_id: int, data: bytes, filename: str, now: datetime) -> str:
    """Keep the file for its preview and return the token that names it."""
    forget_old(project_id, now)
    token = secrets.token_urlsafe(24)
    db.session.add(
        StagedUpload(
            token=token, project_id=project_id, filename=filename[:255], data=data, created_at=now
        )
    )
    db.session.flush()
    return token


def staged(project_id: int, token: str, now: datetime) -> Staged | None:
    """The staged file of this token, or None when the token is malformed, unknown or expired."""
    if not TOKEN.match(token):
        return None
    row = db.session.scalar(
        select(StagedUpload).where(
            StagedUpload.token == token,
            StagedUpload.project_id == project_id,
            StagedUpload.created_at >= now - MAX_AGE,
        )
    )
    return Staged(row.data, row.filename) if row is not None else None


def discard(project_id: int, token: str) -> None:
    """Delete a staged file once it is imported."""
    db.session.execute(
        delete(StagedUpload).where(
            StagedUpload.token == token, StagedUpload.project_id == project_id
        )
    )
