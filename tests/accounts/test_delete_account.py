"""Deleting an account needs sudo mode, the username typed back, and no orphaned project."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.index.models import Project, Role
from tests.factories import UserFactory
from tests.fixtures_mfa import enter_sudo

User = get_user_model()
pytestmark = pytest.mark.django_db


def test_requires_sudo_mode(client, user):
    client.force_login(user)
    response = client.get(reverse("account_delete"))
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response["Location"]


def test_wrong_username_is_refused_and_nothing_is_deleted(client, user):
    client.force_login(user)
    enter_sudo(client, user)
    response = client.post(reverse("account_delete"), {"confirm_username": "someone-else"})
    assert response.status_code == 200
    assert "That is not your username." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_sole_owner_cannot_delete_until_someone_else_owns_the_project(client, user):
    project = Project.objects.create(name="Lonely", normalized_name="lonely")
    Role.objects.create(project=project, user=user, role=Role.Kind.OWNER)
    client.force_login(user)
    enter_sudo(client, user)
    response = client.post(reverse("account_delete"), {"confirm_username": user.username})
    assert "only owner of Lonely" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    Role.objects.create(project=project, user=UserFactory(), role=Role.Kind.OWNER)
    response = client.post(reverse("account_delete"), {"confirm_username": user.username})
    assert response.status_code == 302


def test_deletion_emails_every_verified_address_and_is_logged(client, user, outbox):
    client.force_login(user)
    enter_sudo(client, user)
    username = user.username
    response = client.post(reverse("account_delete"), {"confirm_username": username.upper()})
    assert response.status_code == 302 and response["Location"] == "/"
    assert not User.objects.filter(username=username).exists()
    assert [m.to for m in outbox if "was deleted" in m.subject] == [[f"{username}@example.com"]]
    event = SecurityEvent.objects.get(tag=EventTag.ACCOUNT_DELETE)
    assert event.details["username"] == username and event.user is None
    assert "_auth_user_id" not in client.session
