"""Fetching a repository or homepage challenge file, safely (proof b).

The fetcher is a small Protocol so tests and deployments can swap it (setting
``LIFELINE_RECOVERY_FETCHER``). The real one, :class:`HttpFetcher`, is built against SSRF:

* only ``http`` and ``https``; no user name or password in the URL; no dot segments;
* the host is resolved *first*, and every address it resolves to must be public: private,
  loopback, link-local (which includes the 169.254.169.254 cloud metadata address),
  unique-local, multicast, reserved and unspecified addresses are refused, IPv4-mapped IPv6
  included, unless ``LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE`` is on (tests and development);
* the connection goes to the address that was checked (no second DNS lookup, so DNS
  rebinding cannot swap in a private address), with the original name kept for TLS (SNI and
  certificate checks) and the Host header;
* a 5 s deadline for the whole exchange and a 64 KiB cap on the body;
* redirects are followed by hand, at most 3, and each target must itself lie under the
  eligible prefix and pass every check above.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

USER_AGENT = "Lifeline-recovery-check/1 (+account recovery challenge)"


class FetchError(Exception):
    """A refused or failed fetch; ``code`` is machine-readable, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    body: bytes


class Fetcher(Protocol):
    def fetch(self, url: str, *, prefix: str) -> FetchResult:
        """GET ``url`` (which must lie under ``prefix``) or raise :class:`FetchError`."""
        ...


class NullFetcher:
    """Repository checks switched off: every fetch is refused."""

    def fetch(self, url: str, *, prefix: str) -> FetchResult:
        raise FetchError("disabled", "Repository checks are switched off on this index.")


def _effective_port(parts: SplitResult) -> int:
    try:
        port = parts.port
    except ValueError as exc:
        raise FetchError("bad_url", "The URL has an invalid port.") from exc
    return port or (443 if parts.scheme == "https" else 80)


def check_url_shape(url: str) -> SplitResult:
    """Parse ``url`` and refuse anything but a plain http(s) URL with a host."""
    if not isinstance(url, str) or len(url) > 2000 or any(c in url for c in "\r\n\t "):
        raise FetchError("bad_url", "That is not a valid URL.")
    try:
        parts = urlsplit(url)
        parts.hostname  # noqa: B018 - parsed lazily; an unclosed "[::1" raises ValueError
    except ValueError:
        raise FetchError("bad_url", "That is not a valid URL.") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError("bad_scheme", "Only http:// and https:// URLs can be checked.")
    if parts.username is not None or parts.password is not None:
        raise FetchError("credentials", "URLs with a user name or password are not allowed.")
    if not parts.hostname:
        raise FetchError("bad_url", "The URL has no host.")
    segments = unquote(parts.path).split("/")
    if any(segment in (".", "..") for segment in segments):
        raise FetchError("bad_url", "The URL path may not contain '.' or '..' segments.")
    _effective_port(parts)
    return parts


def url_under_prefix(url: str, prefix: str) -> bool:
    """Same scheme, host and port, and a path equal to or below the prefix's path."""
    try:
        target, base = check_url_shape(url), check_url_shape(prefix)
    except FetchError:
        return False
    if target.scheme != base.scheme or target.hostname != base.hostname:
        return False
    if _effective_port(target) != _effective_port(base):
        return False
    base_path = base.path.rstrip("/")
    return not base_path or target.path == base_path or target.path.startswith(base_path + "/")


# IPv6 ranges that carry an IPv4 address inside (NAT64, 6to4, Teredo, IPv4-compatible): a
# gateway may route them to internal IPv4 space, including 169.254.169.254, so they are
# refused outright rather than trusted as "global".
_IPV4_EMBEDDING = tuple(
    ipaddress.ip_network(n)
    for n in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32", "::/96")
)


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif any(ip in network for network in _IPV4_EMBEDDING):
            return False
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """Resolve ``host`` and return an address to connect to, refusing non-public ones.

    Every address the name resolves to must be allowed, so a name with one public and one
    loopback record is refused too.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns", f"The host {host!r} could not be resolved.") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError("dns", f"The host {host!r} could not be resolved.")
    if not allow_private:
        for address in addresses:
            if not address_is_public(address):
                raise FetchError(
                    "private_address",
                    f"The host {host!r} resolves to a private or reserved address "
                    f"({address}); only public addresses can be checked.",
                )
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class HttpFetcher:
    """The real, SSRF-safe fetcher (see the module docstring)."""

    def __init__(
        self,
        *,
        allow_private: bool | None = None,
        timeout: float | None = None,
        max_bytes: int | None = None,
        max_redirects: int = 3,
    ) -> None:
        self.allow_private = (
            settings.LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE
            if allow_private is None
            else allow_private
        )
        self.timeout = timeout if timeout is not None else settings.LIFELINE_RECOVERY_FETCH_TIMEOUT
        self.max_bytes = (
            max_bytes if max_bytes is not None else settings.LIFELINE_RECOVERY_FETCH_MAX_BYTES
        )
        self.max_redirects = max_redirects

    def fetch(self, url: str, *, prefix: str) -> FetchResult:
        deadline = time.monotonic() + self.timeout
        current = url
        for _hop in range(self.max_redirects + 1):
            if not url_under_prefix(current, prefix):
                check_url_shape(current)  # a clearer error when the shape is the problem
                raise FetchError("off_prefix", f"{current} is not under the eligible URL {prefix}.")
            status, location, body = self._get_once(current, deadline)
            if status in (301, 302, 303, 307, 308):
                if not location:
                    raise FetchError("bad_redirect", "The server redirected without a target.")
                target = urljoin(current, location)
                if not url_under_prefix(target, prefix):
                    check_url_shape(target)
                    raise FetchError(
                        "redirect_off_prefix",
                        f"The server redirected to {target}, which is not under {prefix}.",
                    )
                current = target
                continue
            if not 200 <= status < 300:
                raise FetchError("http_status", f"The server answered HTTP {status}.")
            return FetchResult(url=current, status=status, body=body)
        raise FetchError("too_many_redirects", "The server redirected too many times.")

    def _get_once(self, url: str, deadline: float) -> tuple[int, str, bytes]:
        parts = check_url_shape(url)
        host = parts.hostname or ""
        port = _effective_port(parts)
        address = resolve(host, port, allow_private=self.allow_private)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout", "The server took too long to answer.")
        connection_class = (
            _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        )
        connection = connection_class(host, port, address=address, timeout=remaining)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/plain, */*"}
            )
            response = connection.getresponse()
            location = response.getheader("Location", "") or ""
            if response.status in (301, 302, 303, 307, 308):
                return response.status, location, b""
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError("too_large", f"The file is larger than {self.max_bytes} bytes.")
            body = bytearray()
            while True:
                if time.monotonic() > deadline:
                    raise FetchError("timeout", "The server took too long to answer.")
                chunk = response.read(8192)
                if not chunk:
                    break
                body.extend(chunk)
                if len(body) > self.max_bytes:
                    raise FetchError(
                        "too_large", f"The file is larger than {self.max_bytes} bytes."
                    )
            return response.status, location, bytes(body)
        except FetchError:
            raise
        except TimeoutError as exc:
            raise FetchError("timeout", "The server took too long to answer.") from exc
        except ssl.SSLError as exc:
            raise FetchError("tls", f"The TLS connection failed: {exc.reason}.") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(
                "connection", f"Could not fetch the URL ({type(exc).__name__})."
            ) from exc
        finally:
            connection.close()


def get_fetcher() -> Fetcher:
    return import_string(settings.LIFELINE_RECOVERY_FETCHER)()
