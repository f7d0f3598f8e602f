"""Sign-up, login, password and email management: events and emails each flow produces."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.http import base36_to_int

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.notifications.models import EmailLog
from tests.factories import DEFAULT_PASSWORD, UserFactory

User = get_user_model()
pytestmark = pytest.mark.django_db


def tags_for(user) -> list[str]:
    return list(SecurityEvent.objects.filter(user=user).values_list("tag", flat=True))


def signup(client, **overrides):
    data = {
        "username": "newbie",
        "email": "Newbie@Example.com",
        "password1": "a-perfectly-fine-password-1",
        "password2": "a-perfectly-fine-password-1",
    }
    data.update(overrides)
    return client.post(reverse("account_signup"), data)


def test_signup_sends_verification_and_records_event(client, outbox):
    response = signup(client)
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    address = EmailAddress.objects.get(user=user)
    assert address.email == "newbie@example.com" and not address.verified
    assert EventTag.ACCOUNT_CREATED in tags_for(user)
    assert len(outbox) == 1 and outbox[0].to == ["newbie@example.com"]
    assert "/account/confirm-email/" in outbox[0].body
    assert "never ask for your password" in outbox[0].body
    log = EmailLog.objects.get(to="newbie@example.com")
    assert log.template == "account_email_confirmation_signup"
    assert log.status == EmailLog.Status.SENT and log.payload == ""


def test_signup_confirm_then_login_by_username_or_email(client, outbox):
    signup(client)
    link = re.search(r"http://\S+/account/confirm-email/(\S+)/", outbox[0].body)
    client.post(reverse("account_confirm_email", args=[link.group(1)]))
    user = User.objects.get(username="newbie")
    assert EmailAddress.objects.get(user=user).verified
    assert EventTag.EMAIL_VERIFY in tags_for(user)
    for login in ("NEWBIE", "newbie@example.com"):
        client.logout()
        response = client.post(
            reverse("account_login"),
            {"login": login, "password": "a-perfectly-fine-password-1"},
        )
        assert response.status_code == 302, login
    assert tags_for(user).count(EventTag.LOGIN_SUCCESS) == 2


def test_signup_rejects_taken_username_in_any_case(client):
    UserFactory(username="Taken")
    response = signup(client, username="taken")
    assert response.status_code == 200
    assert "username" in response.context["form"].errors


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password123", "too common"),
        ("short", "too short"),
        ("x" * 4097, "too long"),
    ],
)
def test_signup_password_rules(client, password, message):
    response = signup(client, password1=password, password2=password)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["password1"])


def test_long_passwords_up_to_4096_work(client):
    long_password = "Ab1-" * 1024
    assert len(long_password) == 4096
    response = signup(client, password1=long_password, password2=long_password)
    assert response.status_code == 302
    assert User.objects.get(username="newbie").check_password(long_password)


def test_failed_login_is_logged_on_the_targeted_account(client, user):
    response = client.post(reverse("account_login"), {"login": user.username, "password": "nope"})
    assert response.status_code == 200
    assert EventTag.LOGIN_FAILURE in tags_for(user)


def test_password_reset_only_goes_to_verified_addresses(client, outbox):
    verified = UserFactory(email="ok@example.com")
    UserFactory(email="unverified@example.com", verified_email=False)
    responses = []
    for email in ("ok@example.com", "unverified@example.com", "nobody@example.com"):
        responses.append(client.post(reverse("account_reset_password"), {"email": email}))
    assert [len(outbox)] == [1]
    assert outbox[0].to == ["ok@example.com"]
    assert "/account/password/reset/key/" in outbox[0].body
    # Same response whatever the address: no enumeration.
    assert {r.status_code for r in responses} == {302}
    assert len({r["Location"] for r in responses}) == 1
    # The link resets the verified address's own account, not another one.
    uid = re.search(r"/account/password/reset/key/([0-9a-z]+)-", outbox[0].body).group(1)
    assert base36_to_int(uid) == verified.pk


def test_password_reset_completes_and_notifies(client, user, outbox):
    client.post(reverse("account_reset_password"), {"email": user.email})
    url = re.search(r"http://\S+(/account/password/reset/key/\S+/)", outbox[0].body).group(1)
    response = client.get(url, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else url
    response = client.post(
        form_url, {"password1": "brand-new-password-77", "password2": "brand-new-password-77"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-password-77")
    assert EventTag.PASSWORD_RESET in tags_for(user)
    assert any("was reset" in m.subject for m in outbox)


def test_password_change_notifies_every_verified_address(client, user, outbox):
    EmailAddress.objects.create(user=user, email="second@example.com", verified=True)
    EmailAddress.objects.create(user=user, email="pending@example.com", verified=False)
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": "another-good-password-5",
            "password2": "another-good-password-5",
        },
    )
    assert response.status_code == 302
    assert EventTag.PASSWORD_CHANGE in tags_for(user)
    notified = sorted(m.to[0] for m in outbox if "password was changed" in m.subject)
    assert notified == sorted([user.email, "second@example.com"])


def reauthenticate(client):
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})


def test_email_add_verify_primary_remove_are_logged(client, user, outbox):
    client.force_login(user)
    reauthenticate(client)
    client.post(reverse("account_email"), {"action_add": "", "email": "New@Example.com"})
    address = EmailAddress.objects.get(user=user, email="new@example.com")
    assert EventTag.EMAIL_ADD in tags_for(user)
    key = re.search(r"/account/confirm-email/(\S+)/", outbox[-1].body).group(1)
    client.post(reverse("account_confirm_email", args=[key]))
    address.refresh_from_db()
    assert address.verified
    client.post(reverse("account_email"), {"action_primary": "", "email": "new@example.com"})
    assert EmailAddress.objects.get(user=user, primary=True).email == "new@example.com"
    client.post(reverse("account_email"), {"action_remove": "", "email": user.email})
    assert not EmailAddress.objects.filter(email=user.email).exists()
    assert {
        EventTag.EMAIL_ADD,
        EventTag.EMAIL_VERIFY,
        EventTag.EMAIL_PRIMARY,
        EventTag.EMAIL_REMOVE,
    } <= set(tags_for(user))


def test_last_verified_address_cannot_be_removed(client, user):
    EmailAddress.objects.create(user=user, email="pending@example.com", verified=False)
    EmailAddress.objects.filter(user=user, email=user.email).update(primary=False)
    client.force_login(user)
    reauthenticate(client)
    client.post(reverse("account_email"), {"action_remove": "", "email": user.email})
    assert EmailAddress.objects.filter(email=user.email, verified=True).exists()
    client.post(reverse("account_email"), {"action_remove": "", "email": "pending@example.com"})
    assert not EmailAddress.objects.filter(email="pending@example.com").exists()
