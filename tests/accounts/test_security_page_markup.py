"""The account security page (where every login lands) renders as one clean page."""

from __future__ import annotations

import re

from tests.e2e.html_text import assert_reads_cleanly, page_text


def test_security_page_title_cards_and_layout(client_2fa):
    html = client_2fa.get("/account/security/").content.decode()

    title, text = page_text(html)
    assert title == "Account security · Lifeline"
    assert_reads_cleanly(html)
    assert html.count('id="delete-h"') == 1
    assert text.count("Deleting your account is permanent.") == 1
    # The settings navigation sits beside the page: main holds exactly the nav and the body.
    main = re.search(r'<main id="main" class="([^"]*)"[^>]*>\s*(<nav class="subnav"|<div)', html)
    assert main and main.group(1) == "container settings" and main.group(2).startswith("<nav")
