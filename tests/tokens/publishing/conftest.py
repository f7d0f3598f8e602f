from __future__ import annotations

from collections.abc import Iterator

import pytest

# The live server and the tiny package, for the real-client test (uv publish).
from tests.clients.conftest import live_index, tiny_dists  # noqa: F401
from tests.tokens.publishing.issuer import LocalIssuer, start_issuer

AUDIENCE = "lifeline-test"


@pytest.fixture
def github(settings) -> Iterator[LocalIssuer]:
    issuer = start_issuer()
    settings.LIFELINE_OIDC_GITHUB_ISSUER = issuer.url
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = True
    settings.LIFELINE_OIDC_AUDIENCE = AUDIENCE
    yield issuer
    issuer.close()


@pytest.fixture
def gitlab(settings) -> Iterator[LocalIssuer]:
    issuer = start_issuer()
    settings.LIFELINE_OIDC_GITLAB_ISSUER = issuer.url
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = True
    settings.LIFELINE_OIDC_AUDIENCE = AUDIENCE
    yield issuer
    issuer.close()


@pytest.fixture
def forge(settings) -> Iterator[LocalIssuer]:
    """A self-hosted forge's issuer (a generic OIDC publisher)."""
    issuer = start_issuer()
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = True
    settings.LIFELINE_OIDC_AUDIENCE = AUDIENCE
    yield issuer
    issuer.close()
