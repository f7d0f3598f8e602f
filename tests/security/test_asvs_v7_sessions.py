"""OWASP ASVS 5.0, V7 Session Management: the requirements docs/security.md marks "met".

Each test plays the attacker with the Django test client against the real stack (allauth,
the database session store, Argon2): a planted session key, a stolen cookie replayed after
logout, a session left behind by a password change or a deleted account. The ids in each
docstring are the ASVS 5.0.0 requirement ids.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from freezegun import freeze_time

from lifeline.accounts.services import account_delete
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.fixtures_mfa import enter_sudo, login_with_2fa, make_2fa_account

ROOT = Path(__file__).resolve().parents[2]
COOKIE = settings.SESSION_COOKIE_NAME
pytestmark = pytest.mark.django_db


def password_login(client: Client, user, password: str = DEFAULT_PASSWORD):
    response = client.post("/account/login/", {"login": user.username, "password": password})
    assert response.status_code == 302, response.content[:300]
    return response


def signed_in(client: Client) -> bool:
    return client.get("/account/security/").status_code == 200


def stolen(client: Client) -> Client:
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = Client(REMOTE_ADDR="203.0.113.66")
    thief.cookies[COOKIE] = client.cookies[COOKIE].value
    return thief


def test_login_issues_a_new_session_key_and_a_planted_one_stays_anonymous(user):
    """7.2.4: session fixation. The attacker plants a session key in the victim's browser;
    signing in issues a new key, and the planted one never becomes signed in."""
    planted = SessionStore()
    planted["lure"] = "fixation"
    planted.create()
    victim = Client()
    victim.cookies[COOKIE] = planted.session_key

    password_login(victim, user)

    assert victim.cookies[COOKIE].value != planted.session_key
    assert signed_in(victim)
    attacker = Client()
    attacker.cookies[COOKIE] = planted.session_key
    assert not signed_in(attacker)
    assert SESSION_KEY not in SessionStore(session_key=planted.session_key).load()


def test_the_second_factor_step_issues_yet_another_key(db):
    """7.2.4: the key that existed between the password and the code (the half-signed-in
    stage) is not the key of the signed-in session, and it is not signed in."""
    account = make_2fa_account()
    client = Client()
    client.post("/account/login/", {"login": account.user.username, "password": DEFAULT_PASSWORD})
    half_way = client.cookies[COOKIE].value
    assert not signed_in(stolen(client))

    client.post("/account/2fa/authenticate/", {"code": account.code(), "method": "totp"})

    assert signed_in(client)
    assert client.cookies[COOKIE].value != half_way
    replay = Client()
    replay.cookies[COOKIE] = half_way
    assert not signed_in(replay)


def test_a_forged_session_cookie_is_anonymous(user):
    """7.2.1: session cookies are looked up in the server's store; a made-up or altered one
    grants nothing."""
    client = Client()
    password_login(client, user)
    real = client.cookies[COOKIE].value
    for forged in ("a" * 32, real[:-1] + ("0" if real[-1] != "0" else "1"), real.upper(), ""):
        attacker = Client()
        attacker.cookies[COOKIE] = forged
        assert not signed_in(attacker), forged


def test_session_keys_are_long_random_and_unique(user):
    """7.2.2, 7.2.3: a session is a reference token made at sign-in: 32 characters from
    [a-z0-9] (about 165 bits, from Django's ``get_random_string``, which uses ``secrets``),
    never the same twice."""
    keys = set()
    for _ in range(5):
        client = Client()
        password_login(client, user)
        keys.add(client.cookies[COOKIE].value)
        cache.clear()  # allauth's per-IP login limit is not what is tested here
    assert len(keys) == 5
    alphabet = set(string.ascii_lowercase + string.digits)
    for key in keys:
        assert len(key) == 32 and set(key) <= alphabet


def test_logout_ends_the_session_on_the_server(user):
    """7.4.1: after logging out, a copy of the cookie (stolen earlier) is worth nothing."""
    client = Client()
    password_login(client, user)
    thief = stolen(client)
    assert signed_in(thief)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert not signed_in(client)
    assert not signed_in(thief)


def test_a_deleted_account_has_no_session_left(user):
    """7.4.2: deleting an account ends every session it had."""
    first, second = Client(), Client(REMOTE_ADDR="198.51.100.2")
    password_login(first, user)
    password_login(second, user)

    account_delete(user=user)

    assert not signed_in(first)
    assert not signed_in(second)


def test_a_frozen_account_is_signed_out_everywhere_and_cannot_sign_in(user):
    """7.4.2, 7.4.5: a desk admin freezes an account through the desk's account tool; every
    session ends at once and the password no longer signs in."""
    first, second = Client(), Client(REMOTE_ADDR="198.51.100.2")
    password_login(first, user)
    password_login(second, user)
    admin = make_2fa_account(UserFactory(is_staff=True))
    admin.user.groups.add(Group.objects.get_or_create(name="admin")[0])
    desk = Client(REMOTE_ADDR="192.0.2.10")
    desk.force_login(admin.user)
    enter_sudo(desk, admin.user)

    response = desk.post(
        reverse("desk_account_tool", args=[user.username, "freeze"]),
        {"freeze-justification": "The owner reported a takeover; frozen until verified."},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.frozen_at is not None
    assert not signed_in(first)
    assert not signed_in(second)
    cache.clear()
    again = Client()
    again.post("/account/login/", {"login": user.username, "password": DEFAULT_PASSWORD})
    assert not signed_in(again)


def test_a_password_change_signs_out_every_other_session(user):
    """7.4.3: the attacker's session (signed in with the old password) ends when the owner
    changes the password; the owner's own session carries on."""
    owner, attacker = Client(), Client(REMOTE_ADDR="203.0.113.9")
    password_login(owner, user)
    password_login(attacker, user)
    new = "a-brand-new-passphrase-for-2026"

    response = owner.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": new, "password2": new},
    )

    assert response.status_code == 302
    assert signed_in(owner)
    assert not signed_in(attacker)


def test_a_password_reset_signs_out_every_session(user, outbox):
    """7.4.3: a password reset (the owner's way back when someone else is in) ends every
    session that used the old password, and does not sign anyone in by itself."""
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    password_login(attacker, user)
    owner = Client()
    owner.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://\S+/account/password/reset/key/\S+/", outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_url = owner.get("/" + path).url
    new = "a-brand-new-passphrase-for-2026"

    response = owner.post(form_url, {"password1": new, "password2": new})

    assert response.status_code == 302
    assert not signed_in(attacker)
    assert not signed_in(owner)


def test_every_signed_in_page_offers_log_out(db):
    """7.4.4: logging out is one visible button on every page a signed-in user sees."""
    account = make_2fa_account()
    client = Client()
    login_with_2fa(client, account)
    logout = f'action="{reverse("account_logout")}"'
    pages = [
        "account_security",
        "account_sessions",
        "mfa_index",
        "token_list",
        "manage_projects",
        "security_history",
        "project_list",
        "home",
    ]
    for name in pages:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert logout in response.content.decode(), name


def test_the_sessions_page_lists_and_ends_the_attackers_session(user):
    """7.5.2 (viewing and ending): the owner sees the other session with its IP and ends it."""
    owner, attacker = Client(), Client(REMOTE_ADDR="203.0.113.9")
    password_login(owner, user)
    password_login(attacker, user)
    page = owner.get(reverse("account_sessions")).content.decode()
    assert "203.0.113.9" in page

    owner.post(reverse("account_sessions"), {"action": "end_others"})

    assert signed_in(owner)
    assert not signed_in(attacker)


PRODUCTION_FLAGS = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,
                  s.CSRF_COOKIE_SECURE, s.SESSION_ENGINE, s.SESSION_COOKIE_AGE]))
"""


def test_production_session_cookie_is_secure_httponly_samesite(user, tmp_path):
    """V3.3.1/3.3.2/3.3.4 (cookie setup, asked for with V7): the production settings mark the
    session cookie Secure, HttpOnly and SameSite=Lax, and a real sign-in sends it so."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lifeline.settings",
        "LIFELINE_PRODUCTION": "1",
        "SECRET_KEY": "x" * 60,
        "LIFELINE_ENCRYPTION_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
        "LIFELINE_BASE_URL": "https://index.example.org",
        "LIFELINE_SUPPORT_EMAIL": "support@example.org",
        "LIFELINE_VAR_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", PRODUCTION_FLAGS],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    secure, httponly, samesite, csrf_secure, engine, age = __import__("json").loads(
        out.stdout.strip().splitlines()[-1]
    )
    assert (secure, httponly, samesite, csrf_secure) == (True, True, "Lax", True)
    assert engine == "django.contrib.sessions.backends.db"

    with override_settings(SESSION_COOKIE_SECURE=secure, CSRF_COOKIE_SECURE=csrf_secure):
        response = password_login(Client(), user)
    morsel = response.cookies[COOKIE]
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    # No "remember me": the cookie ends with the browser; the server-side record still
    # expires after SESSION_COOKIE_AGE (docs/security.md, V7.3).
    assert morsel["max-age"] == ""
    assert age == 14 * 24 * 3600


# --- Closed gaps: re-authentication rotates the key (7.2.4), lifetimes (7.3.1, 7.3.2).


def test_re_authentication_issues_a_new_session_key(user):
    """7.2.4 "including re-authentication": entering sudo mode should rotate the key, so a
    key copied before it cannot ride the fresh sudo window."""
    client = Client()
    password_login(client, user)
    before = client.cookies[COOKIE].value

    response = client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert client.cookies[COOKIE].value != before


def test_a_session_ends_at_its_absolute_lifetime_however_active(user):
    """7.3.2: a session signed in 20 days ago is over, even if it re-authenticated on day 13:
    sudo mode and session writes never move the 14 days counted from the sign-in."""
    client = Client()
    start = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    with freeze_time(start):
        password_login(client, user)
    with freeze_time(start + dt.timedelta(days=13)):
        client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    with freeze_time(start + dt.timedelta(days=20)):
        assert not signed_in(client)


def test_an_idle_session_ends_after_a_day(user):
    """7.3.1: a session nobody used for two days is over (the inactivity timeout is 12
    hours, lifeline/accounts/session_limits.py)."""
    client = Client()
    start = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    with freeze_time(start):
        password_login(client, user)
    with freeze_time(start + dt.timedelta(days=2)):
        assert not signed_in(client)


def sudo_page_opens(client: Client) -> bool:
    """Regenerating recovery codes needs sudo mode (a recent re-authentication)."""
    return client.get("/account/2fa/recovery-codes/generate/").status_code == 200


def test_a_key_copied_before_sudo_mode_is_dead_and_never_carries_it(db):
    """7.2.4: someone copies the session key (a shared computer, a planted cookie); the owner
    then enters sudo mode with the password. The copied key is gone from the store, so it
    reaches neither the account nor the fresh sudo window; the owner's new key has both, and
    the sessions page still lists it as this session."""
    account = make_2fa_account()
    owner = Client()
    login_with_2fa(owner, account)
    thief = stolen(owner)
    copied = owner.cookies[COOKIE].value
    assert not sudo_page_opens(owner)

    response = owner.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert owner.cookies[COOKIE].value != copied
    assert sudo_page_opens(owner)
    assert not signed_in(thief)
    assert not sudo_page_opens(thief)
    assert not SessionStore().exists(copied)
    assert list(
        UserSession.objects.filter(user=account.user).values_list("session_key", flat=True)
    ) == [owner.cookies[COOKIE].value]


def test_sudo_mode_by_authenticator_code_issues_a_new_key_too(db):
    """7.2.4: re-authenticating with the second factor (here a TOTP code; security keys and
    recovery codes go through the same allauth step) rotates the key as the password does."""
    account = make_2fa_account()
    client = Client()
    login_with_2fa(client, account)
    before = client.cookies[COOKIE].value

    response = client.post("/account/2fa/reauthenticate/", {"code": account.code(1)})

    assert response.status_code == 302
    assert client.cookies[COOKIE].value != before
    assert sudo_page_opens(client)
    replay = Client()
    replay.cookies[COOKIE] = before
    assert not signed_in(replay)


def test_staff_end_every_session_of_one_account_without_freezing_it(user, outbox):
    """7.4.5: ``lifeline end_sessions <username>`` signs the account out everywhere (tracked
    sessions and any other), records who and why, and emails the owner a security notice;
    the account is not frozen, so its owner signs in again as usual."""
    first, second = Client(), Client(REMOTE_ADDR="198.51.100.2")
    password_login(first, user)
    password_login(second, user)
    other = UserFactory()
    bystander = Client(REMOTE_ADDR="198.51.100.3")
    password_login(bystander, other)
    outbox.clear()

    call_command("end_sessions", user.username.upper(), reason="Token leaked in a public CI log.")

    assert not signed_in(first)
    assert not signed_in(second)
    assert signed_in(bystander)
    event = SecurityEvent.objects.get(user=user, tag=EventTag.STAFF_END_SESSIONS)
    assert event.details == {
        "justification": "Token leaked in a public CI log.",
        "sessions_ended": 2,
    }
    [notice] = [m for m in outbox if m.to == [user.email]]
    assert "signed out" in notice.subject
    assert "Token leaked" not in notice.body  # the staff's reason stays internal
    user.refresh_from_db()
    assert user.frozen_at is None
    cache.clear()
    password_login(Client(), user)


def test_staff_end_every_session_of_every_account_in_an_incident(user):
    """7.4.5 (all users): ``lifeline end_sessions --all`` signs everyone out at once."""
    other = UserFactory()
    first, second = Client(), Client(REMOTE_ADDR="198.51.100.2")
    password_login(first, user)
    password_login(second, other)

    call_command("end_sessions", "--all", reason="Session store copied by an attacker.")

    assert not signed_in(first)
    assert not signed_in(second)
    event = SecurityEvent.objects.get(tag=EventTag.STAFF_END_SESSIONS)
    assert event.user is None and event.details["all_accounts"] is True
    with pytest.raises(CommandError):
        call_command("end_sessions", user.username, "--all", reason="both")
    with pytest.raises(CommandError):
        call_command("end_sessions", "nobody-has-this-name", reason="typo")
