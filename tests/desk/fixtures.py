"""Desk fixtures: staff with 2FA in a role, and recovery cases at each stage.

Import the fixtures you need into a test module (``from tests.desk.fixtures import ...``);
tests/desk/conftest.py imports them all for the desk's own tests.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.proofs.common import record_proof
from tests.factories import UserFactory
from tests.fixtures_mfa import TwoFactorAccount, enter_sudo, make_2fa_account
from tests.recovery.conftest import add_project, submit, verify

JUSTIFICATION = "Token and repository proofs both check out; no contest on file."


def make_staff(username: str, role: str = "support", *, with_2fa: bool = True) -> TwoFactorAccount:
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if with_2fa:
        return make_2fa_account(user)
    return TwoFactorAccount(user=user, secret="")


def staff_client_for(client: Any, account: TwoFactorAccount, *, sudo: bool = True) -> Any:
    client.force_login(account.user)
    # Signed in with 2FA; recently (sudo mode) or an hour ago (sudo expired).
    enter_sudo(client, account.user, age=0 if sudo else 3600)
    return client


def add_strong_proofs(request_obj: RecoveryRequest) -> None:
    """An API token and a repository proof: two independent proofs, both strong."""
    record_proof(
        request_obj=request_obj,
        method=RecoveryProof.Method.API_TOKEN,
        ok=True,
        strength=RecoveryProof.Strength.STRONG,
        boundary="api_token",
        reason="A valid API token of this account, created before the request.",
        details={"token_name": "ci"},
    )
    record_proof(
        request_obj=request_obj,
        method=RecoveryProof.Method.REPOSITORY,
        ok=True,
        strength=RecoveryProof.Strength.STRONG,
        boundary="repository:code.example/alice",
        reason="The challenge was found.",
        details={"url": "https://code.example/alice/alice-tool/challenge.txt"},
    )


def open_case(username: str = "alice", *, contact: str = "new@contact.example") -> RecoveryRequest:
    request_obj = submit(username=username, contact=contact)
    RecoveryRequest.objects.filter(pk=request_obj.pk).update(created=timezone.now())
    request_obj.refresh_from_db()
    verify(request_obj)
    request_obj.refresh_from_db()
    return request_obj


@pytest.fixture
def support(db) -> TwoFactorAccount:
    return make_staff("sam", "support")


@pytest.fixture
def support2(db) -> TwoFactorAccount:
    return make_staff("sue", "support")


@pytest.fixture
def desk_admin(db) -> TwoFactorAccount:
    return make_staff("ada", "admin")


@pytest.fixture
def owner(db) -> Any:
    user = UserFactory(username="alice", email="alice@example.com")
    add_project(
        user,
        "alice-tool",
        home_page="https://alice.example/",
        urls={"Source": "https://code.example/alice/alice-tool"},
    )
    return user


@pytest.fixture
def case(owner) -> RecoveryRequest:
    """An open case for ``owner`` with no proofs yet."""
    return open_case()


@pytest.fixture
def strong_case(case) -> RecoveryRequest:
    add_strong_proofs(case)
    case.refresh_from_db()
    return case


@pytest.fixture
def staff_client(client, support):
    return staff_client_for(client, support)
