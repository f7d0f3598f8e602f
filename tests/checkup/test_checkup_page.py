"""The checkup on /account/security/: status and reason, each item's fix, the review action,
revoking a stale token, and the navigation badge (cached: one query per page at most)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifeline.checkup.assessment import KEY_WHY, STRONG_RULE
from lifeline.checkup.badge import badge_for
from lifeline.checkup.facts import assess_user, device_model
from lifeline.checkup.reminder_models import CheckupReview
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.tokens.models import ApiToken
from lifeline.tokens.services import token_create
from tests.checkup.states import add_address, add_key, at_risk_user, strong_user
from tests.fixtures_mfa import enter_sudo, make_2fa_account

pytestmark = pytest.mark.django_db


def sign_in(client, user) -> None:
    """Signed in with both factors recorded (an account with 2FA needs them for any page)."""
    client.force_login(user)
    enter_sudo(client, user)


def status_of(body: str) -> str:
    match = re.search(r'data-checkup-status="(\w+)"', body)
    assert match, "no checkup status on the page"
    return match.group(1)


def test_at_risk_page_says_why_and_offers_each_fix(client):
    user = at_risk_user()
    sign_in(client, user)
    body = client.get("/account/security/").content.decode()
    assert status_of(body) == "at_risk"
    assert "Anyone with your password can sign in" in body
    assert STRONG_RULE in body
    assert KEY_WHY in body  # the passkey/key recommendation, with its one-sentence why
    assert 'href="/account/email/">Add an address' in body
    assert 'href="/account/2fa/">Set up two-factor' in body
    # The status comes before the checklist, and the checklist before the old factor table.
    assert body.index("Security checkup") < body.index('id="check-addresses"')
    assert body.index('id="check-review"') < body.index('id="factors-h"')


def test_strong_page(client):
    user = strong_user()
    sign_in(client, user)
    body = client.get("/account/security/").content.decode()
    assert status_of(body) == "strong"
    assert "Losing any one factor or address cannot lock you out." in body
    assert "To do" not in body
    assert KEY_WHY not in body  # they already have a key


def test_needs_attention_names_the_next_fix(client):
    user = strong_user()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user, email__endswith="@example.org").delete()
    sign_in(client, user)
    body = client.get("/account/security/").content.decode()
    assert status_of(body) == "attention"
    assert "Losing your one email domain would leave no way to reset your password." in body


def test_codes_fixes_point_at_the_right_page(client):
    user = at_risk_user()
    make_2fa_account(user, confirmed=False)
    sign_in(client, user)
    body = client.get("/account/security/").content.decode()
    assert 'href="/account/2fa/recovery-codes/confirm/">Confirm your saved codes' in body
    assert "one way through two-factor" in body


def test_unverified_address_does_not_count(client):
    user = strong_user()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user, email__endswith="@example.org").update(verified=False)
    assessment = assess_user(user)
    assert assessment.status.value == "attention"
    assert "not verified" in assessment.finding["addresses"].summary


def test_review_is_a_post_with_csrf_and_records_an_event(client):
    user = at_risk_user()
    sign_in(client, user)
    assert client.get("/account/security/review/").status_code == 405
    csrf_client = type(client)(enforce_csrf_checks=True)
    sign_in(csrf_client, user)
    assert csrf_client.post("/account/security/review/").status_code == 403
    assert not CheckupReview.objects.filter(user=user).exists()

    response = client.post("/account/security/review/")
    assert response.status_code == 302 and response["Location"].endswith("#checkup")
    review = CheckupReview.objects.get(user=user)
    assert timezone.now() - review.reviewed_at < timedelta(minutes=1)
    event = SecurityEvent.objects.get(user=user, tag=EventTag.CHECKUP_REVIEW)
    assert event.details == {"status": "At risk"}
    body = client.get("/account/security/").content.decode()
    assert "Reviewed in the last 6 months." in body


def test_stale_token_listed_and_revoked_from_the_checkup(client):
    user = strong_user()
    stale, _ = token_create(user=user, name="old laptop", project=None, expires_at=None)
    fresh, _ = token_create(user=user, name="ci", project=None, expires_at=None)
    ApiToken.objects.filter(pk=stale.pk).update(
        created=timezone.now() - timedelta(days=200),
        last_used_at=timezone.now() - timedelta(days=91),
    )
    ApiToken.objects.filter(pk=fresh.pk).update(created=timezone.now() - timedelta(days=200))
    sign_in(client, user)
    body = client.get("/account/security/").content.decode()
    assert status_of(body) == "attention"
    assert "Revoke old laptop" in body
    assert "Revoke ci" in body  # never used in 200 days is stale too
    response = client.post(f"/account/security/tokens/{stale.public_id}/revoke/")
    assert response["Location"].endswith("#check-tokens")
    stale.refresh_from_db()
    assert stale.revoked_at is not None
    assert SecurityEvent.objects.filter(user=user, tag=EventTag.TOKEN_REVOKE).exists()


def test_cannot_revoke_someone_elses_token(client):
    owner = strong_user("owner")
    token, _ = token_create(user=owner, name="theirs", project=None, expires_at=None)
    intruder = strong_user("intruder")
    sign_in(client, intruder)
    assert client.post(f"/account/security/tokens/{token.public_id}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_devices_item_reads_the_device_model_wherever_it_lives(client):
    user = strong_user()
    model = device_model()
    assert model is not None
    model.objects.create(user=user, key_hash="a" * 64, user_agent="Mozilla/5.0 Firefox/130.0")
    sign_in(client, user)
    body = client.get("/account/security/").content.decode()
    assert "1 remembered device," in body


def test_contacts_item_is_optional(client):
    user = strong_user()
    sign_in(client, user)
    body = client.get("/account/security/").content.decode()
    assert 'id="check-contacts"' in body
    assert "Optional" in body
    assert status_of(body) == "strong"


# --- The navigation badge --------------------------------------------------------------------


def nav_badge(body: str) -> str | None:
    match = re.search(r"data-checkup-badge>(\d+)<", body)
    return match.group(1) if match else None


def test_badge_counts_open_items_and_goes_when_all_are_done(
    client, django_capture_on_commit_callbacks
):
    user = at_risk_user()
    sign_in(client, user)
    assert nav_badge(client.get("/").content.decode()) == "4"  # address, 2FA, codes, review

    with django_capture_on_commit_callbacks(execute=True):
        make_2fa_account(user)
        add_key(user)
        add_address(user, "second@elsewhere.org")
        CheckupReview.objects.create(user=user)
    assert badge_for(user) == ("strong", 0)
    body = client.get("/").content.decode()
    assert nav_badge(body) is None
    assert "data-checkup-badge" not in body


def test_badge_costs_at_most_one_query_per_request(client):
    user = at_risk_user()
    sign_in(client, user)
    badge_for(user)  # computed once, then cached
    with CaptureQueriesContext(connection) as queries:
        assert badge_for(user) == ("at_risk", 4)
    assert len(queries) <= 1, [q["sql"] for q in queries]
    # On a real page, the badge is that one cache read: no checkup query runs.
    client.get("/")
    with CaptureQueriesContext(connection) as page_queries:
        client.get("/")
    sql = [q["sql"] for q in page_queries]
    assert len([q for q in sql if "checkup:badge" in q]) == 1, sql
    assert not [q for q in sql if "checkup_checkupreview" in q or "tokens_apitoken" in q], sql


def test_badge_is_dropped_when_the_account_changes(client, django_capture_on_commit_callbacks):
    user = strong_user()
    assert badge_for(user) == ("strong", 0)
    with django_capture_on_commit_callbacks(execute=True):
        ApiToken.objects.create(
            user=user,
            name="forgotten",
            public_id="pub-forgotten",
            secret_hash="x" * 64,
            created=timezone.now() - timedelta(days=120),
        )
    assert badge_for(user) == ("attention", 1)
