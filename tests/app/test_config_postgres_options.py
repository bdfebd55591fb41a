"""The PostgreSQL engine options read from the environment."""

from config import postgres_engine_options


def test_prepared_statements_are_on_unless_turned_off(monkeypatch):
    monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)
    assert postgres_engine_options()["connect_args"]["prepare_threshold"] == 5
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "off")
    assert postgres_engine_options()["connect_args"]["prepare_threshold"] is None


def test_pool_sizes_and_timeout_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_POOL_SIZE", "2")
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT_MS", "1500")
    options = postgres_engine_options()
    assert options["pool_size"] == 2
    assert options["connect_args"]["options"] == "-c statement_timeout=1500"
