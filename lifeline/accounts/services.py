"""Account services (never take a request)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from lifeline.accounts.validators import normalize_email, validate_username
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag


def user_create(
    *,
    username: str,
    email: str,
    password: str,
    verified: bool = False,
    staff: bool = False,
    validate_password: bool = True,
):
    """Create an account with one (optionally verified) primary address.

    Raises ValidationError with a clear message on a bad or taken username or email.
    """
    User = get_user_model()
    email = normalize_email(email)
    validate_username(username)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("That username is taken.")
    if EmailAddress.objects.filter(email__iexact=email).exists():
        raise ValidationError("That email address is already used by an account.")
    user = User(username=username, email=email, is_staff=staff)
    if validate_password:
        password_validation.validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
        record_event(tag=EventTag.ACCOUNT_CREATED, user=user, details={"via": "cli"})
    return user
