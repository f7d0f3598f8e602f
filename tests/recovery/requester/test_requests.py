"""Filing, confirming, second submissions, expiry, owner alert and cancel, bad links."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery import conf, crypto
from lifeline.recovery.links import cancel_path
from lifeline.recovery.models import RecoveryMessage, RecoveryRequest
from lifeline.recovery.states import State
from lifeline.recovery.transition import sweep_timers
from tests.recovery.conftest import submit, verify, with_known_verify_token

FORM = {
    "username": "alice",
    "lost_email_access": "on",
    "lost_2fa": "on",
    "contact_email": "helper@contact.example",
    "description": "Lost my phone and my old email domain expired last year.",
    "agree_coc": "on",
    "acknowledge_time": "on",
}


def _post(client, **changes):
    return client.post(reverse("recovery_request"), FORM | changes)


def test_start_routes_to_self_service_first(client, db):
    page = client.get(reverse("recovery_start")).content.decode()
    assert "recovery code, a security key or my authenticator" in page
    assert client.post(reverse("recovery_start"), {"have": "factor"})["Location"] == reverse(
        "account_login"
    )
    assert client.post(reverse("recovery_start"), {"have": "email"})["Location"] == reverse(
        "account_reset_password"
    )
    assert client.post(reverse("recovery_start"), {"have": "nothing"})["Location"] == reverse(
        "recovery_request"
    )
    assert client.post(reverse("recovery_start"), {}).status_code == 400


def test_home_links_to_recovery(client, db):
    assert reverse("recovery_start") in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": ""}, "Enter the username of the account."),
        ({"username": "bad name!"}, "Usernames contain only letters"),
        ({"contact_email": "nope"}, "Enter a valid email address"),
        ({"description": "short"}, "at least 20 characters"),
        ({"agree_coc": ""}, "You must agree to the Code of Conduct."),
        ({"acknowledge_time": ""}, "reviews take time"),
        ({"lost_email_access": "", "lost_2fa": ""}, "Tick at least one thing you lost."),
    ],
)
def test_form_says_what_is_wrong(client, db, changes, message):
    response = _post(client, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RecoveryRequest.objects.exists()


def test_code_of_conduct_url_is_a_setting(client, db, settings):
    settings.LIFELINE_CODE_OF_CONDUCT_URL = "https://coc.example/rules"
    assert (
        'href="https://coc.example/rules"'
        in client.get(reverse("recovery_request")).content.decode()
    )


def _normalized(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    return re.sub(r"/static/[^\"]+", "STATIC", html)


def test_no_enumeration_same_response_for_existing_and_missing_usernames(owner, outbox):
    from django.test import Client

    responses = []
    for username in ("alice", "nobody-at-all"):
        client = Client()
        posted = _post(client, username=username)
        responses.append((posted.status_code, posted["Location"], client.get(posted["Location"])))
    (code_a, where_a, page_a), (code_b, where_b, page_b) = responses
    assert code_a == code_b == 302
    assert where_a == where_b == reverse("recovery_request_sent")
    assert page_a.status_code == page_b.status_code == 200
    assert _normalized(page_a.content.decode()) == _normalized(page_b.content.decode())
    # Both got the same verification email; the owner got nothing yet.
    assert [m.subject for m in outbox] == ["Confirm your contact address for account recovery"] * 2
    assert [m.to for m in outbox] == [["helper@contact.example"]] * 2
    unknown = RecoveryRequest.objects.get(username_entered="nobody-at-all")
    assert unknown.user is None and unknown.state == State.SUBMITTED


def test_rate_limit_per_username_whether_or_not_it_exists(client, owner, settings):
    settings.LIFELINE_RECOVERY_RATE_LIMITS = conf.DEFAULTS["LIFELINE_RECOVERY_RATE_LIMITS"] | {
        "submit_username": "2/h"
    }
    for name in ("alice", "ghost"):
        assert _post(client, username=name).status_code == 302
        assert _post(client, username=name).status_code == 302
        refused = _post(client, username=name)
        assert refused.status_code == 429
        assert "Too many requests" in refused.content.decode()


def test_rate_limit_per_ip(client, db, settings):
    settings.LIFELINE_RECOVERY_RATE_LIMITS = conf.DEFAULTS["LIFELINE_RECOVERY_RATE_LIMITS"] | {
        "submit_ip": "2/h"
    }
    assert _post(client, username="a1").status_code == 302
    assert _post(client, username="a2").status_code == 302
    assert _post(client, username="a3").status_code == 429


def test_verification_queues_the_request_and_alerts_every_verified_address(client, owner, outbox):
    EmailAddress.objects.create(user=owner, email="alice.old@example.org", verified=True)
    EmailAddress.objects.create(user=owner, email="unverified@example.org", verified=False)
    _post(client)
    body = outbox[-1].body
    link = re.search(r"http://\S+/recovery/verify/\S+/", body).group(0)
    path = link[link.index("/recovery/") :]
    confirm = client.get(path)
    assert confirm.status_code == 200
    assert confirm["Referrer-Policy"] == "no-referrer"
    request_obj = RecoveryRequest.objects.get()
    assert request_obj.state == State.SUBMITTED  # GET alone confirms nothing
    done = client.post(path)
    assert "Address confirmed" in done.content.decode()
    request_obj.refresh_from_db()
    assert (
        request_obj.state == State.OPEN
        and request_obj.queued_at
        and request_obj.contact_verified_at
    )
    alerts = [m for m in outbox if m.subject.startswith("Someone asked to recover")]
    assert sorted(m.to[0] for m in alerts) == ["alice.old@example.org", "alice@example.com"]
    assert "127.0.0.1" in alerts[0].body and "/recovery/cancel/" in alerts[0].body
    received = [m for m in outbox if "received" in m.subject]
    assert received[0].to == ["helper@contact.example"]
    assert "/recovery/status/" in received[0].body
    # The link is single-use: a second click explains, never errors.
    again = client.post(path)
    assert again.status_code == 409
    assert "already used" in again.content.decode()


@pytest.mark.parametrize("tamper", ["token", "uuid"])
def test_tampered_verify_link_is_explained(client, owner, tamper):
    request_obj = submit()
    raw = with_known_verify_token(request_obj)
    public_id = request_obj.public_id
    if tamper == "token":
        raw = raw + "x"
    else:
        public_id = "00000000-0000-0000-0000-000000000000"
    response = client.get(reverse("recovery_verify", kwargs={"public_id": public_id, "token": raw}))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_expired_verify_link_expires_the_request_on_access(client, owner):
    request_obj = submit()
    raw = with_known_verify_token(request_obj)
    RecoveryRequest.objects.filter(pk=request_obj.pk).update(
        created=timezone.now() - timedelta(hours=25)
    )
    response = client.get(
        reverse("recovery_verify", kwargs={"public_id": request_obj.public_id, "token": raw})
    )
    assert response.status_code == 410
    assert "file a new request" in response.content.decode()
    request_obj.refresh_from_db()
    assert request_obj.state == State.EXPIRED


def test_scheduled_job_expires_only_stale_unconfirmed_requests(owner, settings):
    assert "lifeline.recovery.transition.sweep_timers" in settings.LIFELINE_SCHEDULED_JOBS
    stale, fresh = submit(), submit(contact="b@contact.example")
    RecoveryRequest.objects.filter(pk=stale.pk).update(created=timezone.now() - timedelta(hours=25))
    assert sweep_timers() == 1
    assert sweep_timers() == 0
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.state, fresh.state) == (State.EXPIRED, State.SUBMITTED)


def test_second_submission_is_a_note_on_the_case(queued, outbox):
    second = submit(
        contact="someone@else.example", description="It is really my account, trust me."
    )
    note = RecoveryMessage.objects.get(request=queued, kind=RecoveryMessage.Kind.NOTE)
    assert note.details["contact_email"] == "someone@else.example"
    assert note.details["submission"] == second.reference
    # The second submitter got the ordinary verification email, nothing about the case.
    assert outbox[-1].to == ["someone@else.example"]
    assert outbox[-1].subject == "Confirm your contact address for account recovery"
    assert queued.reference not in outbox[-1].body
    # Confirming merges it into the case instead of opening a second one.
    outcome = verify(second)
    second.refresh_from_db()
    assert outcome.merged_into.pk == queued.pk
    assert second.state == State.WITHDRAWN
    assert RecoveryMessage.objects.filter(request=queued, kind="note").count() == 2
    assert RecoveryRequest.objects.filter(user=queued.user, state=State.OPEN).count() == 1


def test_owner_cancels_through_the_emailed_link_without_login(client, queued, outbox):
    alert = next(m for m in outbox if m.subject.startswith("Someone asked to recover"))
    link = re.search(r"http://\S+/recovery/cancel/\S+/", alert.body).group(0)
    path = link[link.index("/recovery/") :]
    page = client.get(path)
    assert page.status_code == 200 and page["Referrer-Policy"] == "no-referrer"
    assert "Cancel the request" in page.content.decode()
    done = client.post(path)
    assert "was cancelled" in done.content.decode()
    queued.refresh_from_db()
    assert queued.state == State.CANCELLED_BY_OWNER and queued.contested
    tags = set(SecurityEvent.objects.filter(user=queued.user).values_list("tag", flat=True))
    assert EventTag.RECOVERY_CANCEL in tags
    assert outbox[-1].to == [queued.contact_email]
    assert "cancelled" in outbox[-1].subject.lower()
    assert client.post(path).status_code == 409  # used links explain themselves


def test_tampered_or_old_cancel_link(client, queued, settings):
    good = cancel_path(queued)
    assert client.get(good[:-3] + "xx/").status_code == 400
    settings.LIFELINE_RECOVERY_CANCEL_LINK_DAYS = 0
    response = client.get(good)
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_logged_in_owner_sees_a_banner_with_the_cancel_action(client, queued):
    client.force_login(queued.user)
    page = client.get(reverse("account_security")).content.decode()
    assert "Someone asked to recover this account" in page
    # The page signs its own link (the signature carries a timestamp, so it differs from one
    # made here a second later): find the banner's link and check what it says and verifies.
    prefix = reverse("recovery_owner_cancel", kwargs={"signed": "x"}).removesuffix("x/")
    links = re.findall(re.escape(prefix) + r"([^/\"]+)/", page)
    assert links, "no cancel link on the page"
    assert {crypto.unsign_cancel(signed, max_age_seconds=60) for signed in links} == {
        str(queued.public_id)
    }
    client.post(f"{prefix}{links[0]}/")
    queued.refresh_from_db()
    assert queued.state == State.CANCELLED_BY_OWNER
    audit = queued.audit.get(to_state=State.CANCELLED_BY_OWNER)
    assert audit.actor == queued.user and audit.details["via"] == "banner"


def test_cancel_link_signature_is_bound_to_its_salt(queued):
    from django.core import signing

    forged = signing.dumps(str(queued.public_id), salt="something-else")
    assert crypto.unsign_cancel(forged, max_age_seconds=3600) is None
