"""Recovery contacts (issue 13, item 5): the lifecycle, the limit, no enumeration, the
notifications and the events, through the services and the real pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lifeline.checkup.contacts import contacts_for, invitations_for, named_by
from lifeline.checkup.contacts_models import RecoveryContact
from lifeline.checkup.contacts_services import (
    ContactError,
    contact_accept,
    contact_decline,
    contact_invite,
    contact_remove,
)
from lifeline.events.display import describe
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.factories import UserFactory
from tests.fixtures_mfa import enter_sudo

pytestmark = pytest.mark.django_db


def tags(user) -> list[str]:
    return list(
        SecurityEvent.objects.filter(user=user).order_by("id").values_list("tag", flat=True)
    )


@pytest.fixture
def owner(db):
    return UserFactory(username="alice")


@pytest.fixture
def friend(db):
    return UserFactory(username="bob")


def test_invite_accept_both_sides_told_and_recorded(owner, friend, outbox):
    row = contact_invite(owner=owner, username="BOB")
    (invitation,) = outbox
    assert invitation.to == ["bob@example.com"]
    assert "alice asked you to be a recovery contact" in invitation.subject
    assert reverse("recovery_contacts") in invitation.body
    assert list(contacts_for(owner)) == []  # not before they accept
    assert [r.pk for r in invitations_for(friend)] == [row.pk]

    contact_accept(contact=friend, link_id=row.pk)

    (accepted,) = contacts_for(owner)
    assert accepted.contact == friend and accepted.accepted_at is not None
    to_owner, to_friend = outbox[1:]
    assert to_owner.to == ["alice@example.com"]
    assert to_owner.subject == "bob is now your recovery contact on Lifeline"
    assert to_friend.subject == "You are now a recovery contact of alice on Lifeline"
    assert "This wasn't me?" in to_owner.body  # a security notice
    assert tags(owner) == [EventTag.CONTACT_INVITE, EventTag.CONTACT_ACCEPT]
    assert tags(friend) == [EventTag.CONTACT_INVITE, EventTag.CONTACT_ACCEPT]
    event = SecurityEvent.objects.filter(user=owner, tag=EventTag.CONTACT_ACCEPT).get()
    assert event.actor == friend
    assert describe(event) == "Recovery contact accepted: bob"


def test_decline_tells_the_owner_and_removes_the_invitation(owner, friend, outbox):
    row = contact_invite(owner=owner, username="bob")
    contact_decline(contact=friend, link_id=row.pk)
    assert not RecoveryContact.objects.exists()
    assert outbox[-1].to == ["alice@example.com"]
    assert outbox[-1].subject == "bob declined to be your recovery contact"
    assert tags(owner)[-1] == EventTag.CONTACT_DECLINE
    assert tags(friend)[-1] == EventTag.CONTACT_DECLINE
    with pytest.raises(ContactError):
        contact_accept(contact=friend, link_id=row.pk)


@pytest.mark.parametrize("remover", ["owner", "contact"])
def test_either_side_removes_an_accepted_link_and_both_are_told(owner, friend, outbox, remover):
    row = contact_invite(owner=owner, username="bob")
    contact_accept(contact=friend, link_id=row.pk)
    outbox.clear()
    contact_remove(actor=owner if remover == "owner" else friend, link_id=row.pk)

    assert list(contacts_for(owner)) == []
    assert sorted(m.to[0] for m in outbox) == ["alice@example.com", "bob@example.com"]
    to_owner = next(m for m in outbox if m.to == ["alice@example.com"])
    assert to_owner.subject == "bob is no longer your recovery contact"
    expected = "you removed them" if remover == "owner" else "they removed themselves"
    assert expected in to_owner.body
    removal = SecurityEvent.objects.get(user=owner, tag=EventTag.CONTACT_REMOVE)
    assert removal.details["by"] == remover
    assert SecurityEvent.objects.filter(user=friend, tag=EventTag.CONTACT_REMOVE).exists()


def test_strangers_cannot_remove_or_accept(owner, friend):
    row = contact_invite(owner=owner, username="bob")
    stranger = UserFactory()
    with pytest.raises(ContactError):
        contact_remove(actor=stranger, link_id=row.pk)
    with pytest.raises(ContactError):
        contact_accept(contact=stranger, link_id=row.pk)
    with pytest.raises(ContactError):  # the invitee can decline, not "remove" a pending row
        contact_remove(actor=friend, link_id=row.pk)
    assert RecoveryContact.objects.filter(pk=row.pk, status="pending").exists()


def test_at_most_three_invitations_included(owner):
    for name in ("c1", "c2", "c3"):
        UserFactory(username=name)
        contact_invite(owner=owner, username=name)
    UserFactory(username="c4")
    with pytest.raises(ContactError, match="up to 3"):
        contact_invite(owner=owner, username="c4")
    assert len(named_by(owner)) == 3


def test_no_self_and_no_repeat(owner, friend):
    with pytest.raises(ContactError, match="own recovery contact"):
        contact_invite(owner=owner, username="Alice")
    contact_invite(owner=owner, username="bob")
    with pytest.raises(ContactError, match="already asked"):
        contact_invite(owner=owner, username="Bob")


def test_an_unknown_username_behaves_exactly_like_a_real_one_for_the_owner(owner, outbox):
    """Same rows, same limit, same events for the owner: only the invitee's mailbox differs."""
    UserFactory(username="real")
    frozen = UserFactory(username="frozen")
    frozen.frozen_at = timezone.now()
    frozen.save()
    real = contact_invite(owner=owner, username="real")
    ghost = contact_invite(owner=owner, username="ghost")
    cold = contact_invite(owner=owner, username="frozen")

    assert [r.status for r in (real, ghost, cold)] == ["pending"] * 3
    assert ghost.contact is None and cold.contact is None
    assert [r.invited_username for r in named_by(owner)] == ["real", "ghost", "frozen"]
    with pytest.raises(ContactError, match="up to 3"):  # the limit counts them all
        contact_invite(owner=owner, username="another")
    assert [m.to for m in outbox] == [["real@example.com"]]
    owner_events = SecurityEvent.objects.filter(user=owner, tag=EventTag.CONTACT_INVITE)
    assert sorted(e.details["username"] for e in owner_events) == ["frozen", "ghost", "real"]
    assert all(set(e.details) == {"username"} for e in owner_events)
    # A later account with that name never inherits the invitation.
    later = UserFactory(username="ghost")
    assert invitations_for(later) == []
    with pytest.raises(ContactError):
        contact_accept(contact=later, link_id=ghost.pk)


def test_invitations_lapse_and_free_their_place(owner, friend):
    row = contact_invite(owner=owner, username="bob")
    RecoveryContact.objects.filter(pk=row.pk).update(invited_at=timezone.now() - timedelta(days=15))
    assert invitations_for(friend) == []
    assert named_by(owner) == []
    with pytest.raises(ContactError):
        contact_accept(contact=friend, link_id=row.pk)
    contact_invite(owner=owner, username="bob")  # asking again is allowed


def test_invitations_are_rate_limited(owner):
    for i in range(5):
        row = contact_invite(owner=owner, username=f"nobody{i}")
        contact_remove(actor=owner, link_id=row.pk)
    with pytest.raises(ContactError, match="too many invitations"):
        contact_invite(owner=owner, username="nobody5")


# --- pages -------------------------------------------------------------------------------


def test_adding_needs_sudo_mode(client, owner):
    client.force_login(owner)
    response = client.get(reverse("recovery_contact_add"))
    assert response.status_code == 302 and "/reauthenticate/" in response["Location"]
    response = client.post(reverse("recovery_contact_add"), {"username": "bob"})
    assert response.status_code == 302 and "/reauthenticate/" in response["Location"]
    assert not RecoveryContact.objects.exists()


def test_the_page_answers_the_same_for_a_real_and_an_unknown_username(client, owner, friend):
    client.force_login(owner)
    enter_sudo(client, owner)
    answers = []
    for name in ("bob", "nosuchuser"):
        response = client.post(reverse("recovery_contact_add"), {"username": name}, follow=True)
        page = response.content.decode().replace(name, "NAME")
        answers.append((response.status_code, response.redirect_chain, page.count("NAME")))
        assert f"Invitation to {name} recorded" in response.content.decode()
    assert answers[0] == answers[1]


def test_the_full_lifecycle_through_the_pages(client, owner, friend, outbox):
    client.force_login(owner)
    enter_sudo(client, owner)
    client.post(reverse("recovery_contact_add"), {"username": "bob"})
    row = RecoveryContact.objects.get()

    client.force_login(friend)
    page = client.get(reverse("home")).content.decode()
    assert "alice asked you to be one of their recovery contacts" in page  # the banner
    page = client.get(reverse("recovery_contacts")).content.decode()
    assert "Invitations for you" in page
    client.post(reverse("recovery_contact_answer", args=[row.pk]), {"answer": "accept"})
    page = client.get(reverse("recovery_contacts")).content.decode()
    assert "You are a recovery contact of" in page and "alice" in page

    client.force_login(owner)
    page = client.get(reverse("recovery_contacts")).content.decode()
    assert "Accepted" in page and "Remove bob" in page
    client.post(reverse("recovery_contact_remove", args=[row.pk]))
    assert list(contacts_for(owner)) == []


def test_one_user_cannot_answer_for_another(client, owner, friend):
    row = contact_invite(owner=owner, username="bob")
    client.force_login(UserFactory())
    client.post(reverse("recovery_contact_answer", args=[row.pk]), {"answer": "accept"})
    assert RecoveryContact.objects.get(pk=row.pk).status == "pending"
