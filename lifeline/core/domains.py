"""Registrable domains: who controls a host name or an email address.

The *registrable domain* (eTLD+1) of ``docs.alice.dev`` is ``alice.dev``: whoever controls
``alice.dev`` controls every name under it, its mail included. The Public Suffix List says
where the registrable part starts (``alice.co.uk``, not ``co.uk``; ``alice.github.io``, not
``github.io``). It comes from the ``publicsuffixlist`` package, which ships the list: no
network access, ever.

Normalisation: case folded, trailing dots dropped, international names in their ASCII
(IDNA/punycode) form, so ``Bücher.example.`` and ``xn--bcher-kva.example`` are one domain.
An IP literal is its own boundary (its canonical text). A name with no registrable part
(``localhost``, a bare public suffix such as ``co.uk``) is returned whole.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

_PSL: PublicSuffixList | None = None


def _psl() -> PublicSuffixList:
    global _PSL
    if _PSL is None:
        _PSL = PublicSuffixList()
    return _PSL


def _ascii_host(host: str) -> str:
    host = host.strip().strip("[]").rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        # Labels the IDNA 2003 codec refuses (too long, odd characters): keep them as
        # given. They still compare equal to themselves, which is all a boundary needs.
        return host


@lru_cache(maxsize=4096)
def registrable_domain(host_or_email: str) -> str:
    """The registrable domain of a host name, URL host or email address (see module doc).

    >>> registrable_domain("docs.alice.dev")
    'alice.dev'
    >>> registrable_domain("Alice@Mail.Alice.DEV.")
    'alice.dev'
    """
    value = host_or_email or ""
    if "@" in value:
        value = value.rpartition("@")[2]
    host = _ascii_host(value)
    if not host:
        return ""
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        pass
    return _psl().privatesuffix(host) or host
