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
* a 5 s deadline for the *whole* exchange and a 64 KiB cap on the body;
* redirects are followed by hand, at most 3, and each target must itself lie under the
  eligible prefix and pass every check above.

The deadline is total, not per read: one monotonic deadline is fixed when the fetch starts
and covers name resolution, connect, the TLS handshake, sending the request, the status line,
the headers, the body and every redirect. Before each socket operation the socket's timeout
is set to the time that is left (:class:`_DeadlineSocket`), so a server that drips one byte
at a time cannot stretch the exchange: it fails with ``timeout`` once the deadline passes.
The check runs in a background task, never inside a web request
(``lifeline.recovery.proofs.repository``).
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

from django.utils.module_loading import import_string

from lifeline.recovery import conf

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


def _timeout() -> FetchError:
    return FetchError("timeout", "The server took too long to answer.")


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _timeout()
    return left


def _getaddrinfo(host: str, port: int, deadline: float | None) -> list:
    """``socket.getaddrinfo`` bounded by the deadline (the resolver has no timeout of its own:
    it runs in a daemon thread that is abandoned, not waited for, when time runs out)."""
    if deadline is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="lifeline-fetch-dns")
    thread.start()
    thread.join(_remaining(deadline))
    if thread.is_alive():
        raise _timeout()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["infos"]  # type: ignore[return-value]


def resolve(host: str, port: int, *, allow_private: bool, deadline: float | None = None) -> str:
    """Resolve ``host`` and return an address to connect to, refusing non-public ones.

    Every address the name resolves to must be allowed, so a name with one public and one
    loopback record is refused too.
    """
    try:
        infos = _getaddrinfo(host, port, deadline)
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


class _DeadlineReader(io.RawIOBase):
    """The read side of :class:`_DeadlineSocket`: every ``recv`` gets only the time left."""

    def __init__(self, owner: _DeadlineSocket) -> None:
        super().__init__()
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        sock = self._owner.sock
        sock.settimeout(_remaining(self._owner.deadline))
        return sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._owner.release()
        super().close()


class _DeadlineSocket:
    """The few socket methods ``http.client`` uses, each bounded by one total deadline.

    ``http.client`` reads through ``makefile()``, and a buffered read loops over ``recv``
    until it has what it asked for, each ``recv`` with the full socket timeout: a byte every
    0.25 s would never time out. Here the timeout is reset to the time *left* before every
    ``recv`` and ``send``, and nothing starts after the deadline.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        # Like a socket's own makefile(): the connection may be closed while the response
        # still reads from its file; the socket really closes when both are done.
        self._files = 0
        self._closed = False

    def sendall(self, data: bytes) -> None:
        self.sock.settimeout(_remaining(self.deadline))
        self.sock.sendall(data)

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> io.BufferedReader:
        self._files += 1
        return io.BufferedReader(_DeadlineReader(self))

    def release(self) -> None:
        self._files -= 1
        if self._closed and self._files <= 0:
            self.sock.close()

    def close(self) -> None:
        self._closed = True
        if self._files <= 0:
            self.sock.close()

    def setsockopt(self, *args: object) -> None:
        self.sock.setsockopt(*args)  # type: ignore[arg-type]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, deadline: float) -> None:
        super().__init__(host, port, timeout=_remaining(deadline))
        self._address = address
        self._deadline = deadline

    def _open(self) -> socket.socket:
        return socket.create_connection((self._address, self.port), _remaining(self._deadline))

    def connect(self) -> None:
        self.sock = _DeadlineSocket(self._open(), self._deadline)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = http.client.HTTPS_PORT

    def __init__(self, host: str, port: int, *, address: str, deadline: float) -> None:
        super().__init__(host, port, address=address, deadline=deadline)
        self._context = ssl.create_default_context()

    def connect(self) -> None:
        sock = self._open()
        try:
            # The handshake as a whole gets the time left (CPython bounds do_handshake by
            # the socket timeout as one deadline, not per read).
            sock.settimeout(_remaining(self._deadline))
            tls = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = _DeadlineSocket(tls, self._deadline)


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
            conf.get("LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE")
            if allow_private is None
            else allow_private
        )
        self.timeout = (
            timeout if timeout is not None else conf.get("LIFELINE_RECOVERY_FETCH_TIMEOUT")
        )
        self.max_bytes = (
            max_bytes if max_bytes is not None else conf.get("LIFELINE_RECOVERY_FETCH_MAX_BYTES")
        )
        self.max_redirects = max_redirects

    def resolve(self, host: str, port: int, deadline: float) -> str:
        """The checked address to connect to (see :func:`resolve`)."""
        return resolve(host, port, allow_private=self.allow_private, deadline=deadline)

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
        address = self.resolve(host, port, deadline)
        connection_class = (
            _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        )
        connection = connection_class(host, port, address=address, deadline=deadline)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        response: http.client.HTTPResponse | None = None
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
                _remaining(deadline)
                chunk = response.read1(8192)
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
            raise _timeout() from exc
        except ssl.SSLError as exc:
            raise FetchError("tls", f"The TLS connection failed: {exc.reason}.") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(
                "connection", f"Could not fetch the URL ({type(exc).__name__})."
            ) from exc
        finally:
            if response is not None:
                response.close()
            connection.close()


def get_fetcher() -> Fetcher:
    return import_string(conf.get("LIFELINE_RECOVERY_FETCHER"))()
