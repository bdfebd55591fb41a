"""The ideas room describes its own endpoints in the API document."""

from workshops.ideas import api as ideas_api

IDEAS, VOTES, INTERESTS = (
    "/workshops/{code}/ideas",
    "/workshops/{code}/votes",
    "/workshops/{code}/interests",
)


def test_openapi_lists_the_ideas_votes_and_interests_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]

    key = next(p for p in paths[IDEAS]["post"]["parameters"] if p["name"] == "Idempotency-Key")
    assert {path: sorted(paths[path]) for path in (IDEAS, VOTES, INTERESTS)} == {
        IDEAS: ["get", "post"],
        VOTES: ["get", "post"],
        INTERESTS: ["post"],
    }
    assert key["schema"]["pattern"] == ideas_api.IDEMPOTENCY_KEY.pattern
    assert ideas_api.openapi_paths in client.application.extensions["kraftverk.openapi"]
