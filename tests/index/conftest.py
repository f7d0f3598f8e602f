from __future__ import annotations

from typing import Any

import pytest

from lifeline.index.simple import render
from tests.index.helpers import make_token, make_user_with_2fa


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    """Every test stores files in its own directory, with fresh simple-page caches."""
    settings.MEDIA_ROOT = tmp_path / "files"
    render.cache.clear()


@pytest.fixture
def maintainer(db) -> Any:
    return make_user_with_2fa()


@pytest.fixture
def other_maintainer(db) -> Any:
    return make_user_with_2fa()


@pytest.fixture
def token(maintainer) -> str:
    return make_token(maintainer)
