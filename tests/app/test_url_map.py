"""Every URL, method and the roles allowed stay as they were before workshops/ became rooms.

tests/fixtures/url_map.json was written from the app before the move, with each method's "who"
taken from the authorization matrix. Endpoints renamed by the move are listed in RENAMED; a new
URL is added to the fixture on purpose, in the same commit as its route and its matrix row.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.security.test_authorization_matrix import RULES

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "url_map.json"
# The idea, vote and interest endpoints moved from the live API's blueprint to the ideas room's.
RENAMED = {
    f"workshops_api.{name}": f"ideas_api.{name}"
    for name in ("list_ideas", "post_idea", "my_votes", "post_vote", "post_interest")
}


def _current(app) -> list[dict]:
    rows = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        methods = sorted(m for m in rule.methods if m not in ("HEAD", "OPTIONS"))
        who = RULES.get(rule.endpoint, {})
        rows.append(
            {"rule": rule.rule, "endpoint": rule.endpoint, "who": {m: who.get(m) for m in methods}}
        )
    return sorted(rows, key=lambda row: (row["rule"], sorted(row["who"])))


def test_every_url_method_and_role_is_kept(app):
    before = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for row in before:
        row["endpoint"] = RENAMED.get(row["endpoint"], row["endpoint"])
    after = _current(app)

    assert after == before
