"""The base UI: every main page renders, is labelled, obeys the CSP, and uses the design system."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.templatetags.static import static
from django.urls import reverse

ANONYMOUS_PAGES = [
    "home",
    "account_login",
    "account_signup",
    "account_reset_password",
    "recovery_start",
    "dev_outbox",
]
SIGNED_IN_PAGES = [
    "home",
    "account_security",
    "security_history",
    "account_email",
    "account_change_password",
    "mfa_index",
    "usersessions_list",
    "account_logout",
]
SETTINGS_PAGES = [
    "account_security",
    "security_history",
    "account_email",
    "account_change_password",
    "mfa_index",
    "usersessions_list",
]
NOT_LABELLED = {"hidden", "submit", "button", "reset", "image"}


class Page(HTMLParser):
    """Just enough of a page to check labels, attributes and scripts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.labels: dict[str, str] = {}
        self.inline_scripts: list[dict[str, str]] = []
        self._label_for: list[str | None] = []
        self._label_text: list[list[str]] = []
        self._inputs_in_label: set[int] = set()
        self._script: dict[str, str] | None = None
        self._script_text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag == "label":
            self._label_for.append(attributes.get("for"))
            self._label_text.append([])
        elif tag in ("input", "select", "textarea") and self._label_for:
            self._inputs_in_label.add(len(self.elements) - 1)
        elif tag == "script":
            self._script, self._script_text = attributes, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label_for:
            target = self._label_for.pop()
            text = " ".join("".join(self._label_text.pop()).split())
            if target:
                self.labels[target] = text
        elif tag == "script" and self._script is not None:
            if "src" not in self._script and "".join(self._script_text).strip():
                self.inline_scripts.append(self._script)
            self._script = None

    def handle_data(self, data: str) -> None:
        for parts in self._label_text:
            parts.append(data)
        if self._script is not None:
            self._script_text.append(data)

    def unlabelled_inputs(self) -> list[dict[str, str]]:
        missing = []
        for index, (tag, attrs) in enumerate(self.elements):
            if tag not in ("input", "select", "textarea"):
                continue
            if tag == "input" and attrs.get("type", "text") in NOT_LABELLED:
                continue
            if index in self._inputs_in_label or attrs.get("aria-label"):
                continue
            if not attrs.get("id") or attrs["id"] not in self.labels:
                missing.append(attrs)
        return missing

    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.elements if attrs.get("id")}

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [
            attrs
            for name, attrs in self.elements
            if name == tag
            and all(attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in wanted.items())
        ]


def _get(client, name: str) -> Page:
    response = client.get(reverse(name))
    assert response.status_code == 200, f"{name}: {response.status_code}"
    return Page(response.content.decode())


def _assert_well_formed(page: Page, name: str) -> None:
    assert page.unlabelled_inputs() == [], f"{name} has inputs without a <label for>"
    styled = [(tag, attrs) for tag, attrs in page.elements if "style" in attrs]
    assert styled == [], f"{name} has inline style= attributes (CSP is 'self')"
    executable = [s for s in page.inline_scripts if s.get("type") != "application/json"]
    assert executable == [], f"{name} has inline scripts (CSP is 'self')"
    assert page.find("link", rel="stylesheet", href=static("lifeline/site.css"))
    assert page.find("main", id="main")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_public_pages_render_labelled_and_csp_clean(client, name):
    _assert_well_formed(_get(client, name), name)


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_account_pages_render_labelled_and_csp_clean(client_logged_in, name):
    _assert_well_formed(_get(client_logged_in, name), name)


@pytest.mark.parametrize("name", SETTINGS_PAGES)
def test_account_settings_pages_share_one_navigation(client_logged_in, name):
    page = _get(client_logged_in, name)
    assert page.find("nav", aria_label="Account settings")
    current = page.find("a", aria_current="page")
    assert len(current) == 1
    expected = {reverse(name)}
    if name == "usersessions_list":  # Lifeline's own sessions page, where it exists, wins.
        expected.add("/account/security/sessions/")
    assert current[0]["href"] in expected


def test_content_security_policy_header_is_sent(client, db):
    response = client.get(reverse("home"))
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy


def test_stylesheet_and_icon_are_served(client, db):
    css = client.get(static("lifeline/site.css"))
    assert css.status_code == 200
    assert css["Content-Type"].startswith("text/css")
    body = b"".join(css.streaming_content) if css.streaming else css.content
    assert b"prefers-color-scheme: dark" in body
    icon = client.get(static("lifeline/favicon.svg"))
    assert icon.status_code == 200


def test_home_says_what_it_is_and_where_to_go(client, db):
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert "package index" in html
    page = Page(html)
    for name in ("account_signup", "account_login", "recovery_start"):
        assert page.find("a", href=reverse(name)), name
    assert "Lost access to your account?" in html


def test_signup_labels_are_allauths_without_a_colon(client, db):
    page = _get(client, "account_signup")
    assert page.labels["id_username"] == "Username"
    assert page.labels["id_email"] == "Email"
    assert page.labels["id_password1"] == "Password"
    assert page.labels["id_password2"] == "Password (again)"
    username = page.find("input", id="id_username")[0]
    assert username["aria-describedby"] == "id_username_helptext"
    assert "id_username_helptext" in page.ids()


def test_field_errors_are_shown_next_to_the_field_and_linked(client, db):
    response = client.post(
        reverse("account_signup"),
        {"username": "x", "email": "not-an-email", "password1": "a", "password2": "b"},
    )
    assert response.status_code == 200
    page = Page(response.content.decode())
    email = page.find("input", id="id_email")[0]
    assert email["aria-invalid"] == "true"
    described_by = email["aria-describedby"].split()
    assert "id_email_error" in described_by
    assert set(described_by) <= page.ids()
    assert page.find("ul", id="id_email_error", class_="errorlist field-error")


def test_entrance_pages_are_one_card_with_a_way_out(client, db):
    page = _get(client, "account_login")
    assert page.find("main", id="main", class_="container entrance", tabindex="-1")
    assert page.find("a", href=reverse("recovery_start"))


def test_log_out_is_a_post_form_and_the_footer_reassures(client_logged_in):
    response = client_logged_in.get(reverse("account_security"))
    html = response.content.decode()
    page = Page(html)
    assert page.find("form", method="post", action=reverse("account_logout"))
    assert ">Log out</button>" in html
    assert "never asks for your password or recovery codes by email" in html
