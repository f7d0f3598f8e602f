"""OWASP ASVS 5.0, V8 Authorization: field-level access (8.2.3), the one "met" requirement of
the chapter that no other test pinned.

Mass assignment: a form that saves a model must take only the fields it shows. The attacker
adds privilege fields to real POSTs and checks nothing else changed.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD
from tests.fixtures_mfa import enter_sudo

pytestmark = pytest.mark.django_db

PRIVILEGES = {
    "is_staff": "on",
    "is_superuser": "on",
    "is_active": "on",
    "is_critical": "on",
    "session_epoch": "99",
    "frozen_at": "",
    "groups": "1",
    "verified": "on",
    "primary": "on",
}


def test_sign_up_ignores_privilege_fields():
    """8.2.3: sign-up takes username, address and password, nothing else."""
    response = Client().post(
        reverse("account_signup"),
        {
            "username": "mallory",
            "email": "mallory@example.org",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
            **PRIVILEGES,
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="mallory")
    assert not user.is_staff and not user.is_superuser and not user.is_critical
    assert user.session_epoch == 0
    assert not user.groups.exists()
    assert not EmailAddress.objects.get(email="mallory@example.org").verified


def test_adding_an_address_cannot_mark_it_verified(user):
    """8.2.3: the address form takes the address; "verified" and "primary" are the server's
    to set (after the emailed link is followed)."""
    client = Client()
    client.force_login(user)
    enter_sudo(client, user)

    response = client.post(
        reverse("account_email"),
        {"action_add": "", "email": "victim-domain@example.net", **PRIVILEGES},
    )

    assert response.status_code in {200, 302}
    added = EmailAddress.objects.get(email="victim-domain@example.net")
    assert added.user == user
    assert not added.verified
    assert not added.primary
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
