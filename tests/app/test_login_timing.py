"""/login takes as long for an address without an account as for a wrong password, so its
timing does not tell which addresses have accounts."""

import statistics
import time

import pytest

from tests.conftest import login

pytestmark = pytest.mark.db

SLOW_HASH = "pbkdf2:sha256:100000"  # slow enough that the hash dominates the request


def median_seconds(client, email: str, tries: int = 3) -> float:
    times = []
    for n in range(tries):
        start = time.perf_counter()
        response = login(client, email, f"wrong guess {n}")
        times.append(time.perf_counter() - start)
        assert response.status_code == 401
    return statistics.median(times)


def test_an_unknown_address_costs_as_much_as_a_wrong_password(app, client, make_user):
    app.config["PASSWORD_HASH_METHOD"] = SLOW_HASH
    make_user("leader@example.org")
    login(client, "nobody@example.org", "warm-up")  # the stand-in hash is made once

    known = median_seconds(client, "leader@example.org")
    unknown = median_seconds(client, "nobody@example.org")

    assert unknown > 0.5 * known, (known, unknown)
