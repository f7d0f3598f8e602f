"""OWASP ASVS 5.0, V6 Authentication: the requirements docs/security.md marks "met" that no
other test pinned.

Each test goes through the real login, sign-up and reset pages (allauth, the Lifeline login
backend, Argon2). The ids in each docstring are ASVS 5.0.0 requirement ids.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from freezegun import freeze_time

from lifeline.accounts.checks import breached_passwords_checked_in_production
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.fixtures_mfa import make_2fa_account

pytestmark = pytest.mark.django_db


def attempt(user_login: str, password: str) -> bool:
    """One sign-in from a fresh browser; True when it ends signed in."""
    cache.clear()  # the failed-login limit is tested in test_login_limits.py, not here
    client = Client()
    client.post("/account/login/", {"login": user_login, "password": password})
    return client.get("/account/security/").status_code == 200


def test_the_password_is_checked_exactly_as_typed(db):
    """6.2.8: no truncation, no case folding, no trimming, no Unicode folding."""
    password = "  Ünïcode Passphrase, with spaces & 72+ bytes: " + "x" * 40 + "Z  "
    user = UserFactory()
    user.set_password(password)
    user.save()

    assert attempt(user.username, password)
    for variant in (
        password.strip(),
        password.lower(),
        password.upper(),
        password[:72],
        password[:-1],
        password.replace("Ü", "U"),
        password + " ",
    ):
        assert not attempt(user.username, variant), repr(variant)


@pytest.mark.parametrize(
    "password",
    [
        "purple monkey dishwasher lamp",  # lower case and spaces only
        "пароль для индекса пакетов",  # Cyrillic
        "🔑🐍📦 keys snakes boxes",  # emoji
        "\u00e9t\u00e9 \u00e0 la plage, tr\u00e8s long",  # accents
    ],
)
def test_any_composition_is_accepted(password):
    """6.2.5: no rule asks for upper case, digits or symbols; any characters will do."""
    client = Client()
    response = client.post(
        reverse("account_signup"),
        {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    user = get_user_model().objects.get(username="newcomer")
    assert user.check_password(password)


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.inputs.append(dict(attrs))


def password_inputs(html: str) -> list[dict[str, str | None]]:
    parser = _Inputs()
    parser.feed(html)
    return [i for i in parser.inputs if "password" in (i.get("name") or "")]


def test_password_fields_are_masked_and_let_password_managers_paste(user):
    """6.2.6, 6.2.7: every password input is type=password, and nothing blocks pasting or a
    password manager (no on-paste handler, no autocomplete=off; CSP forbids inline script)."""
    anonymous = Client()
    signed_in = Client()
    signed_in.post("/account/login/", {"login": user.username, "password": DEFAULT_PASSWORD})
    pages = [
        (anonymous, reverse("account_login")),
        (anonymous, reverse("account_signup")),
        (signed_in, reverse("account_change_password")),
        (signed_in, reverse("account_reauthenticate")),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        fields = password_inputs(response.content.decode())
        assert fields, url
        for field in fields:
            assert field.get("type") == "password", (url, field)
            assert not any(k.startswith("on") for k in field), (url, field)
            assert field.get("autocomplete") in {"current-password", "new-password"}, (url, field)


def test_an_old_password_never_expires(db):
    """6.2.10: no periodic rotation. A password set years ago still signs in, straight to the
    account, with no "change your password" detour."""
    with freeze_time("2019-03-01 09:00:00"):
        user = UserFactory()
        user.set_password(DEFAULT_PASSWORD)
        user.save()
    client = Client()
    response = client.post(
        "/account/login/", {"login": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("account_security")
    assert client.get(response.url).status_code == 200


def test_no_default_accounts_exist_or_sign_in(db):
    """6.3.2: a new installation has no accounts at all; the usual defaults sign nobody in."""
    assert get_user_model().objects.count() == 0
    for login, password in [
        ("admin", "admin"),
        ("root", "root"),
        ("administrator", "password"),
        ("sa", ""),
        ("lifeline", "lifeline"),
    ]:
        assert not attempt(login, password)
    assert get_user_model().objects.count() == 0


def reset_link(outbox: list) -> str:
    match = re.search(r"https?://[^/\s]+(/account/password/reset/key/\S+/)", outbox[-1].body)
    assert match, outbox[-1].body
    return match.group(1)


def test_a_password_reset_does_not_bypass_the_second_factor(outbox):
    """6.4.3: whoever reads the owner's mailbox can set a new password, but it signs nothing
    in by itself and the next sign-in still asks for the authenticator code."""
    account = make_2fa_account()
    mailbox_reader = Client(REMOTE_ADDR="203.0.113.9")
    mailbox_reader.post(reverse("account_reset_password"), {"email": account.user.email})
    form_url = mailbox_reader.get(reset_link(outbox)).url
    new = "the-attacker-picked-this-one-2026"

    response = mailbox_reader.post(form_url, {"password1": new, "password2": new})

    assert response.status_code == 302
    assert mailbox_reader.get("/account/security/").status_code != 200
    response = mailbox_reader.post(
        "/account/login/", {"login": account.user.username, "password": new}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_authenticate"))
    assert mailbox_reader.get("/account/security/").status_code != 200
    assert mailbox_reader.get(reverse("token_list")).status_code != 200


def confirmation_link(outbox: list) -> str:
    match = re.search(r"https?://[^/\s]+(/account/confirm-email/\S+/)", outbox[-1].body)
    assert match, outbox[-1].body
    return match.group(1)


def sign_up(client: Client, username: str) -> None:
    response = client.post(
        reverse("account_signup"),
        {
            "username": username,
            "email": f"{username}@example.org",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
        },
    )
    assert response.status_code == 302


def test_an_activation_link_expires_and_signs_nobody_in(outbox):
    """6.4.1: the system-made activation secret (the address confirmation link) is random,
    expires after 3 days, and confirming it does not sign in (it never becomes a password)."""
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with freeze_time(start):
        sign_up(Client(), "late")
        late = confirmation_link(outbox)
        sign_up(Client(), "prompt")
        prompt = confirmation_link(outbox)
    assert late != prompt

    with freeze_time(start + dt.timedelta(days=3, hours=1)):
        Client().post(late)
    assert not EmailAddress.objects.get(email="late@example.org").verified

    with freeze_time(start + dt.timedelta(hours=2)):
        client = Client()
        client.post(prompt)
        assert EmailAddress.objects.get(email="prompt@example.org").verified
        assert client.get("/account/security/").status_code != 200


def test_second_factor_secrets_are_random_and_long(db):
    """6.5.3, 6.5.4: TOTP secrets (160 bits, allauth's ``secrets.token_bytes(20)``) and
    recovery codes (20 digits, from a ``secrets.token_hex(40)`` seed) differ between accounts
    and carry at least the required entropy."""
    accounts = [make_2fa_account() for _ in range(4)]
    secrets_ = {a.secret for a in accounts}
    assert len(secrets_) == 4
    assert all(len(s) * 5 >= 160 for s in secrets_)  # base32: 5 bits a character
    codes = [c for a in accounts for c in a.recovery_codes()]
    assert len(set(codes)) == len(codes) == 40
    assert all(len(c) == 20 and c.isdigit() for c in codes)


def test_a_long_all_digit_password_is_accepted():
    """6.2.5: no composition rule at all, so a long password of digits only is allowed too
    (the common-password list and the breached-password check refuse the weak ones)."""
    password = "4815162342108314159265"
    response = Client().post(
        reverse("account_signup"),
        {
            "username": "digits",
            "email": "digits@example.org",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 302


def _link(outbox: list, pattern: str) -> str:
    for message in reversed(outbox):
        match = re.search(r"https?://[^/\s]+(" + pattern + r")", message.body)
        if match:
            return match.group(1)
    raise AssertionError(f"no {pattern} link in {len(outbox)} emails")


def _emailed_code(outbox: list, address: str) -> str:
    message = [m for m in outbox if m.to == [address]][-1]
    return re.search(r"^(\d{6,8})$", message.body, re.M).group(1)


def test_an_emailed_recovery_code_is_bound_to_its_challenge_and_works_once(outbox):
    """6.6.2, 6.5.1: the recovery email code (an out-of-band code) works only for the latest
    challenge of its own request, and only once. Everything goes through the public pages:
    the request form, the contact confirmation link and the status page."""
    owner = UserFactory(username="alice")
    requester = Client(REMOTE_ADDR="198.51.100.20")
    response = requester.post(
        reverse("recovery_request"),
        {
            "username": owner.username,
            "lost_2fa": "on",
            "lost_recovery_codes": "on",
            "contact_email": "alice.new@contact.example",
            "description": "My phone with the authenticator app was stolen last week.",
            "agree_coc": "on",
            "acknowledge_time": "on",
        },
    )
    assert response.status_code == 302
    requester.post(_link(outbox, r"/recovery/verify/[0-9a-f-]+/[^/\s]+/"))
    status = requester.get(_link(outbox, r"/recovery/status/[0-9a-f-]+/[^/\s]+/")).url
    assert requester.get(status).status_code == 200

    requester.post(status, {"action": "code_send", "address": "0"})
    first = _emailed_code(outbox, owner.email)
    requester.post(status, {"action": "code_send", "address": "0"})
    second = _emailed_code(outbox, owner.email)
    if first == second:  # one chance in 10**8: the test would prove nothing
        pytest.skip("two equal random codes")

    page = requester.post(status, {"action": "code_verify", "code": first}, follow=True)
    assert "Proof succeeded" not in page.content.decode()
    page = requester.post(status, {"action": "code_verify", "code": second}, follow=True)
    assert "Proof succeeded" in page.content.decode()
    page = requester.post(status, {"action": "code_verify", "code": second}, follow=True)
    assert "Proof succeeded" not in page.content.decode()
    assert "Ask for a code first" in page.content.decode()


@pytest.mark.parametrize(
    ("new", "accepted"),
    [
        ("password123", False),  # in the common-password list
        ("qwertyuiop", False),  # in the common-password list
        ("short-pw", False),  # under 10 characters
        ("x" * 4097, False),  # over the 4,096 cap (a hashing DoS guard)
        ("a quiet river bends beneath the old stone bridge at dusk " * 2, True),  # 114
    ],
)
def test_a_password_change_applies_the_same_rules_as_sign_up(user, new, accepted):
    """6.2.1, 6.2.4, 6.2.9: the change form refuses common and short passwords, and takes
    long ones, like sign-up."""
    client = Client()
    client.post("/account/login/", {"login": user.username, "password": DEFAULT_PASSWORD})
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": new, "password2": new},
    )
    user.refresh_from_db()
    assert user.check_password(new) is accepted
    assert (response.status_code == 302) is accepted


@pytest.mark.parametrize(
    ("production", "backend", "warned"),
    [(True, "null", True), (True, "hibp", False), (False, "null", False)],
)
def test_production_warns_when_breached_passwords_are_not_checked(production, backend, warned):
    """6.2.12: the breached-password check is off by default (no internet in development);
    a production site that leaves it off gets the system check warning lifeline.W002."""
    with override_settings(PRODUCTION=production, LIFELINE_BREACHED_PASSWORD_BACKEND=backend):
        ids = [m.id for m in breached_passwords_checked_in_production()]
    assert ids == (["lifeline.W002"] if warned else [])


def test_an_emailed_recovery_code_lives_ten_minutes(outbox):
    """6.5.5: an out-of-band code is refused 10 minutes after it was sent, and the status page
    says so; a new code works until its own 10 minutes are up."""
    owner = UserFactory(username="bob")
    requester = Client(REMOTE_ADDR="198.51.100.21")
    requester.post(
        reverse("recovery_request"),
        {
            "username": owner.username,
            "lost_2fa": "on",
            "lost_recovery_codes": "on",
            "contact_email": "bob.new@contact.example",
            "description": "My phone with the authenticator app was stolen last week.",
            "agree_coc": "on",
            "acknowledge_time": "on",
        },
    )
    requester.post(_link(outbox, r"/recovery/verify/[0-9a-f-]+/[^/\s]+/"))
    status = requester.get(_link(outbox, r"/recovery/status/[0-9a-f-]+/[^/\s]+/")).url
    assert "valid 10 minutes" in requester.get(status).content.decode()
    start = dt.datetime.now(dt.UTC)

    with freeze_time(start):
        requester.post(status, {"action": "code_send", "address": "0"})
    late = _emailed_code(outbox, owner.email)
    with freeze_time(start + dt.timedelta(minutes=10, seconds=5)):
        page = requester.post(status, {"action": "code_verify", "code": late}, follow=True)
        assert "Proof succeeded" not in page.content.decode()
        requester.post(status, {"action": "code_send", "address": "0"})
    fresh = _emailed_code(outbox, owner.email)
    with freeze_time(start + dt.timedelta(minutes=19, seconds=55)):
        page = requester.post(status, {"action": "code_verify", "code": fresh}, follow=True)
    assert "Proof succeeded" in page.content.decode()
