# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""The knowledge proof: an address the owner once had still counts; a request for no account
learns nothing and proves nothing."""

from __future__ import annotations

import pytest

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery.proofs.knowledge import proof_knowledge
from tests.desk.fixtures import case, owner  # noqa: F401
from tests.recovery.conftest import submit, verify

pytestmark = pytest.mark.django_db


def test_an_address_the_owner_removed_long_ago_still_counts(case):
    SecurityEvent.objects.create(
        user=case.user, tag=EventTag.EMAIL_REMOVE, details={"email": "Alice@Old-Host.example"}
    )
    proof = proof_knowledge(
        request_obj=case,
        projects=["Alice_Tool"],
        first_upload_year=None,
        old_emails=[" alice@old-host.example "],
    )
    assert proof.ok and proof.reason == "2 of 3 answers matched the records."
    assert proof.details["emails_matched"] == 1 and proof.details["projects_matched"] == 1


def test_a_wrong_project_among_right_ones_fails_the_project_answer(case):
    proof = proof_knowledge(
        request_obj=case,
        projects=["alice-tool", "someone-elses-tool"],
        first_upload_year=None,
        old_emails=["alice@example.com"],
    )
    assert not proof.ok and proof.reason == "1 of 3 answers matched the records."


def test_a_request_for_no_account_proves_nothing(db):
    request_obj = submit(username="nobody-here")
    verify(request_obj)
    request_obj.refresh_from_db()
    proof = proof_knowledge(
        request_obj=request_obj,
        projects=["alice-tool"],
        first_upload_year=2020,
        old_emails=["alice@example.com"],
    )
    assert not proof.ok and proof.reason == "0 of 3 answers matched the records."
