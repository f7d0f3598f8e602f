"""Username rules, as on PyPI: letters, digits, ``.``, ``_`` and ``-``; starting and ending
with a letter or digit; at most 50 characters; unique regardless of case."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

USERNAME_MAX_LENGTH = 50
USERNAME_RE = re.compile(r"^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")


def validate_username(value: str) -> None:
    if not isinstance(value, str) or not USERNAME_RE.fullmatch(value):
        raise ValidationError(
            "Use only letters, digits, '.', '_' and '-', starting and ending with a "
            "letter or digit.",
            code="invalid_username",
        )


username_validators = [validate_username, MaxLengthValidator(USERNAME_MAX_LENGTH)]


def normalize_email(value: str) -> str:
    """Emails are stored and compared trimmed and lowercased, everywhere."""
    return value.strip().lower()
