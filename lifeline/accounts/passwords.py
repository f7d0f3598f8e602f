"""Password validators: a length ceiling and a pluggable breached-password check.

The breached-password check sits behind a small Protocol with a Null default. The HIBP
backend uses the k-anonymity range API: only the first five hex digits of the SHA-1 leave
the machine, never the password or its full hash.
"""

from __future__ import annotations

import hashlib
import logging
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

PASSWORD_MAX_LENGTH = 4096


class MaximumLengthValidator:
    """Passwords up to 4096 characters; longer is refused (hashing cost, not entropy)."""

    def __init__(self, max_length: int = PASSWORD_MAX_LENGTH) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: use at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {self.max_length} characters long."


def context_words() -> list[str]:
    """The context-specific words refused inside passwords (ASVS 5.0 6.1.2 and 6.2.11).

    The product's and the site's own names: the first words a person (or a cracking list
    tuned to this site) reaches for. The list is documented in docs/security.md. Words come
    from ``LIFELINE_SITE_NAME``, the labels of the base URL's host name, and ``pypi``; words
    shorter than 4 letters are left out (they would refuse too much for too little).
    """
    from urllib.parse import urlsplit

    words = {"lifeline", "pypi"}
    words.update(w for w in settings.LIFELINE_SITE_NAME.lower().split())
    host = urlsplit(getattr(settings, "LIFELINE_BASE_URL", "") or "").hostname or ""
    words.update(host.lower().split("."))
    words -= {"localhost", "www", "com", "org", "net", "dev", "io"}
    return sorted(w for w in words if len(w) >= 4 and w.isascii() and w.isalnum())


class ContextWordsValidator:
    """Refuse passwords containing the site's own names (case-insensitively)."""

    def validate(self, password: str, user: object = None) -> None:
        folded = password.casefold()
        for word in context_words():
            if word in folded:
                raise ValidationError(
                    f"Your password contains “{word}”, this site's own name: it is among the "
                    "first words an attacker tries here. Choose a password without it.",
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return "Your password can't contain this site's own name."


class BreachedPasswordChecker(Protocol):
    def is_breached(self, password: str) -> bool: ...


class NullBreachedPasswordChecker:
    def is_breached(self, password: str) -> bool:
        return False


class HIBPBreachedPasswordChecker:
    def __init__(self, url: str | None = None, timeout: float = 3.0) -> None:
        self.url = url or settings.LIFELINE_BREACHED_PASSWORD_URL
        self.timeout = timeout

    def is_breached(self, password: str) -> bool:
        digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()
        prefix, suffix = digest[:5], digest[5:]
        request = urllib.request.Request(  # noqa: S310 - URL comes from settings
            self.url + prefix, headers={"Add-Padding": "true", "User-Agent": "lifeline"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(2_000_000).decode("ascii", "replace")
        except OSError:
            # Fail open: an unreachable API must not stop people from choosing a password.
            logger.warning("breached-password service unreachable; check skipped")
            return False
        for line in body.splitlines():
            candidate, _, count = line.strip().partition(":")
            if candidate == suffix and count.strip() not in ("", "0"):
                return True
        return False


_BACKENDS = {
    "null": NullBreachedPasswordChecker,
    "hibp": HIBPBreachedPasswordChecker,
}


def get_checker() -> BreachedPasswordChecker:
    name = settings.LIFELINE_BREACHED_PASSWORD_BACKEND
    cls = _BACKENDS.get(name) or import_string(name)
    return cls()


class BreachedPasswordValidator:
    def validate(self, password: str, user: object = None) -> None:
        if get_checker().is_breached(password):
            raise ValidationError(
                "This password has appeared in a data breach, so attackers try it first. "
                "Please choose a different one.",
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return "Your password must not be one that is known from data breaches."
