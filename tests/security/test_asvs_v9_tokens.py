"""OWASP ASVS 5.0, V9 Self-contained Tokens: 9.1.3, keys named inside the token.

The attacker signs a CI identity token with their own key and tells Lifeline where to find
it: the public key itself in a ``jwk`` header, a key-set URL in ``jku``, a certificate URL in
``x5u``, all served by the attacker's own (local) server. Lifeline must take keys only from
the configured issuer's discovery document, so the token fails its signature and the
attacker's server is never asked for anything.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lifeline.tokens.models import ApiToken
from tests.factories import UserFactory
from tests.tokens.publishing.helpers import exchange, github_publisher, make_project, refusal
from tests.tokens.publishing.issuer import LocalIssuer, github_claims, start_issuer

AUDIENCE = "lifeline-asvs"
pytestmark = pytest.mark.django_db


@pytest.fixture
def github(settings) -> Iterator[LocalIssuer]:
    issuer = start_issuer()
    settings.LIFELINE_OIDC_GITHUB_ISSUER = issuer.url
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = True
    settings.LIFELINE_OIDC_AUDIENCE = AUDIENCE
    yield issuer
    issuer.close()


@pytest.fixture
def attacker_server() -> Iterator[LocalIssuer]:
    issuer = start_issuer()
    yield issuer
    issuer.close()


@pytest.mark.parametrize("header", ["jwk", "jku", "x5u", "all"])
def test_keys_named_inside_the_token_are_never_used(client, github, attacker_server, header):
    """9.1.3: a token signed with the attacker's key, pointing at that key, is refused."""
    owner = UserFactory()
    github_publisher(make_project(owner), owner)
    key = attacker_server.keys[0]
    pointers = {
        "jwk": {"jwk": key.jwk()},
        "jku": {"jku": f"{attacker_server.url}/jwks"},
        "x5u": {"x5u": f"{attacker_server.url}/jwks"},
    }
    headers = (
        pointers[header]
        if header != "all"
        else {**pointers["jwk"], **pointers["jku"], **pointers["x5u"]}
    )
    token = attacker_server.sign(github_claims(github.url, AUDIENCE), key=key, headers=headers)

    status, body = exchange(client, token)

    assert status == 422
    assert "key" in refusal(body) or "signature" in refusal(body)
    assert attacker_server.jwks_hits == 0
    assert not ApiToken.objects.exists()


def test_the_same_claims_signed_by_the_issuer_do_mint(client, github):
    """The control above is not a blanket refusal: the issuer's own signature mints."""
    owner = UserFactory()
    github_publisher(make_project(owner), owner)
    status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE)))
    assert status == 200, body
    assert ApiToken.objects.count() == 1
