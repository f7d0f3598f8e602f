"""record_event() and the security history page."""

import pytest
from django.db import transaction

from lifeline.core.client import ClientInfo, client_context
from lifeline.events.models import SecurityEvent
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_record_event_takes_ip_and_agent_from_the_current_client(user):
    with client_context(ClientInfo(ip="203.0.113.9", user_agent="Mozilla/5.0 Firefox/130.0")):
        event = record_event(tag=EventTag.PASSWORD_CHANGE, user=user, actor=user)
    assert (event.ip, event.user_agent) == ("203.0.113.9", "Mozilla/5.0 Firefox/130.0")
    assert event.actor == user and event.label == "Password changed"


def test_record_event_refuses_secrets_in_details(user):
    with pytest.raises(ValueError, match="secret-looking"):
        record_event(tag=EventTag.TOKEN_CREATE, user=user, details={"token": "llpi-abc"})
    assert not SecurityEvent.objects.exists()


def test_event_rolls_back_with_the_change(user):
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(tag=EventTag.PASSWORD_CHANGE, user=user)
        raise RuntimeError("the change failed")
    assert not SecurityEvent.objects.exists()


def test_every_tag_follows_source_subject_action():
    for tag in EventTag:
        assert len(tag.value.split(":")) == 3, tag.value


def test_history_shows_only_my_events_newest_first_paginated(client, user):
    other = UserFactory()
    record_event(tag=EventTag.LOGIN_FAILURE, user=other)
    for _ in range(30):
        record_event(tag=EventTag.LOGIN_SUCCESS, user=user)
    record_event(tag=EventTag.PASSWORD_CHANGE, user=user, actor=user)
    client.force_login(user)
    first = client.get("/account/security/history/")
    body = first.content.decode()
    assert first.status_code == 200
    assert body.index("Password changed") < body.index("Signed in")
    assert "Failed sign-in attempt" not in body
    assert len(first.context["page"]) == 25
    second = client.get("/account/security/history/?page=2")
    assert len(second.context["page"]) == 6 + (SecurityEvent.objects.filter(user=user).count() - 31)
    assert client.get("/account/security/history/?page=abc").status_code == 200


def test_history_requires_login(client):
    response = client.get("/account/security/history/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]
