"""The account security page (factors, codes left) and the sessions page."""

from __future__ import annotations

from allauth.usersessions.models import UserSession

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.fixtures_mfa import login_with_2fa


def test_security_page_lists_factors_and_codes_left(client_2fa):
    rc = client_2fa.account.recovery_authenticator
    rc.data["used_mask"] = 0b111
    rc.save()
    body = client_2fa.get("/account/security/").content.decode()
    assert "Authenticator app" in body and "Active" in body
    assert "7 left" in body
    assert "Saved" in body
    assert "/account/security/history/" in body
    assert "/account/security/sessions/" in body


def test_security_page_without_2fa(client_logged_in):
    body = client_logged_in.get("/account/security/").content.decode()
    assert "Not set up" in body
    assert "Two-factor authentication is required" in body


def _two_sessions(client, other_client, account):
    login_with_2fa(client, account)
    login_with_2fa(other_client, account, steps=1)
    assert UserSession.objects.filter(user=account.user).count() == 2


def test_sessions_page_shows_ip_browser_last_seen(client, user_with_2fa):
    login_with_2fa(client, user_with_2fa)
    body = client.get("/account/security/sessions/").content.decode()
    assert "127.0.0.1" in body
    assert "This session" in body
    assert "Last seen" in body
    assert "End this session" in body


def test_end_one_other_session(client, user_with_2fa):
    from django.test import Client

    other = Client()
    _two_sessions(client, other, user_with_2fa)
    theirs = UserSession.objects.get(user=user_with_2fa.user, session_key=other.session.session_key)
    client.post("/account/security/sessions/", {"session": theirs.pk})
    assert other.get("/account/security/").status_code == 302  # signed out
    assert client.get("/account/security/").status_code == 200  # still signed in
    assert SecurityEvent.objects.filter(user=user_with_2fa.user, tag=EventTag.SESSION_END).exists()


def test_end_all_other_sessions(client, user_with_2fa):
    from django.test import Client

    other = Client()
    _two_sessions(client, other, user_with_2fa)
    client.post("/account/security/sessions/", {"action": "end_others"})
    assert other.get("/account/security/").status_code == 302
    assert client.get("/account/security/").status_code == 200
    assert UserSession.objects.filter(user=user_with_2fa.user).count() == 1


def test_end_this_session_signs_out(client, user_with_2fa):
    login_with_2fa(client, user_with_2fa)
    mine = UserSession.objects.get(user=user_with_2fa.user)
    response = client.post("/account/security/sessions/", {"session": mine.pk})
    assert response.status_code == 302
    assert client.get("/account/security/").status_code == 302


def test_cannot_end_someone_elses_session(client, user_with_2fa, other_user):
    from django.test import Client

    theirs_client = Client()
    theirs_client.force_login(other_user)
    theirs_client.get("/account/security/")
    login_with_2fa(client, user_with_2fa)
    theirs = UserSession.objects.filter(user=other_user).first()
    if theirs is not None:
        client.post("/account/security/sessions/", {"session": theirs.pk})
        assert UserSession.objects.filter(pk=theirs.pk).exists()
