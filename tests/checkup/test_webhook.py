"""The bounce and complaint webhook: signature, replay window, replayed ids, and what a
bounce does to an address (docs/email-events.md)."""

from __future__ import annotations

import time
from datetime import timedelta
from datetime import timezone as dt_timezone

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from lifeline.checkup.jobs import sweep_email_event_receipts
from lifeline.checkup.models import Bounce, EmailEventReceipt
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.checkup.conftest import SECRET, make_owner, post_events

pytestmark = pytest.mark.django_db


def bounce(event_id: str, email: str, kind: str = "hard", **extra) -> dict:
    return {"id": event_id, "type": "bounce", "bounce_type": kind, "email": email, **extra}


@pytest.fixture
def owner(webhook_secret):
    return make_owner("alice@bouncy.example", "alice@steady.example")


def is_verified(email: str) -> bool:
    return EmailAddress.objects.get(email=email).verified


# --- authentication ------------------------------------------------------------------------


def test_disabled_without_a_secret(client, settings):
    settings.LIFELINE_BOUNCE_WEBHOOK_SECRET = ""
    response = post_events(client, bounce("e1", "a@b.example"), secret="anything")
    assert response.status_code == 404


def test_only_post(client, webhook_secret):
    response = client.get(reverse("email_events_webhook"))
    assert response.status_code == 405


def test_bad_signature_is_refused(client, owner):
    response = post_events(client, bounce("e1", "alice@bouncy.example"), secret="wrong-secret")
    assert response.status_code == 401
    assert response.json()["error"] == "bad_signature"
    assert is_verified("alice@bouncy.example")
    assert not EmailEventReceipt.objects.exists()


def test_missing_signature_is_refused(client, owner):
    response = post_events(client, bounce("e1", "alice@bouncy.example"), signature="")
    assert response.status_code == 401


@pytest.mark.parametrize("stamp", ["", "yesterday", "-5", "1e9", "9" * 20])
def test_malformed_timestamp_is_a_400(client, owner, stamp):
    body = b'{"id": "e1"}'
    response = client.post(
        reverse("email_events_webhook"),
        data=body,
        content_type="application/json",
        headers={"X-Lifeline-Timestamp": stamp, "X-Lifeline-Signature": "sha256=00"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_timestamp"


# Clearly outside the 300 s window: a skew of 301 s raced the clock on a loaded machine.
@pytest.mark.parametrize("skew", [-360, 360, -86400])
def test_timestamp_outside_the_window_is_refused(client, owner, skew):
    """A correctly signed request from more than five minutes ago (or ahead) is a replay."""
    response = post_events(
        client, bounce("e1", "alice@bouncy.example"), timestamp=int(time.time()) + skew
    )
    assert response.status_code == 401
    assert response.json()["error"] == "stale_timestamp"
    assert is_verified("alice@bouncy.example")


def test_signature_covers_the_timestamp(client, owner):
    """Moving a captured request's timestamp into the window breaks its signature."""
    from lifeline.checkup.signatures import sign

    body = b'{"id": "e1", "type": "complaint", "email": "alice@bouncy.example"}'
    old = str(int(time.time()) - 3600)
    response = client.post(
        reverse("email_events_webhook"),
        data=body,
        content_type="application/json",
        headers={
            "X-Lifeline-Timestamp": str(int(time.time())),
            "X-Lifeline-Signature": sign(secret=SECRET, timestamp=old, body=body),
        },
    )
    assert response.status_code == 401
    assert is_verified("alice@bouncy.example")


def test_csrf_and_sessions_do_not_apply(owner):
    client = Client(enforce_csrf_checks=True)
    response = post_events(client, bounce("e1", "nobody@else.example"))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert "Cookie" not in response.get("Vary", "")


# --- payload errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"not json", "must be JSON"),
        (b"\xff\xfe", "must be JSON"),
        (b"[]", "no events"),
        (b'"a string"', "must be a JSON object"),
        (b'{"id": "", "type": "complaint", "email": "a@b.example"}', '"id"'),
        (b'{"id": "e1", "type": "delivered", "email": "a@b.example"}', '"type"'),
        (b'{"id": "e1", "type": "bounce", "email": "a@b.example"}', '"bounce_type"'),
        (b'{"id": "e1", "type": "complaint", "email": "nope"}', '"email"'),
        (b'{"id": "e1", "type": "complaint", "email": "a\\u0000@b.example"}', '"email"'),
        (
            b'{"id": "e1", "type": "complaint", "email": "a@b.example", '
            b'"occurred_at": "0001-01-01T00:00:00+05:00"}',
            "out of range",
        ),
        (b'{"id": "e\\u0000", "type": "complaint", "email": "a@b.example"}', '"id"'),
        (
            b'{"id": "e1", "type": "complaint", "email": "a@b.example", "occurred_at": "soon"}',
            '"occurred_at"',
        ),
    ],
)
def test_bad_payload_is_a_clear_400(client, owner, body, fragment):
    response = post_events(client, None, body=body)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_payload"
    assert fragment in response.json()["message"]


def test_one_bad_event_refuses_the_whole_batch(client, owner):
    events = [bounce("e1", "alice@bouncy.example"), {"id": "e2", "type": "nope"}]
    response = post_events(client, events)
    assert response.status_code == 400
    assert "event 1" in response.json()["message"]
    assert is_verified("alice@bouncy.example")


def test_too_large_is_a_413(client, owner, settings):
    settings.LIFELINE_BOUNCE_WEBHOOK_MAX_BYTES = 100
    response = post_events(client, [bounce(f"e{i}", "x@y.example") for i in range(5)])
    assert response.status_code == 413


# --- what bounces do ------------------------------------------------------------------------


def test_hard_bounce_unverifies_tells_the_other_address_and_stops_resets(client, owner, outbox):
    response = post_events(client, bounce("evt-1", "Alice@Bouncy.example"))
    assert response.status_code == 200
    assert response.json() == {"results": [{"id": "evt-1", "result": "processed"}]}
    assert not is_verified("alice@bouncy.example")
    # It was primary: the other verified address takes over.
    assert EmailAddress.objects.get(email="alice@steady.example").primary
    owner.refresh_from_db()
    assert owner.email == "alice@steady.example"
    event = SecurityEvent.objects.get(user=owner, tag=EventTag.EMAIL_UNVERIFY)
    assert event.details["email"] == "alice@bouncy.example"
    assert event.details["reason"] == "hard_bounce"
    assert event.details["new_primary"] == "alice@steady.example"
    assert [m.to for m in outbox] == [["alice@steady.example"]]
    assert "alice@bouncy.example" in outbox[0].body and "bounced" in outbox[0].body
    # A password reset to the bounced address is now refused (same answer, no email).
    outbox.clear()
    reset = client.post(reverse("account_reset_password"), {"email": "alice@bouncy.example"})
    assert reset.status_code == 302
    assert outbox == []
    client.post(reverse("account_reset_password"), {"email": "alice@steady.example"})
    assert [m.to for m in outbox] == [["alice@steady.example"]]


def test_complaint_unverifies_at_once(client, owner):
    post_events(client, {"id": "c1", "type": "complaint", "email": "alice@steady.example"})
    assert not is_verified("alice@steady.example")
    assert is_verified("alice@bouncy.example")
    event = SecurityEvent.objects.get(user=owner, tag=EventTag.EMAIL_UNVERIFY)
    assert event.details["reason"] == "complaint"


def test_more_than_five_soft_bounces_in_30_days_unverify(client, owner):
    now = timezone.now()
    # Two old soft bounces (outside 30 days) do not count.
    old = [
        bounce(
            f"old{i}",
            "alice@bouncy.example",
            "soft",
            occurred_at=(now - timedelta(days=40)).isoformat(),
        )
        for i in range(2)
    ]
    post_events(client, old + [bounce(f"s{i}", "alice@bouncy.example", "soft") for i in range(5)])
    assert Bounce.objects.filter(kind="soft").count() == 7
    assert is_verified("alice@bouncy.example")
    post_events(client, bounce("s5", "alice@bouncy.example", "soft"))
    assert not is_verified("alice@bouncy.example")
    event = SecurityEvent.objects.get(user=owner, tag=EventTag.EMAIL_UNVERIFY)
    assert event.details["reason"] == "soft_bounces"
    assert event.details["soft_bounces"] == 6


def test_replayed_event_id_is_refused_and_not_counted_twice(client, owner):
    for _ in range(3):
        response = post_events(client, bounce("same-id", "alice@bouncy.example", "soft"))
    assert response.status_code == 409
    assert response.json()["results"] == [{"id": "same-id", "result": "duplicate"}]
    assert Bounce.objects.count() == 1


def test_a_batch_with_a_replayed_id_processes_the_new_ones(client, owner):
    post_events(client, bounce("s1", "alice@bouncy.example", "soft"))
    response = post_events(
        client,
        [
            bounce("s1", "alice@bouncy.example", "soft"),
            bounce("s2", "alice@bouncy.example", "soft"),
            bounce("s2", "alice@bouncy.example", "soft"),
        ],
    )
    assert response.status_code == 200
    assert [r["result"] for r in response.json()["results"]] == [
        "duplicate",
        "processed",
        "duplicate",
    ]
    assert Bounce.objects.count() == 2


def test_unknown_address_is_accepted_and_nothing_is_stored(client, owner, outbox):
    response = post_events(client, bounce("u1", "stranger@nowhere.example"))
    assert response.status_code == 200
    assert not Bounce.objects.exists()
    assert outbox == []


def test_already_unverified_address_is_not_unverified_twice(client, owner, outbox):
    post_events(client, bounce("h1", "alice@bouncy.example"))
    post_events(client, bounce("h2", "alice@bouncy.example"))
    assert SecurityEvent.objects.filter(tag=EventTag.EMAIL_UNVERIFY).count() == 1
    assert len(outbox) == 1


def test_receipts_are_swept_after_the_retention_period(client, owner):
    post_events(client, bounce("s1", "alice@bouncy.example", "soft"))
    EmailEventReceipt.objects.update(received_at=timezone.now() - timedelta(days=31))
    assert sweep_email_event_receipts() == 1
    assert not EmailEventReceipt.objects.exists()


# --- hostile payloads -----------------------------------------------------------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=12,
)


def _offset(hours: int) -> dt_timezone:
    return dt_timezone(timedelta(hours=hours))


_event = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=210), st.integers()),
        "type": st.sampled_from(["bounce", "complaint", "other", ""]) | _json,
        "bounce_type": st.sampled_from(["hard", "soft", "HARD"]) | _json,
        "email": st.emails() | st.text(max_size=40) | _json,
        "occurred_at": st.datetimes(
            timezones=st.none() | st.builds(_offset, st.integers(-23, 23))
        ).map(lambda d: d.isoformat())
        | st.text(max_size=30)
        | _json,
    },
)


@hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payload=_json | _event | st.lists(_event, max_size=3))
def test_any_signed_json_gets_an_answer_never_a_500(client, owner, payload):
    response = post_events(client, payload)
    assert response.status_code in (200, 400, 409), response.content
    assert response["Content-Type"] == "application/json"
