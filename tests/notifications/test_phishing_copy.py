"""Every security email says where its links come from and what Lifeline never asks for
(issue 13, item 6). The copy sits in the layout and the text footer, so it is checked over
every template classified as a security notice, not over a sample."""

from __future__ import annotations

import re

import pytest

from lifeline.notifications.notices import SECURITY_NOTICES
from lifeline.notifications.services import render_email, send_email
from tests.notifications.test_templates import _SOURCES, TEMPLATES, _context_for

NOTICES_WITH_TEMPLATES = sorted(SECURITY_NOTICES & set(TEMPLATES))
NEVER_ASKS = ("password", "recovery codes", "code (two-factor or emailed)", "API token")


def test_every_security_notice_has_a_template():
    assert NOTICES_WITH_TEMPLATES, "no security notice templates found"
    assert set(NOTICES_WITH_TEMPLATES) == SECURITY_NOTICES, sorted(
        SECURITY_NOTICES - set(TEMPLATES)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", NOTICES_WITH_TEMPLATES)
def test_security_notice_names_the_one_domain_and_what_is_never_asked(name, settings):
    settings.LIFELINE_BASE_URL = "https://pypi.example.org"
    _, text, html = render_email(name, _context_for(_SOURCES[name]))
    _, _, footer = text.partition("\n-- \n")

    assert "Links in our emails only point to pypi.example.org." in footer
    assert "never ask for your password" in footer
    for thing in NEVER_ASKS:
        assert thing in footer, (thing, footer)
        assert thing in html, thing
    assert "Links in our emails only point to <strong>pypi.example.org</strong>" in html
    # ... and it is true: every link the email carries starts with the base URL (a path
    # value here is a test string glued to it, as reverse() output is in real emails).
    for href in re.findall(r'href="(https?://[^"]+)"', html):
        assert href.startswith("https://pypi.example.org"), (name, href)
    for url in re.findall(r"https?://\S+", text):
        assert url.startswith("https://pypi.example.org"), (name, url)


@pytest.mark.django_db
def test_the_domain_follows_the_base_url(user, outbox, settings):
    settings.LIFELINE_BASE_URL = "https://index.example.net:8443"
    send_email(template="account_password_changed", user=user)
    (message,) = outbox
    assert "Links in our emails only point to index.example.net:8443." in message.body
    assert "<strong>index.example.net:8443</strong>" in message.alternatives[0][0]
