"""The status page (token into the session, no referrer), replies, withdraw; devices."""

from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from lifeline.accounts import devices
from lifeline.accounts.models import Device
from lifeline.recovery import conf, crypto
from lifeline.recovery.context import device_list_context
from lifeline.recovery.links import status_url
from lifeline.recovery.messages import recovery_message_post
from lifeline.recovery.models import RecoveryMessage, RecoveryProof
from lifeline.recovery.staff.metrics import FIGURES_KEY
from lifeline.recovery.states import State
from lifeline.recovery.transition import recovery_transition
from tests.factories import UserFactory
from tests.recovery.conftest import submit, verify

COOKIE = conf.get("LIFELINE_DEVICE_COOKIE_NAME")


def _status(queued):
    return reverse("recovery_status", kwargs={"public_id": queued.public_id})


def test_status_link_moves_the_token_into_the_session(client, queued):
    url = status_url(queued)
    entry = client.get(url[url.index("/recovery/") :])
    assert entry.status_code == 302 and entry["Location"] == _status(queued)
    assert entry["Referrer-Policy"] == "no-referrer"
    page = client.get(entry["Location"])
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    for text in (
        "In the review queue",
        "Queue position",
        queued.challenge,
        "curl --fail-with-body -u __token__",
        "python3 -c",
        "https://code.example/alice/alice-tool",
        "Withdraw this request",
        "Timeline",
    ):
        assert text in html, text
    assert (
        crypto.status_token(str(queued.public_id), queued.contact_verified_at.isoformat())
        not in html
    )


def test_status_page_without_the_session_or_with_a_bad_token(client, queued):
    page = client.get(_status(queued))
    assert (
        page.status_code == 403 and "Open your status page from the email" in page.content.decode()
    )
    bad = reverse(
        "recovery_status_enter", kwargs={"public_id": queued.public_id, "token": "0" * 64}
    )
    assert client.get(bad).status_code == 400


def test_queue_position_and_estimate_from_recent_decisions(status_client, queued, db):
    from django.utils import timezone

    ahead = submit(username="ghost-1", contact="g@contact.example")
    verify(ahead)
    ahead.refresh_from_db()
    type(ahead).objects.filter(pk=ahead.pk).update(
        queued_at=queued.queued_at - timezone.timedelta(hours=1)
    )
    html = status_client.get(_status(queued)).content.decode()
    assert "2 (1 ahead of you)" in html and "enough decided cases yet" in html
    decided = submit(username="ghost-2", contact="h@contact.example")
    verify(decided)
    type(decided).objects.filter(pk=decided.pk).update(
        state=State.DENIED,
        decided_at=timezone.now(),
        queued_at=timezone.now() - timezone.timedelta(days=3),
    )
    cache.delete(FIGURES_KEY)  # the desk's figures are kept for a minute: let it pass
    html = status_client.get(_status(queued)).content.decode()
    # One decision is no basis for an estimate (it once read "about 31 days").
    assert "(1 in the last 30 days; we need at least 5)" in html


def test_messages_from_support_and_replies(status_client, queued, outbox, db):
    staff = UserFactory(username="helper", is_staff=True)
    recovery_transition(
        request_obj=queued,
        to_state=State.NEEDS_INFO,
        actor=staff,
        actor_kind="staff",
        justification="We need to know which CI holds the token.",
    )
    recovery_message_post(
        request_obj=queued, body="Which CI holds the token?", author_kind="staff", author=staff
    )
    assert outbox[-1].to == [queued.contact_email]
    assert "/recovery/status/" in outbox[-1].body and "Which CI" in outbox[-1].body
    html = status_client.get(_status(queued)).content.decode()
    assert "Which CI holds the token?" in html
    status_client.post(
        _status(queued), {"action": "reply", "body": "GitHub Actions, repo alice/tool."}
    )
    queued.refresh_from_db()
    assert queued.state == State.OPEN  # the reply put it back in the queue
    assert RecoveryMessage.objects.filter(request=queued, author_kind="requester").exists()
    empty = status_client.post(_status(queued), {"action": "reply", "body": ""})
    assert empty.status_code == 400 and "Write a message first." in empty.content.decode()


def test_withdraw(status_client, queued):
    response = status_client.post(_status(queued), {"action": "withdraw"}, follow=True)
    assert "You withdrew your request." in response.content.decode()
    queued.refresh_from_db()
    assert queued.state == State.WITHDRAWN
    assert "Withdraw this request" not in response.content.decode()


def test_full_login_sets_a_signed_httponly_device_cookie(client, user, password):
    response = client.post(reverse("account_login"), {"login": user.username, "password": password})
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) > 300 * 86400
    key = devices.unsign_device_key(cookie.value)
    device = Device.objects.get(user=user)
    assert device.key_hash == devices.hash_device_key(key) and key not in device.key_hash
    client.logout()  # the test client drops every cookie here; a browser keeps this one
    client.cookies[COOKIE] = cookie.value
    client.post(reverse("account_login"), {"login": user.username, "password": password})
    assert Device.objects.filter(user=user).count() == 1  # the same browser, remembered once


def test_no_device_cookie_until_the_second_factor(client, user_with_2fa):
    from tests.fixtures_mfa import login_with_2fa

    first = client.post(
        reverse("account_login"),
        {"login": user_with_2fa.user.username, "password": user_with_2fa.password},
    )
    assert COOKIE not in first.cookies
    assert not Device.objects.filter(user=user_with_2fa.user).exists()
    client.logout()
    login_with_2fa(client, user_with_2fa)
    assert COOKIE in client.cookies
    assert Device.objects.filter(user=user_with_2fa.user).count() == 1


def test_request_from_a_known_device_gets_the_device_proof(client, owner, password):
    from django.utils import timezone

    client.post(reverse("account_login"), {"login": "alice", "password": password})
    Device.objects.filter(user=owner).update(
        first_seen=timezone.now() - timezone.timedelta(days=30)
    )
    kept = client.cookies[COOKIE].value
    client.logout()  # the test client drops every cookie here; a browser keeps this one
    client.cookies[COOKIE] = kept
    client.post(
        reverse("recovery_request"),
        {
            "username": "alice",
            "lost_2fa": "on",
            "contact_email": "me@contact.example",
            "description": "Lost my phone with the authenticator on it.",
            "agree_coc": "on",
            "acknowledge_time": "on",
        },
    )
    proof = RecoveryProof.objects.get(method="device")
    assert proof.ok and proof.strength == "medium"


def test_device_list_include_and_forget(client, user, password):
    client.post(reverse("account_login"), {"login": user.username, "password": password})
    request = RequestFactory().get("/")
    request.user = user
    request.COOKIES[COOKIE] = client.cookies[COOKIE].value
    context = device_list_context(request)
    html = render_to_string("recovery/includes/devices.html", context | {"csrf_token": "t"})
    assert "This browser" in html and "Forget" in html
    device = Device.objects.get(user=user)
    stranger = UserFactory()
    client.force_login(stranger)
    client.post(reverse("recovery_device_forget", args=[device.pk]))
    assert Device.objects.filter(pk=device.pk).exists()  # not theirs
    client.force_login(user)
    response = client.post(reverse("recovery_device_forget", args=[device.pk]))
    assert response["Location"] == reverse("account_security")
    assert not Device.objects.filter(pk=device.pk).exists()


def test_no_referrer_pages_keep_the_csrf_token_check(queued, db):
    """Browsers POST from a no-referrer page with ``Origin: null``: accepted with the token only."""
    import re as _re

    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    url = status_url(queued)
    client.get(url[url.index("/recovery/") :])
    page = client.get(_status(queued)).content.decode()
    token = _re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    refused = client.post(_status(queued), {"action": "withdraw"}, HTTP_ORIGIN="null")
    assert refused.status_code == 403
    evil = client.post(
        _status(queued),
        {"action": "withdraw", "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://evil.example",
    )
    assert evil.status_code == 403
    accepted = client.post(
        _status(queued), {"action": "withdraw", "csrfmiddlewaretoken": token}, HTTP_ORIGIN="null"
    )
    assert accepted.status_code == 302
    queued.refresh_from_db()
    assert queued.state == State.WITHDRAWN


def test_device_list_section(client, user, password):
    """The security page's device section (registered by recovery through the accounts hook)."""
    from django.template.loader import render_to_string

    from lifeline.recovery.context import device_list_context

    client.post(reverse("account_login"), {"login": user.username, "password": password})
    request = RequestFactory().get("/")
    request.user = user
    request.COOKIES[COOKIE] = client.cookies[COOKIE].value
    html = render_to_string(
        "recovery/includes/devices.html", device_list_context(request), request=request
    )
    assert "Remembered devices" in html and "This browser" in html
