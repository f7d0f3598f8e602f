"""The CI workflow proof endpoint with bad input: JSON errors that say what to send, never 500."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db
URL = "/recovery/proofs/workflow/"


def _post(client, body):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json")


def test_only_post_is_accepted(client):
    response = client.get(URL)
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert response.json() == {
        "ok": False,
        "error": "method_not_allowed",
        "message": "POST the challenge and token to this URL.",
    }


@pytest.mark.parametrize("body", ["not json", b"\xff\xfe", "[1, 2]", '"text"', "[" * 5000])
def test_a_body_that_is_not_a_json_object_is_a_400(client, body):
    response = _post(client, body)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request" and "challenge" in response.json()["message"]


@pytest.mark.parametrize("challenge", [5, "x" * 101, "bad\nchallenge", "tab\there", "é-unicode"])
def test_a_malformed_challenge_is_refused_before_any_lookup(client, challenge):
    response = _post(client, {"challenge": challenge, "token": "x"})
    assert response.status_code == 400
    assert response.json()["error"] == "bad_challenge"
