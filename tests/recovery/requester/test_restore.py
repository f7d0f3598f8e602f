# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""The restore: one transaction, single-use 72 h link, notices, and the forced 2FA setup."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.utils import timezone

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery import restore_link, transition
from lifeline.recovery.links import LinkProblem
from lifeline.recovery.models import RecoveryRequest, RestoreLink
from lifeline.recovery.requester.restore import recovery_restore
from lifeline.recovery.staff import decisions
from lifeline.recovery.states import State
from tests.desk.fixtures import JUSTIFICATION, case, strong_case, support  # noqa: F401
from tests.fixtures_mfa import make_2fa_account
from tests.recovery.conftest import make_token

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand-new passphrase 42"


def make_ready(request_obj, actor, *, tokens="keep") -> str:
    decisions.recovery_approve(
        request_obj=request_obj, actor=actor, justification=JUSTIFICATION, tokens_decision=tokens
    )
    RecoveryRequest.objects.filter(pk=request_obj.pk).update(
        completes_at=timezone.now() - timedelta(seconds=1)
    )
    request_obj.refresh_from_db()
    assert transition.fire_timer(request_obj)
    RestoreLink.objects.filter(request=request_obj).delete()
    raw = restore_link.issue_restore_link(request_obj=request_obj)
    request_obj.refresh_from_db()
    return raw


@pytest.fixture
def owner_with_everything(strong_case, client):
    user = strong_case.user
    EmailAddress.objects.create(user=user, email="alice@old.example", verified=True)
    make_2fa_account(user)
    token, _raw = make_token(user)
    client.force_login(user)
    client.get("/")  # a tracked session (allauth usersessions)
    assert UserSession.objects.filter(user=user).exists()
    return user, token


def test_restore_in_one_transaction(strong_case, support, owner_with_everything, outbox):
    user, token = owner_with_everything
    raw = make_ready(strong_case, support.user)
    outbox.clear()
    recovery_restore(public_id=strong_case.public_id, token=raw, new_password=NEW_PASSWORD)

    user.refresh_from_db()
    strong_case.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    primary = EmailAddress.objects.get(user=user, primary=True)
    assert (primary.email, primary.verified) == ("new@contact.example", True)
    assert user.email == "new@contact.example"
    others = EmailAddress.objects.filter(user=user).exclude(pk=primary.pk)
    assert {e.email for e in others} == {"alice@example.com", "alice@old.example"}
    assert all(e.verified and not e.primary for e in others)
    assert not Authenticator.objects.filter(user=user).exists()
    assert not UserSession.objects.filter(user=user).exists()
    token.refresh_from_db()
    assert token.revoked_at is None  # default: keep
    assert strong_case.state == State.COMPLETED
    assert RestoreLink.objects.get(request=strong_case).used_at is not None
    event = SecurityEvent.objects.get(user=user, tag=EventTag.RECOVERY_RESTORE)
    assert set(event.details["removed_2fa"]) == {"recovery_codes", "totp"}
    notices = {m.to[0] for m in outbox if "was recovered" in m.subject}
    assert notices == {"alice@example.com", "alice@old.example"}
    notice = next(m for m in outbox if "was recovered" in m.subject)
    assert "If this wasn't you" in notice.body


def test_tokens_revoked_when_staff_chose_so(strong_case, support, owner_with_everything):
    _user, token = owner_with_everything
    raw = make_ready(strong_case, support.user, tokens="revoke")
    recovery_restore(public_id=strong_case.public_id, token=raw, new_password=NEW_PASSWORD)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_link_is_single_use_and_expires(strong_case, support):
    raw = make_ready(strong_case, support.user)
    RestoreLink.objects.filter(request=strong_case).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(LinkProblem) as problem:
        recovery_restore(public_id=strong_case.public_id, token=raw, new_password=NEW_PASSWORD)
    assert problem.value.code == "expired"
    raw = restore_link.issue_restore_link(request_obj=strong_case)  # staff re-send
    recovery_restore(public_id=strong_case.public_id, token=raw, new_password=NEW_PASSWORD)
    with pytest.raises(LinkProblem) as problem:
        recovery_restore(public_id=strong_case.public_id, token=raw, new_password="other pass 99")
    assert problem.value.code == "used"
    with pytest.raises(LinkProblem):
        recovery_restore(public_id=strong_case.public_id, token="wrong", new_password="x")


def test_restore_pages_and_forced_2fa_setup(strong_case, support, client, settings):
    settings.LIFELINE_REQUIRE_2FA = True
    raw = make_ready(strong_case, support.user)
    response = client.get(f"/recovery/restore/{strong_case.public_id}/{raw}/")
    assert response.status_code == 302
    assert raw not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Set a new password" in page.content
    bad = client.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": "different"}
    )
    assert bad.status_code == 200 and b"differ" in bad.content
    done = client.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"].endswith("/recovery/restore/done/")
    again = client.get(f"/recovery/restore/{strong_case.public_id}/{raw}/")
    assert again.status_code == 409

    client.post("/account/login/", {"login": "alice", "password": NEW_PASSWORD})
    gated = client.get("/account/tokens/")
    assert gated.status_code == 302 and re.search(r"/account/2fa/$", gated["Location"])


def test_restore_page_without_the_link_in_session(strong_case, client):
    response = client.get(f"/recovery/restore/{strong_case.public_id}/")
    assert response.status_code == 400
