"""Checkup fixtures: a signed webhook client, a stub RDAP registry, and a two-address owner."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from lifeline.checkup.signatures import sign
from tests.factories import UserFactory
from tests.recovery.stub_server import stub_server

SECRET = "test-webhook-secret-0123456789"


@pytest.fixture
def webhook_secret(settings) -> str:
    settings.LIFELINE_BOUNCE_WEBHOOK_SECRET = SECRET
    return SECRET


def post_events(
    client: Any,
    payload: Any,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
    body: bytes | None = None,
) -> Any:
    """POST ``payload`` to the webhook, signed as the provider would."""
    raw = body if body is not None else json.dumps(payload).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return client.post(
        reverse("email_events_webhook"),
        data=raw,
        content_type="application/json",
        headers={
            "X-Lifeline-Timestamp": stamp,
            "X-Lifeline-Signature": signature
            if signature is not None
            else sign(secret=secret, timestamp=stamp, body=raw),
        },
    )


def make_owner(primary: str, *others: str, username: str = "alice", joined_days: int = 400):
    """A user verified at ``primary`` (and ``others``), who joined ``joined_days`` ago."""
    user = UserFactory(username=username, email=primary)
    user.date_joined = timezone.now() - timedelta(days=joined_days)
    user.save(update_fields=["date_joined"])
    for email in others:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=False)
    return user


def rdap_domain(name: str, *, registered: Any, expires: Any, status=("active",)) -> bytes:
    return json.dumps(
        {
            "objectClassName": "domain",
            "ldhName": name,
            "status": list(status),
            "events": [
                {"eventAction": "registration", "eventDate": registered.isoformat()},
                {"eventAction": "expiration", "eventDate": expires.isoformat()},
                {"eventAction": "last changed", "eventDate": timezone.now().isoformat()},
            ],
        }
    ).encode()


class Registry:
    """The stub's routes and a log of the paths asked for."""

    def __init__(self, routes: dict, url: str) -> None:
        self.routes = routes
        self.url = url

    def hits(self, domain: str) -> int:
        return self.routes["_hits"].count(f"/rdap/domain/{domain}")


@pytest.fixture
def registry(settings) -> Iterator[Registry]:
    """A stub RDAP registry on 127.0.0.1 for ``.test`` and ``.example``; settings use it.

    active.test: registered 2010, expires in a year. expired.test: expired last month.
    reregistered.test: registered again 10 days ago. pending.test: in redemption.
    gone.test: 404. broken.test: 500. weird.test: dates out of range. garbage.test: not JSON.
    ``.nowhere``: no RDAP service.
    """
    now = timezone.now()
    json_headers = {"Content-Type": "application/rdap+json"}
    hits: list[str] = []

    class Routes(dict):
        def get(self, path, default=None):
            hits.append(path)
            return super().get(path, default)

    routes = Routes()
    routes["_hits"] = hits
    with stub_server(routes) as url:
        routes["/bootstrap/dns.json"] = (
            200,
            {"Content-Type": "application/json"},
            json.dumps(
                {
                    "version": "1.0",
                    "services": [[["test", "example"], [f"{url}/rdap/"]]],
                }
            ).encode(),
        )
        domains = {
            "active.test": rdap_domain(
                "active.test",
                registered=now.replace(year=2010),
                expires=now + timedelta(days=365),
            ),
            "expired.test": rdap_domain(
                "expired.test",
                registered=now.replace(year=2010),
                expires=now - timedelta(days=30),
            ),
            "reregistered.test": rdap_domain(
                "reregistered.test",
                registered=now - timedelta(days=10),
                expires=now + timedelta(days=355),
            ),
            "pending.test": rdap_domain(
                "pending.test",
                registered=now.replace(year=2010),
                expires=now + timedelta(days=5),
                status=("redemption period",),
            ),
        }
        for name, body in domains.items():
            routes[f"/rdap/domain/{name}"] = (200, json_headers, body)
        routes["/rdap/domain/broken.test"] = (500, {}, b"oops")
        routes["/rdap/domain/weird.test"] = (
            200,
            json_headers,
            b'{"objectClassName": "domain", "events": [{"eventAction": "expiration", '
            b'"eventDate": "0001-01-01T00:00:00+05:00"}, {"eventAction": "registration", '
            b'"eventDate": 12}]}',
        )
        routes["/rdap/domain/garbage.test"] = (200, json_headers, b"<html>not json")
        settings.LIFELINE_DOMAIN_STATUS_BACKEND = "rdap"
        settings.LIFELINE_RDAP_BOOTSTRAP_URL = f"{url}/bootstrap/dns.json"
        yield Registry(routes, url)
