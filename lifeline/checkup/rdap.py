"""Is an address's domain still registered? Backends behind a small Protocol.

The danger this guards against: a domain lapses, someone else registers it, and from then
on they read the owner's mail, including password resets and recovery codes. The registry
knows when a domain expires and when it was (re-)registered; RDAP (RFC 9083) is the
standard JSON interface to it. IANA's bootstrap file (RFC 9224) names the RDAP service of
each top-level domain.

Failure never reads as "lapsed": any error, timeout, unknown TLD or odd answer is
``unknown``, and nothing is done about an unknown domain. ``not_found`` (the registry says
no such domain) is recorded but not acted on either: a registry that does not know a
domain it should is more often a registry quirk than a lapse.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from django.core.cache import cache
from django.utils import timezone
from django.utils.module_loading import import_string

from lifeline.checkup import conf

logger = logging.getLogger(__name__)

ACTIVE, EXPIRED, NOT_FOUND, UNKNOWN = "active", "expired", "not_found", "unknown"
# Registry statuses (RFC 8056 mapping of EPP) that mean the registration is over.
_ENDED_STATUSES = {"pending delete", "redemption period"}
_MAX_BYTES = 2_000_000
_BOOTSTRAP_CACHE_KEY = "checkup:rdap:bootstrap"
_BOOTSTRAP_CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class DomainStatus:
    status: str
    registered_at: datetime | None = None
    expires_at: datetime | None = None
    detail: str = ""


class DomainStatusBackend(Protocol):
    #: False for a backend that never learns anything (the periodic job then does nothing).
    enabled: bool

    def lookup(self, domain: str) -> DomainStatus: ...


class NullDomainStatusBackend:
    enabled = False

    def lookup(self, domain: str) -> DomainStatus:
        return DomainStatus(UNKNOWN, detail="no domain status backend configured")


class RdapError(Exception):
    pass


def _parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError:
        return None
    return parsed if parsed.year >= 1980 else None


def parse_domain_answer(data: Any, *, now: datetime) -> DomainStatus:
    """Read an RDAP domain object: ``events`` (registration, reregistration, expiration)
    and ``status``. Anything unreadable is ``unknown``."""
    if not isinstance(data, dict) or data.get("objectClassName", "domain") != "domain":
        return DomainStatus(UNKNOWN, detail="not an RDAP domain object")
    registered: datetime | None = None
    expires: datetime | None = None
    events = data.get("events")
    for event in events if isinstance(events, list) else []:
        if not isinstance(event, dict):
            continue
        action = str(event.get("eventAction", "")).lower()
        when = _parse_date(event.get("eventDate"))
        if when is None:
            continue
        if action in ("registration", "reregistration"):
            registered = max(registered, when) if registered else when
        elif action == "expiration":
            expires = when
    statuses = data.get("status")
    status_set = {str(s).lower() for s in statuses} if isinstance(statuses, list) else set()
    if status_set & _ENDED_STATUSES:
        return DomainStatus(EXPIRED, registered, expires, detail=", ".join(sorted(status_set)))
    if expires is not None and expires < now:
        return DomainStatus(EXPIRED, registered, expires, detail="expiration date passed")
    if registered is None and expires is None:
        return DomainStatus(UNKNOWN, detail="no registration or expiration date")
    return DomainStatus(ACTIVE, registered, expires)


class RdapDomainStatusBackend:
    """Plain HTTP to the registry's RDAP service, found through IANA's bootstrap file."""

    enabled = True

    def __init__(self, bootstrap_url: str | None = None, timeout: float | None = None) -> None:
        self.bootstrap_url = bootstrap_url or conf.rdap_bootstrap_url()
        self.timeout = timeout if timeout is not None else conf.rdap_timeout()

    def _get(self, url: str) -> tuple[int, Any]:
        request = urllib.request.Request(  # noqa: S310 - URLs from settings and IANA data
            url,
            headers={"Accept": "application/rdap+json, application/json", "User-Agent": "lifeline"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(_MAX_BYTES + 1)
                status = response.status
        except urllib.error.HTTPError as error:
            return error.code, None
        except (OSError, ValueError) as error:
            raise RdapError(f"{type(error).__name__}") from error
        if len(body) > _MAX_BYTES:
            raise RdapError("answer too large")
        try:
            return status, json.loads(body)
        except ValueError as error:
            raise RdapError("answer is not JSON") from error

    def services(self) -> dict[str, str]:
        """TLD → RDAP base URL (ending in "/"), from the bootstrap file, cached for a day."""
        key = f"{_BOOTSTRAP_CACHE_KEY}:{self.bootstrap_url}"
        cached = cache.get(key)
        if isinstance(cached, dict):
            return cached
        status, data = self._get(self.bootstrap_url)
        if status != 200 or not isinstance(data, dict):
            raise RdapError(f"bootstrap answered {status}")
        services: dict[str, str] = {}
        for entry in data.get("services") or []:
            if not (isinstance(entry, list) and len(entry) >= 2):
                continue
            tlds, urls = entry[0], entry[1]
            if not (isinstance(tlds, list) and isinstance(urls, list) and urls):
                continue
            urls = [str(u) for u in urls]
            base = next((u for u in urls if u.startswith("https://")), urls[0])
            if not base.endswith("/"):
                base += "/"
            for tld in tlds:
                services[str(tld).lower().rstrip(".")] = base
        cache.set(key, services, _BOOTSTRAP_CACHE_SECONDS)
        return services

    def base_for(self, domain: str) -> str | None:
        services = self.services()
        labels = domain.lower().rstrip(".").split(".")
        for i in range(1, len(labels)):  # the longest listed suffix wins
            base = services.get(".".join(labels[i:]))
            if base:
                return base
        return None

    def lookup(self, domain: str) -> DomainStatus:
        try:
            base = self.base_for(domain)
            if base is None:
                return DomainStatus(UNKNOWN, detail="no RDAP service for this top-level domain")
            status, data = self._get(f"{base}domain/{domain}")
        except RdapError as error:
            logger.warning("RDAP lookup for %s failed: %s", domain, error)
            return DomainStatus(UNKNOWN, detail=f"lookup failed: {error}")
        if status == 404:
            return DomainStatus(NOT_FOUND, detail="the registry has no such domain")
        if status != 200:
            return DomainStatus(UNKNOWN, detail=f"registry answered {status}")
        return parse_domain_answer(data, now=timezone.now())


_BACKENDS = {"null": NullDomainStatusBackend, "rdap": RdapDomainStatusBackend}


def get_backend() -> DomainStatusBackend:
    name = conf.domain_backend()
    cls = _BACKENDS.get(name) or import_string(name)
    return cls()
