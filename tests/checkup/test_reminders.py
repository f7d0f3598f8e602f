"""Checkup reminders: what is sent, to whom, at most once per 30 days per kind, one a day per
user, per-kind unsubscribe (GET confirms, POST acts, RFC 8058 one-click), re-subscribe from
the security page, and the link in the email going to the fix."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.utils import timezone

from lifeline.checkup import reminders
from lifeline.checkup.reminder_models import (
    CheckupReview,
    ReminderKind,
    ReminderOptOut,
    ReminderSent,
)
from lifeline.checkup.reminders import (
    daily_reminders,
    send_due_reminders,
    unsubscribe_token,
)
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.notifications.notices import is_security_notice
from lifeline.notifications.services import send_email
from lifeline.tokens.models import ApiToken
from lifeline.tokens.services import token_create
from tests.checkup.states import add_address, add_key, at_risk_user, joined_long_ago, strong_user
from tests.factories import UserFactory
from tests.fixtures_mfa import enter_sudo, make_2fa_account

pytestmark = pytest.mark.django_db

K = ReminderKind


def later(days: float):
    return timezone.now() + timedelta(days=days)


def sent_kinds(user) -> set[str]:
    return set(ReminderSent.objects.filter(user=user).values_list("kind", flat=True))


def link(body: str, part: str) -> str:
    match = re.search(r"https?://\S*" + re.escape(part) + r"\S*", body)
    assert match, f"no link with {part!r} in:\n{body}"
    return match.group(0)


def test_no_2fa_reminder_goes_to_every_verified_address(outbox):
    user = at_risk_user(username="bob", email="bob@alice.dev")
    add_address(user, "bob@example.org")
    add_address(user, "bob@unverified.net", verified=False)
    result = send_due_reminders()
    assert result["no_2fa"] == 1
    assert sorted(m.to[0] for m in outbox) == ["bob@alice.dev", "bob@example.org"]
    message = outbox[0]
    assert "Turn on two-factor" in message.subject
    assert "security key or passkey is the strongest" in " ".join(message.body.split())
    assert "This wasn't me" not in message.body  # a reminder, not a security notice
    event = SecurityEvent.objects.get(user=user, tag=EventTag.CHECKUP_REMINDER)
    assert event.details == {"kind": "no_2fa", "addresses": 2}


def test_each_state_gets_its_kind():
    cases = {}
    cases[K.NO_2FA] = at_risk_user()
    unconfirmed = joined_long_ago(UserFactory())
    make_2fa_account(unconfirmed, confirmed=False)
    cases[K.CODES_UNCONFIRMED] = unconfirmed
    one_domain = joined_long_ago(UserFactory(email="x@alice.dev"))
    make_2fa_account(one_domain)
    add_address(one_domain, "y@mail.alice.dev")  # another host, same registrable domain
    cases[K.ADDRESSES] = one_domain
    low = strong_user("low")
    codes = Authenticator.objects.get(user=low, type=Authenticator.Type.RECOVERY_CODES)
    codes.data["used_mask"] = 0b1111111100  # 8 of 10 used: 2 left
    codes.save()
    cases[K.CODES_LOW] = low
    stale = strong_user("stale")
    token, _ = token_create(user=stale, name="old", project=None, expires_at=None)
    ApiToken.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=100))
    cases[K.STALE_TOKENS] = stale
    unreviewed = strong_user("unreviewed")
    CheckupReview.objects.filter(user=unreviewed).update(
        reviewed_at=timezone.now() - timedelta(days=200)
    )
    cases[K.REVIEW] = unreviewed
    fine = strong_user("fine")
    two_domains_two_hosts = strong_user("hosts")

    send_due_reminders()
    for kind, user in cases.items():
        assert sent_kinds(user) == {kind.value}, (kind, sent_kinds(user))
    assert sent_kinds(fine) == set()
    assert sent_kinds(two_domains_two_hosts) == set()


def test_new_accounts_inactive_accounts_and_unreachable_users_get_nothing():
    UserFactory()  # joined today: a grace week
    inactive = at_risk_user(is_active=False)
    nowhere = at_risk_user()
    nowhere.emailaddress_set.update(verified=False)
    assert sum(send_due_reminders().values()) == 0
    assert not ReminderSent.objects.filter(user__in=[inactive, nowhere]).exists()


def test_one_reminder_a_day_per_user_then_the_next_kind(outbox):
    user = at_risk_user()  # no 2FA, one address, never reviewed
    send_due_reminders()
    assert sent_kinds(user) == {"no_2fa"}
    send_due_reminders()  # the same day: nothing more
    assert len(outbox) == 1
    send_due_reminders(now=later(1))
    assert sent_kinds(user) == {"no_2fa", "addresses"}
    send_due_reminders(now=later(2))
    assert sent_kinds(user) == {"no_2fa", "addresses", "review"}
    assert len(outbox) == 3


def reminded(user, kind: str) -> int:
    return SecurityEvent.objects.filter(
        user=user, tag=EventTag.CHECKUP_REMINDER, details__kind=kind
    ).count()


def test_each_kind_at_most_once_per_30_days(settings):
    user = at_risk_user()  # due: no_2fa, addresses, review
    for day in range(29):
        send_due_reminders(now=later(day))
    assert [reminded(user, k) for k in ("no_2fa", "addresses", "review")] == [1, 1, 1]
    send_due_reminders(now=later(30.1))
    assert reminded(user, "no_2fa") == 2
    settings.LIFELINE_REMINDER_EVERY_DAYS = 90  # configurable
    for day in (45, 61, 89):
        send_due_reminders(now=later(day))
    assert [reminded(user, k) for k in ("no_2fa", "addresses", "review")] == [2, 1, 1]


def test_fixed_problems_stop_their_reminder():
    user = at_risk_user()
    make_2fa_account(user)
    add_key(user)
    add_address(user, "second@example.org")
    CheckupReview.objects.create(user=user)
    assert sum(send_due_reminders().values()) == 0


def test_batches_reach_everyone(settings):
    settings.LIFELINE_REMINDER_BATCH_SIZE = 2
    users = [at_risk_user() for _ in range(5)]
    assert send_due_reminders()["no_2fa"] == 5
    assert all(sent_kinds(u) == {"no_2fa"} for u in users)


def test_the_daily_job_runs_once_a_day_from_tick(outbox):
    at_risk_user()
    call_command("tick")
    assert len(outbox) == 1
    assert daily_reminders() == "not due"
    at_risk_user()
    call_command("tick")
    assert len(outbox) == 1  # the second user waits for tomorrow's run


# --- The email's links -----------------------------------------------------------------------


def test_the_link_in_the_email_goes_to_the_fix(client, outbox):
    user = at_risk_user()
    make_2fa_account(user, confirmed=False)
    send_due_reminders()
    (message,) = outbox
    fix = link(message.body, "/account/2fa/recovery-codes/confirm/")
    client.force_login(user)
    enter_sudo(client, user)
    response = client.get(path_of(fix))
    assert response.status_code == 200
    assert "One of your recovery codes" in response.content.decode()
    html = message.alternatives[0][0]
    assert "/account/2fa/recovery-codes/confirm/" in html


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        (K.NO_2FA, "/account/2fa/"),
        (K.CODES_UNCONFIRMED, "/account/2fa/recovery-codes/confirm/"),
        (K.CODES_LOW, "/account/2fa/recovery-codes/generate/"),
        (K.ADDRESSES, "/account/email/"),
        (K.STALE_TOKENS, "/account/security/#check-tokens"),
        (K.REVIEW, "/account/security/#check-review"),
    ],
)
def test_every_kind_links_to_its_fix(kind, path):
    assert reminders.fix_path(kind) == path


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_unsubscribe_get_confirms_post_unsubscribes_that_kind_only(client, outbox):
    user = at_risk_user()
    send_due_reminders()
    url = path_of(link(outbox[0].body, "/reminders/unsubscribe/"))

    page = client.get(url)  # a link prefetcher or scanner: nothing changes
    assert page.status_code == 200
    assert "Turn this reminder off" in page.content.decode()
    assert not ReminderOptOut.objects.exists()

    done = client.post(url)
    assert done.status_code == 200
    assert "You won't get this reminder again" in done.content.decode()
    assert list(ReminderOptOut.objects.values_list("user", "kind")) == [(user.pk, "no_2fa")]
    assert SecurityEvent.objects.filter(user=user, tag=EventTag.CHECKUP_UNSUBSCRIBE).count() == 1
    client.post(url)  # twice is harmless
    assert SecurityEvent.objects.filter(user=user, tag=EventTag.CHECKUP_UNSUBSCRIBE).count() == 1

    # The other kinds still come; this one never again, even 30 days on.
    for day in (31, 32, 33):
        send_due_reminders(now=later(day))
    assert [reminded(user, k) for k in ("no_2fa", "addresses", "review")] == [1, 1, 1]


def test_reminders_carry_list_unsubscribe_one_click_a_security_notice_does_not(client, outbox):
    user = at_risk_user(username="bob", email="bob@alice.dev")
    send_due_reminders()
    (reminder,) = outbox
    headers = reminder.message()
    link = re.fullmatch(r"<(https?://[^>]+)>", headers["List-Unsubscribe"])
    assert link is not None
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The header's link is this kind's own unsubscribe link, the one in the body...
    assert link.group(1) in reminder.body
    path = link.group(1).split("://", 1)[1].split("/", 1)[1]
    # ...and a mail client's one-click POST to it turns that kind off.
    form = "application/x-www-form-urlencoded"
    one_click = client.post(f"/{path}", data="List-Unsubscribe=One-Click", content_type=form)
    assert one_click.status_code == 200
    assert list(ReminderOptOut.objects.filter(user=user).values_list("kind", flat=True)) == [
        "no_2fa"
    ]

    assert is_security_notice("account_password_changed")
    send_email(template="account_password_changed", user=user, context={"user": user})
    notice = outbox[-1].message()
    assert notice["List-Unsubscribe"] is None and notice["List-Unsubscribe-Post"] is None


def test_one_click_post_per_rfc_8058_needs_no_cookie_or_csrf(client):
    user = at_risk_user()
    token = unsubscribe_token(user, K.REVIEW)
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        f"/reminders/unsubscribe/{token}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert ReminderOptOut.objects.filter(user=user, kind="review").exists()


@pytest.mark.parametrize("token", ["nonsense", "eyJ4IjoxfQ:1abc:forged"])
def test_a_bad_or_forged_token_is_a_404(client, token):
    at_risk_user()
    assert client.get(f"/reminders/unsubscribe/{token}/").status_code == 404
    assert client.post(f"/reminders/unsubscribe/{token}/").status_code == 404
    assert not ReminderOptOut.objects.exists()


def test_a_token_names_one_user_and_kind(client):
    alice, bob = at_risk_user(), at_risk_user()
    client.post(f"/reminders/unsubscribe/{unsubscribe_token(alice, K.NO_2FA)}/")
    assert list(ReminderOptOut.objects.values_list("user", "kind")) == [(alice.pk, "no_2fa")]
    send_due_reminders()
    assert sent_kinds(alice) == {"addresses"}
    assert sent_kinds(bob) == {"no_2fa"}


def test_resubscribe_from_the_security_page(client):
    user = at_risk_user()
    ReminderOptOut.objects.create(user=user, kind="review")
    client.force_login(user)
    body = client.get("/account/security/").content.decode()
    assert 'id="reminders"' in body
    assert "Turn on again" in body
    response = client.post("/account/security/reminders/", {"kind": "review"})
    assert response["Location"].endswith("#reminders")
    assert not ReminderOptOut.objects.filter(user=user).exists()
    assert SecurityEvent.objects.filter(user=user, tag=EventTag.CHECKUP_RESUBSCRIBE).exists()
    assert client.post("/account/security/reminders/", {"kind": "bogus"}).status_code == 302


def test_events_read_in_words(client):
    from lifeline.events.display import describe

    user = at_risk_user()
    send_due_reminders()
    event = SecurityEvent.objects.get(user=user, tag=EventTag.CHECKUP_REMINDER)
    assert "two-factor authentication is off (to 1 address)" in describe(event)


def test_the_job_reads_only_users_who_need_a_reminder():
    """Queries don't grow with users who need nothing: SQL leaves them out (a constant number
    of queries per kind and batch), so 30 settled accounts cost what 3 do."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        strong_user(f"settled{n}")
    with CaptureQueriesContext(connection) as few:
        assert sum(send_due_reminders().values()) == 0
    for n in range(3, 30):
        strong_user(f"settled{n}")
    with CaptureQueriesContext(connection) as many:
        assert sum(send_due_reminders().values()) == 0
    assert len(many) == len(few)
