"""The publishing pages, looked at as a person would (axe and the page checks), at desktop and
phone sizes in light and dark mode; and a publisher added through the real form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lifeline.tokens.publishing.models import TrustedPublisher
from lifeline.tokens.publishing.services import pending_add, publisher_add
from tests.e2e.conftest import new_context
from tests.e2e.page_checks import PageChecks
from tests.e2e.test_every_page_journey import DESKTOP, sign_in_with_totp, visit_everywhere
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.fixtures_mfa import make_2fa_account
from tests.recovery.conftest import add_project

pytestmark = pytest.mark.browser


def test_publishing_pages_read_cleanly(browser, live_url, tmp_path):
    maria = make_2fa_account(UserFactory(username="maria", email="maria@example.com"))
    project = add_project(maria.user, "maria-tool", urls={"Source": "https://code.example/m/t"})
    publisher_add(
        project=project,
        actor=maria.user,
        kind="github",
        repository="maria/maria-tool",
        workflow="release.yml",
        environment="pypi",
    )
    pending_add(
        user=maria.user,
        project_name="maria-next",
        kind="gitlab",
        repository="maria/next",
        workflow=".gitlab-ci.yml",
    )
    context = new_context(browser, live_url, viewport=DESKTOP)
    checks = PageChecks(context)
    page = context.new_page()
    try:
        sign_in_with_totp(page, maria)
        for path in ["/manage/project/maria-tool/publishing/", "/account/publishing/"]:
            visit_everywhere(checks, page, path, password=DEFAULT_PASSWORD)
        # Add a publisher through the form, as an owner would.
        page.set_viewport_size(DESKTOP)
        page.goto("/manage/project/maria-tool/publishing/")
        page.get_by_label("Issuer URL").fill("https://forge.example.org")
        page.get_by_label("Claims that must match").fill("repository=maria/maria-tool")
        page.get_by_role("button", name="Add OIDC publisher").click()
        expect(page.get_by_text("Trusted publisher added")).to_be_visible()
        assert TrustedPublisher.objects.filter(
            kind="oidc", issuer="https://forge.example.org"
        ).exists()
        page.screenshot(path=str(tmp_path / "publishing.png"), full_page=True)
        checks.assert_clean()
    finally:
        context.close()
