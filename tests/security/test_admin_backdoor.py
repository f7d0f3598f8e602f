"""Attack: a superuser takes over a critical account through the Django admin.

Before the fix a superuser could add their own address to the victim's account, delete its
2FA and let a password reset do the rest: no case, no second person, no cooling-off, and
nothing in the account's security log. Now every security model is read-only in the admin
(a POST is a 403 and nothing changes), the admin stays usable for reading, and a change to
any model that is still writable is a security event and a notice to the account.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.test import RequestFactory

from lifeline.accounts.admin_lockdown import is_security_model
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.notifications.models import EmailLog
from tests.factories import UserFactory
from tests.fixtures_mfa import enter_sudo, make_2fa_account

pytestmark = pytest.mark.django_db

ATTACKER_ADDRESS = "root-owns-you@evil.example"


@pytest.fixture
def victim(db):
    user = UserFactory(username="alice", email="alice@example.com", is_critical=True)
    make_2fa_account(user)
    return user


@pytest.fixture
def superuser_client(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    make_2fa_account(root)
    client.force_login(root)
    enter_sudo(client, root)
    client.root = root
    return client


def test_superuser_cannot_add_an_address_to_the_victim(superuser_client, victim, outbox):
    response = superuser_client.post(
        "/admin/account/emailaddress/add/",
        {"user": victim.pk, "email": ATTACKER_ADDRESS, "verified": "on", "primary": "on"},
    )
    assert response.status_code == 403
    assert not EmailAddress.objects.filter(email=ATTACKER_ADDRESS).exists()


def test_superuser_cannot_change_the_victims_address(superuser_client, victim):
    address = EmailAddress.objects.get(user=victim)
    response = superuser_client.post(
        f"/admin/account/emailaddress/{address.pk}/change/",
        {"user": victim.pk, "email": ATTACKER_ADDRESS, "verified": "on", "primary": "on"},
    )
    assert response.status_code == 403
    address.refresh_from_db()
    assert address.email == "alice@example.com"


def test_superuser_cannot_delete_the_victims_2fa(superuser_client, victim):
    factors = list(Authenticator.objects.filter(user=victim).values_list("pk", flat=True))
    assert factors
    for pk in factors:
        response = superuser_client.post(f"/admin/mfa/authenticator/{pk}/delete/", {"post": "yes"})
        assert response.status_code == 403
    bulk = superuser_client.post(
        "/admin/mfa/authenticator/",
        {"action": "delete_selected", "_selected_action": factors, "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert Authenticator.objects.filter(user=victim).count() == len(factors)


def test_superuser_cannot_grant_a_desk_role_through_groups(superuser_client, victim):
    from django.contrib.auth.models import Group

    group = Group.objects.get_or_create(name="admin")[0]
    response = superuser_client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "x"})
    assert response.status_code == 403
    assert superuser_client.post("/admin/auth/group/add/", {"name": "y"}).status_code == 403
    group.refresh_from_db()
    assert group.name == "admin"


def test_the_admin_is_still_usable_read_only(superuser_client, victim):
    assert superuser_client.get("/admin/").status_code == 200
    listing = superuser_client.get("/admin/account/emailaddress/")
    assert listing.status_code == 200 and "alice@example.com" in listing.content.decode()
    address = EmailAddress.objects.get(user=victim)
    page = superuser_client.get(f"/admin/account/emailaddress/{address.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # a view, not a form
    assert superuser_client.get("/admin/account/emailaddress/add/").status_code == 403
    assert not SecurityEvent.objects.filter(tag=EventTag.STAFF_ADMIN_CHANGE).exists()
    assert victim.emailaddress_set.count() == 1


def test_every_security_model_in_the_admin_is_read_only(superuser_client):
    request = RequestFactory().get("/admin/")
    request.user = superuser_client.root
    security = [m for m in admin.site._registry if is_security_model(m)]
    assert {m._meta.label for m in security} >= {
        "account.EmailAddress",
        "mfa.Authenticator",
        "usersessions.UserSession",
        "auth.Group",
    }
    for model in security:
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
        assert not model_admin.get_actions(request), model


def test_a_registration_made_later_is_locked_too(superuser_client):
    """A future admin.py that registers the user model cannot reopen the back door."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.admin import UserAdmin

    User = get_user_model()
    admin.site.register(User, UserAdmin)
    try:
        request = RequestFactory().get("/admin/")
        request.user = superuser_client.root
        assert not admin.site._registry[User].has_change_permission(request)
        assert not admin.site._registry[User].has_delete_permission(request)
    finally:
        admin.site.unregister(User)


def test_a_change_to_a_writable_model_is_audited_and_told(superuser_client, victim, outbox):
    from lifeline.notifications.services import send_email

    (log,) = send_email(template="account_password_changed", user=victim, context={})
    outbox.clear()
    response = superuser_client.post(
        f"/admin/notifications/emaillog/{log.pk}/change/", {"_save": "Save"}
    )
    assert response.status_code == 302
    event = SecurityEvent.objects.get(tag=EventTag.STAFF_ADMIN_CHANGE)
    assert event.user == victim and event.actor == superuser_client.root
    assert event.details["model"] == "notifications.emaillog"
    assert event.details["action"] == "change"
    notices = [m for m in outbox if "alice@example.com" in m.to]
    assert len(notices) == 1 and "administrator" in notices[0].subject


def test_an_admin_action_is_audited(superuser_client, victim, outbox):
    from lifeline.notifications.services import send_email

    (log,) = send_email(template="account_password_changed", user=victim, context={})
    EmailLog.objects.filter(pk=log.pk).update(status=EmailLog.Status.FAILED)
    superuser_client.post(
        "/admin/notifications/emaillog/", {"action": "retry_now", "_selected_action": [log.pk]}
    )
    event = SecurityEvent.objects.get(tag=EventTag.STAFF_ADMIN_CHANGE)
    assert event.user == victim and event.details["action"] == "action:retry_now"
