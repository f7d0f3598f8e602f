"""Every email template, rendered with values that hold ``"``, ``&`` and ``<``.

Subjects and text bodies are plain text: they show the characters as typed, never
``&quot;``. HTML bodies escape them. Every security notice carries the "This wasn't me?"
link; emails that are not notices don't.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from lifeline.notifications.notices import REMINDERS, SECURITY_NOTICES
from lifeline.notifications.services import base_context, render_email, send_email
from lifeline.notifications.templatetags.email_text import with_article

EVIL = 'Tom & "Jerry" <b>\'s'
EVIL_HTML = "Tom &amp; &quot;Jerry&quot; &lt;b&gt;&#x27;s"
ENTITIES = ("&quot;", "&amp;", "&lt;", "&gt;", "&#x27;", "&#39;")

# Emails that ask the reader to act on something they started, or that go to staff: not
# notices about a change to the reader's account, so no "This wasn't me?" block.
NOT_NOTICES = {
    "account_already_exists",  # a sign-up attempt; the address's owner may just ignore it
    "account_unknown_account",
    "recovery_contact_invitation",  # asks the reader to accept or decline
    "recovery_vouch_request",  # asks a recovery contact to vouch
    "account_email_confirmation",
    "account_email_confirmation_signup",
    "account_password_reset_key",
    "recovery_approved",  # the rest go to the person who filed a recovery request
    "recovery_contact_verify",
    "recovery_contested_contact",
    "recovery_denied",
    "recovery_expired",
    "recovery_note_received",
    "recovery_proof_result",
    "recovery_received",
    "recovery_restore_link",
    "recovery_restored",
    "recovery_state_changed",
    "recovery_support_message",
    "recovery_desk_escalated",  # staff
    "recovery_role_grant_pending",  # staff
} | REMINDERS  # checkup reminders: the reader may turn each kind off


def _email_template_dirs() -> dict[str, Path]:
    roots = [Path(app.path) / "templates" / "emails" for app in apps.get_app_configs()]
    roots += [Path(d) / "emails" for d in settings.TEMPLATES[0]["DIRS"]]
    found: dict[str, Path] = {}
    for root in roots:
        for subject in sorted(root.glob("*/subject.txt")):
            found.setdefault(subject.parent.name, subject.parent)
    return found


TEMPLATES = _email_template_dirs()


class Evil(str):
    """A user-supplied value: every attribute of it is one too (``user.username``, ...)."""

    def __new__(cls, value: str = EVIL) -> Evil:
        return super().__new__(cls, value)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in ("do_not_call_in_templates", "alters_data"):
            raise AttributeError(name)
        if name in _DATE_NAMES:
            return timezone.now()
        return Evil()


_SOURCES = {
    name: "\n".join(p.read_text() for p in sorted(directory.iterdir()))
    for name, directory in TEMPLATES.items()
}
_ALL_SOURCE = "\n".join(_SOURCES.values())
_DATE_NAMES = {m.split(".")[-1] for m in re.findall(r"([\w.]+)\|date", _ALL_SOURCE)}
_BASE_KEYS = set(base_context()) | {"security_notice", "recipient"}


def _loop_vars(source: str) -> set[str]:
    return {
        t.strip()
        for m in re.finditer(r"{%\s*for\s+([\w\s,]+?)\s+in", source)
        for t in m.group(1).split(",")
    }


def _context_for(source: str) -> dict[str, Any]:
    """An evil value for every name the template reads (lists for loops, dates for |date)."""
    context: dict[str, Any] = {}
    for match in re.finditer(r"{%\s*for\s+([\w\s,]+?)\s+in\s+(\w+)", source):
        targets = [t.strip() for t in match.group(1).split(",")]
        item = Evil() if len(targets) == 1 else tuple(Evil() for _ in targets)
        context[match.group(2)] = [item]
    names = re.findall(r"{{\s*([a-z_]\w*)", source)
    names += re.findall(r"{%\s*(?:if|elif)\s+(?:not\s+)?([a-z_]\w*)", source)
    skip = _BASE_KEYS | _loop_vars(source)
    for name in names:
        if name not in skip and name not in context:
            context[name] = timezone.now() if name in _DATE_NAMES else Evil()
    return context


def _shows_a_value(source: str) -> bool:
    """Does the template print a user-supplied value as text (not as a date or a count)?"""
    skip = _BASE_KEYS | _loop_vars(source)
    for root, filters in re.findall(r"{{\s*([a-z_]\w*)[\w.]*\s*((?:\|[^}]*)?)}}", source):
        if root not in skip and not re.search(r"\|(date|pluralize)", filters):
            return True
    return False


def test_every_email_template_is_found_and_classified():
    assert len(TEMPLATES) >= 30, sorted(TEMPLATES)
    unclassified = set(TEMPLATES) - SECURITY_NOTICES - NOT_NOTICES
    assert not unclassified, (
        f"classify {sorted(unclassified)}: a notice about a change to the reader's account "
        "goes in lifeline/notifications/notices.py, anything else in NOT_NOTICES here"
    )
    assert not SECURITY_NOTICES & NOT_NOTICES


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_plain_text_is_not_html_escaped_and_html_is(name, settings):
    settings.LIFELINE_BASE_URL = "https://pypi.example.org"
    settings.LIFELINE_SUPPORT_EMAIL = "help@example.org"
    subject, text, html = render_email(name, _context_for(_SOURCES[name]))

    assert subject and "\n" not in subject
    for entity in ENTITIES:
        assert entity not in subject, subject
        assert entity not in text, text
    part = lambda filename: (TEMPLATES[name] / filename).read_text()  # noqa: E731
    if _shows_a_value(part("subject.txt")):
        assert EVIL.lower() in subject.lower(), subject
    if _shows_a_value(part("body.txt")):
        assert EVIL.lower() in text.lower(), text
    if _shows_a_value(part("body.html")):
        assert EVIL_HTML.lower() in html.lower(), html
    assert EVIL not in html and '"Jerry"' not in html and "<b>" not in html
    # A link ends at whitespace in plain text: never glue a full stop or comma to a URL.
    assert not re.search(r"https?://\S*/[.,](\s|$)", text), text


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_security_notice_says_what_to_do_if_it_was_not_you(name, settings):
    settings.LIFELINE_BASE_URL = "https://pypi.example.org"
    settings.LIFELINE_SUPPORT_EMAIL = "help@example.org"
    _, text, html = render_email(name, _context_for(_SOURCES[name]))
    body, _, footer = text.partition("\n-- \n")
    not_me = "https://pypi.example.org/account/not-me/"
    if name in SECURITY_NOTICES:
        assert "This wasn't me?" in body and not_me in body and "help@example.org" in body
        assert f'href="{not_me}"' in html and "mailto:help@example.org" in html
    else:
        assert not_me not in text and not_me not in html
    assert "pypi.example.org" in footer  # "Links in our emails only point to ..."


@pytest.mark.django_db
def test_security_notices_reply_to_support_and_others_do_not(user, outbox, settings):
    settings.LIFELINE_SUPPORT_EMAIL = "help@example.org"
    send_email(template="account_password_changed", user=user)
    send_email(template="account_unknown_account", to=["x@example.com"], include_unverified=True)
    notice, other = outbox
    assert notice.reply_to == ["help@example.org"]
    assert other.reply_to == []


@pytest.mark.django_db
def test_a_passkey_name_reads_as_typed_in_the_subject_and_text(user, outbox):
    send_email(
        template="mfa_method_added", user=user, context={"method": 'passkey "Tom\'s & <key>"'}
    )
    (message,) = outbox
    assert message.subject == 'A passkey "Tom\'s & <key>" was added to your Lifeline account'
    assert 'A passkey "Tom\'s & <key>" was added as a second factor' in message.body
    assert "passkey &quot;Tom&#x27;s &amp; &lt;key&gt;&quot;" in message.alternatives[0][0]


@pytest.mark.django_db
def test_an_authenticator_app_takes_an(user, outbox):
    send_email(template="mfa_method_added", user=user, context={"method": "authenticator app"})
    send_email(template="mfa_method_removed", user=user, context={"method": "authenticator app"})
    added, removed = outbox
    assert added.subject.startswith("An authenticator app was added")
    assert "An authenticator app was added as a second factor" in added.body
    assert removed.subject.startswith("An authenticator app was removed")


def test_articles():
    assert with_article("authenticator app") == "an authenticator app"
    assert with_article('security key "Yubi"') == 'a security key "Yubi"'
    assert with_article("one-time code") == "a one-time code"
    assert with_article("unused code") == "an unused code"
