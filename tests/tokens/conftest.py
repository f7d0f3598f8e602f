from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures_mfa import enter_sudo
from tests.index.helpers import make_user_with_2fa


@pytest.fixture
def owner(db) -> Any:
    return make_user_with_2fa()


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    enter_sudo(client, owner)
    return client
