"""One Alembic head, and models that match what the migrations create."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from app.extensions import db as _db

pytestmark = pytest.mark.db


def test_there_is_exactly_one_migration_head(app):
    config = app.extensions["migrate"].migrate.get_config()

    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_migrations_create_exactly_the_models(app):
    _db.session.remove()
    _db.drop_all()
    with _db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade()

    with _db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), _db.metadata)

    assert differences == []
    with _db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_upgrading_an_existing_database_keeps_its_data(app, runner):
    from flask_migrate import downgrade

    from workshops.ideas.models import Idea
    from workshops.live.models import Participant
    from workshops.programme.models import Step, Workshop

    _db.session.remove()
    _db.drop_all()
    with _db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade()
    runner.invoke(args=["demo"])
    before = [_db.session.query(m).count() for m in (Workshop, Step, Participant, Idea)]
    _db.session.remove()

    downgrade(revision="b7c41d2e9a10")
    upgrade()

    after = [_db.session.query(m).count() for m in (Workshop, Step, Participant, Idea)]
    assert before == after and all(before)
    with _db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
