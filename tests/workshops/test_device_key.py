"""The device key: a secret of its own in the database, seeded at upgrade so old hashes hold."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app.extensions import db as _db
from workshops import devices

pytestmark = pytest.mark.db

REVISION = "f1a6c2d8e9b3"  # receipts as sets, no row order, the device key
TOKEN = "phone-token-0123456789abcdef"


def _old_hash(secret_key: str, purpose: str, token: str) -> str:
    """How hashed() keyed a device before the device key: with SECRET_KEY's first 64 bytes."""
    key = secret_key.encode()[:64]
    return hashlib.blake2b(f"{purpose}:{token}".encode(), key=key, digest_size=20).hexdigest()


def test_hashes_use_the_stored_key_not_the_secret_key(app):
    before = devices.hashed(TOKEN, "participant")
    app.config["SECRET_KEY"] = "a-new-secret-key-after-rotation"  # noqa: S105 - a test value

    assert devices.hashed(TOKEN, "participant") == before
    app.extensions.pop("kv_device_key")  # as a restarted worker
    assert devices.hashed(TOKEN, "participant") == before
    assert before != _old_hash(app.config["SECRET_KEY"], "participant", TOKEN)


def test_a_new_database_gets_a_random_key(app):
    stored = _db.session.scalar(_db.select(devices.DeviceKey.key))

    assert len(bytes.fromhex(stored)) == devices.KEY_BYTES
    assert bytes.fromhex(stored) != app.config["SECRET_KEY"].encode()[:64]


def test_rotating_the_key_changes_every_hash(app, runner):
    before = devices.hashed(TOKEN, "vote")

    result = runner.invoke(args=["rotate-device-key", "--yes"])

    assert result.exit_code == 0, result.output
    app.extensions.pop("kv_device_key", None)
    assert devices.hashed(TOKEN, "vote") != before
    assert runner.invoke(args=["rotate-device-key"]).exit_code == 1  # no terminal, no --yes


def test_the_upgrade_seeds_the_key_so_stored_hashes_stay_valid(app):
    from evaluations import responses, store
    from evaluations.models import EvaluationForm
    from workshops.live import participants

    _db.session.remove()
    _db.drop_all()
    with _db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(revision="e5f2b3c4d6a7")
    secret = app.config["SECRET_KEY"]
    with _db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO project (slug, name, municipality, description, language,"
                " timezone, target_attendees, target_businesses, target_ideas,"
                " target_connections, target_ecosystems, created_at, updated_at)"
                " VALUES ('p', 'P', '', '', 'nb', 'Europe/Oslo', 0, 0, 0, 0, 0,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        project_id = connection.execute(text("SELECT id FROM project")).scalar()
        connection.execute(
            text(
                "INSERT INTO evaluation_form (project_id, kind, status, token, language, title,"
                " intro, created_at) VALUES (:p, 'custom', 'open', 'tok', 'nb', '{}', '{}',"
                " CURRENT_TIMESTAMP)"
            ),
            {"p": project_id},
        )
        form_id = connection.execute(text("SELECT id FROM evaluation_form")).scalar()
        for n in range(5):
            device = f"{TOKEN}-{n}"
            connection.execute(
                text("INSERT INTO evaluation_receipt (form_id, device_hash) VALUES (:f, :h)"),
                {"f": form_id, "h": _old_hash(secret, f"evaluation:{form_id}", device)},
            )
            connection.execute(
                text(
                    "INSERT INTO evaluation_response (id, form_id, submitted_on)"
                    " VALUES (:id, :f, :d)"
                ),
                {"id": f"{n:032x}", "f": form_id, "d": date(2026, 11, 30)},
            )
    upgrade(revision="heads")  # through REVISION to today's schema
    app.extensions.pop("kv_device_key", None)

    form = _db.session.get(EvaluationForm, form_id)
    assert all(responses.has_answered(form, f"{TOKEN}-{n}") for n in range(5))
    assert not responses.has_answered(form, f"{TOKEN}-9")
    assert participants.device_key(TOKEN) == _old_hash(secret, "participant", TOKEN)
    ids = [r.id for r in store.responses(form_id)]
    assert len(ids) == 5 and not {f"{n:032x}" for n in range(5)} & set(ids)  # new random ids
    _db.session.remove()
    with _db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
