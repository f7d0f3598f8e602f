"""A real HttpFetcher whose name resolution sends chosen host names to 127.0.0.1.

Attack tests publish challenge files on "docs.alice.dev" or "github.com" without the
internet: every byte goes through the real fetcher (deadline, redirects, prefix checks),
only the DNS answer is local. Point ``LIFELINE_RECOVERY_FETCHER`` at
``tests.security.local_fetcher.LocalFetcher`` and set ``LOCAL_HOSTS``.
"""

from __future__ import annotations

from lifeline.recovery.proofs.fetcher import HttpFetcher

LOCAL_HOSTS: set[str] = set()


class LocalFetcher(HttpFetcher):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(allow_private=True, **kwargs)  # type: ignore[arg-type]

    def resolve(self, host: str, port: int, deadline: float) -> str:
        if host in LOCAL_HOSTS:
            return "127.0.0.1"
        return super().resolve(host, port, deadline)
