"""The sessionless OIDC endpoints: wrong methods and bad bodies are clear answers, not 500s."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_audience_is_read_only(client, github):
    assert client.post("/_/oidc/audience").status_code == 405
    assert client.get("/_/oidc/audience").json() == {"audience": "lifeline-test"}


def test_a_lying_content_length_is_a_refusal(client, github):
    response = client.post(
        "/_/oidc/mint-token", data=b"{}", content_type="application/json", CONTENT_LENGTH="lots"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "invalid-payload"


def test_an_oversized_body_is_refused_as_such(client, github):
    body = '{"token": "' + "x" * (40 * 1024) + '"}'
    response = client.post("/_/oidc/mint-token", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["description"] == "The request body is too large."


@pytest.mark.parametrize("body", ["", "not json", "[]", '{"token": 5}', b"\xff\xfe"])
def test_burn_needs_a_token_in_json(client, body):
    response = client.post("/_/oidc/burn-token", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "invalid-payload"


def test_burn_is_rate_limited(client):
    answers = [
        client.post("/_/oidc/burn-token", data='{"token": "x"}', content_type="application/json")
        for _ in range(61)
    ]
    assert all(a.status_code == 200 for a in answers[:60])
    assert answers[60].status_code == 429
