"""The "This wasn't me" page every security notice links to."""

import re

import pytest
from django.urls import reverse

from lifeline.notifications.services import send_email

pytestmark = pytest.mark.django_db


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_it_works_logged_out_and_says_what_to_do(client, settings):
    settings.LIFELINE_SUPPORT_EMAIL = "help@example.org"
    response = client.get("/account/not-me/")
    assert response.status_code == 200
    html = response.content.decode()
    links = _links(html)
    assert reverse("account_login") in links  # 1. sign in, then change the password ...
    assert reverse("account_change_password") in links
    assert reverse("account_sessions") in links
    assert reverse("mfa_index") in links
    assert reverse("account_reset_password") in links  # 2. ... or reset it by email
    assert reverse("recovery_start") in links  # 3. ... or file a recovery request
    assert "mailto:help@example.org" in links  # ... or write to support
    assert html.count("<h1") == 1
    # Everything it links to is a real page, reachable from here.
    for link in links - {"mailto:help@example.org"}:
        if link.startswith("/") and not link.startswith("/static/"):
            assert client.get(link).status_code in (200, 302), link


def test_signed_in_it_skips_the_sign_in_step(client_logged_in):
    html = client_logged_in.get("/account/not-me/").content.decode()
    assert reverse("account_change_password") in html
    assert f'href="{reverse("account_login")}"' not in html


def test_it_changes_nothing(client):
    assert client.post("/account/not-me/").status_code == 405


def test_the_link_in_a_notice_is_this_page(client, user, outbox, settings):
    settings.LIFELINE_BASE_URL = "https://pypi.example.org"
    send_email(template="account_password_changed", user=user)
    (link,) = set(re.findall(r"https://pypi\.example\.org(/account/not-me/)", outbox[0].body))
    assert client.get(link).status_code == 200
