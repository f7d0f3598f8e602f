"""Account services other apps use instead of writing allauth or account rows themselves."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group

from lifeline.accounts.services import access, addresses, sole_owner_projects
from lifeline.index.models import Project, Role
from tests.factories import UserFactory


def test_make_verified_primary_adds_the_address_and_keeps_the_others(db):
    user = UserFactory(email="old@example.com")
    assert addresses.verified_addresses(user) == ["old@example.com"]
    stored = addresses.make_verified_primary(user, "new@example.org")
    user.save(update_fields=["email"])
    assert stored == "new@example.org" and user.email == "new@example.org"
    rows = {e.email: (e.verified, e.primary) for e in EmailAddress.objects.filter(user=user)}
    assert rows == {"old@example.com": (True, False), "new@example.org": (True, True)}
    other = UserFactory()
    assert addresses.verified_elsewhere("NEW@example.org", other)
    assert not addresses.verified_elsewhere("new@example.org", user)


def test_freeze_unfreeze_critical_and_unusable_password(db):
    user = UserFactory()
    access.freeze(user, reason="x" * 600)
    user.refresh_from_db()
    assert user.is_frozen and len(user.frozen_reason) == 500
    access.unfreeze(user)
    access.set_critical(user, True)
    access.make_password_unusable(user)
    user.refresh_from_db()
    assert not user.is_frozen and user.frozen_reason == ""
    assert user.is_critical and not user.has_usable_password()
    assert access.password_reset_path(user).startswith("/account/password/reset/key/")


def test_clear_second_factors_removes_every_method(db):
    user = UserFactory()
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={})
    assert access.clear_second_factors(user) == ["recovery_codes", "totp"]
    assert not Authenticator.objects.filter(user=user).exists()


def test_role_groups_set_one_role_and_staff(db):
    user = UserFactory()
    access.set_role_groups(user, role="support", managed=("support", "admin"))
    assert set(user.groups.values_list("name", flat=True)) == {"support"} and user.is_staff
    access.set_role_groups(user, role="admin", managed=("support", "admin"))
    assert set(user.groups.values_list("name", flat=True)) == {"admin"}
    access.set_role_groups(user, role="", managed=("support", "admin"))
    user.refresh_from_db()
    assert not user.groups.exists() and not user.is_staff
    assert Group.objects.filter(name="support").exists()


def test_the_index_tells_accounts_which_projects_a_deletion_would_orphan(db):
    alone, shared = UserFactory(), UserFactory()
    co_owner = UserFactory()
    solo = Project.objects.create(name="solo", normalized_name="solo")
    duo = Project.objects.create(name="duo", normalized_name="duo")
    Role.objects.create(project=solo, user=alone, role=Role.Kind.OWNER)
    Role.objects.create(project=duo, user=alone, role=Role.Kind.OWNER)
    Role.objects.create(project=duo, user=co_owner, role=Role.Kind.OWNER)
    Role.objects.create(project=solo, user=shared, role=Role.Kind.MAINTAINER)
    assert sole_owner_projects(alone) == ["solo"]
    assert sole_owner_projects(shared) == []
