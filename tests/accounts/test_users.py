"""The user model's rules: PyPI usernames, unique without case, emails normalised."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lifeline.accounts.services import user_create
from lifeline.accounts.validators import validate_username

User = get_user_model()


@pytest.mark.parametrize("name", ["a", "A1", "foo.bar", "foo_bar-baz", "x" * 50, "9lives"])
def test_valid_usernames(name):
    validate_username(name)


@pytest.mark.parametrize(
    "name", ["", "-foo", "foo-", ".foo", "foo_", "foo bar", "föö", "foo/bar", "a@b", "foo\n"]
)
def test_invalid_usernames(name):
    with pytest.raises(ValidationError):
        validate_username(name)


def test_username_longer_than_50_is_refused(db):
    with pytest.raises(ValidationError):
        User(username="x" * 51, email="x@example.com").full_clean()


def test_usernames_are_unique_regardless_of_case(db):
    User.objects.create(username="Alice")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="alice")


def test_natural_key_lookup_ignores_case(db):
    user = User.objects.create(username="MixedCase")
    assert User.objects.get_by_natural_key("mixedcase") == user


def test_user_create_normalises_email_and_refuses_duplicates(db):
    user = user_create(
        username="Carol", email="  Carol@Example.COM ", password="x-long-enough-pass-1"
    )
    assert EmailAddress.objects.get(user=user).email == "carol@example.com"
    with pytest.raises(ValidationError, match="username is taken"):
        user_create(username="carol", email="other@example.com", password="x-long-enough-pass-1")
    with pytest.raises(ValidationError, match="already used"):
        user_create(username="dave", email="CAROL@example.com", password="x-long-enough-pass-1")
