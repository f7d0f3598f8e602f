"""The evidence policy: pure functions, no database, no settings lookups, no clock.

Callers (``lifeline.recovery.services.evidence``) gather the facts and the configured
thresholds and pass them in; this module only decides. That keeps every rule unit-testable
and makes the policy readable in one place (docs/recovery.md explains it for operators).

Rules
-----
* Each successful proof has a *strength* (strong, medium, weak) and a *boundary*: the thing
  an attacker would have to compromise to forge it. Two proofs behind the same boundary
  (two API tokens of the same account, two files in the same GitHub organisation) are one
  proof, not two.
* **strong** evidence: at least two independent proofs of at least medium strength, one of
  them strong.
* **moderate** evidence: one strong proof, or two independent medium proofs.
* **weak** evidence: anything less. Account knowledge is weak and is never enough alone.
* **critical** account: staff flagged it, or it owns a project at or above the configured
  number of releases or maintainers.
* **cooling-off**: the strong period (24 h by default) for strong evidence, the long period
  (7 days) otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum


class Strength(StrEnum):
    STRONG = "strong"
    MEDIUM = "medium"
    WEAK = "weak"


class Level(StrEnum):
    STRONG = "strong"
    MODERATE = "moderate"
    WEAK = "weak"


_RANK = {Strength.STRONG: 3, Strength.MEDIUM: 2, Strength.WEAK: 1}

METHOD_LABELS = {
    "api_token": "API token possession",
    "repository": "Repository or homepage challenge",
    "device": "Verified device",
    "password": "Current password",
    "email_code": "Code sent to a previously verified address",
    "knowledge": "Account knowledge",
}


@dataclass(frozen=True)
class ProofFact:
    """What the policy needs to know about one proof attempt."""

    method: str
    strength: Strength
    ok: bool
    boundary: str  # e.g. "api_token", "repository:github.com/alice", "device"


@dataclass(frozen=True)
class Evidence:
    level: Level
    reasons: list[str] = field(default_factory=list)
    cooling_off: timedelta = timedelta(days=7)
    independent_proofs: int = 0


@dataclass(frozen=True)
class AccountSize:
    flagged_critical: bool
    max_releases: int
    max_maintainers: int


def independent(proofs: Iterable[ProofFact]) -> dict[str, ProofFact]:
    """The best successful proof per boundary (a boundary counts once)."""
    best: dict[str, ProofFact] = {}
    for proof in proofs:
        if not proof.ok:
            continue
        current = best.get(proof.boundary)
        if current is None or _RANK[proof.strength] > _RANK[current.strength]:
            best[proof.boundary] = proof
    return best


def label(method: str) -> str:
    return METHOD_LABELS.get(method, method.replace("_", " ").capitalize())


def evidence_level(proofs: Iterable[ProofFact]) -> tuple[Level, list[str]]:
    """The evidence level and the reasons for it, in words."""
    proofs = list(proofs)
    best = independent(proofs)
    strong = [p for p in best.values() if p.strength == Strength.STRONG]
    medium = [p for p in best.values() if p.strength == Strength.MEDIUM]
    weak = [p for p in best.values() if p.strength == Strength.WEAK]
    counted = len(strong) + len(medium)
    reasons: list[str] = []
    for proof in sorted(best.values(), key=lambda p: -_RANK[p.strength]):
        reasons.append(f"{label(proof.method)} succeeded ({proof.strength.value}).")
    failed = sum(1 for p in proofs if not p.ok)
    if failed:
        reasons.append(f"{failed} proof attempt{'s' if failed != 1 else ''} failed.")
    duplicates = sum(1 for p in proofs if p.ok) - len(best)
    if duplicates > 0:
        reasons.append(
            f"{duplicates} successful proof{'s' if duplicates != 1 else ''} shared a security "
            "boundary with another and counted once."
        )

    if strong and counted >= 2:
        level = Level.STRONG
        reasons.append(
            f"{counted} independent proofs, {len(strong)} of them strong: strong evidence."
        )
    elif strong:
        level = Level.MODERATE
        reasons.append(
            "One strong proof: add an independent proof (another repository, a device, a code "
            "to an old address, your password) to reach strong evidence."
        )
    elif len(medium) >= 2:
        level = Level.MODERATE
        reasons.append(f"{len(medium)} independent medium proofs but no strong one.")
    else:
        level = Level.WEAK
        if not best:
            reasons.append("No proof has succeeded yet.")
        elif medium:
            reasons.append("One medium proof alone is weak evidence.")
        if weak and not strong and not medium:
            reasons.append("Account knowledge is weak evidence and never enough on its own.")
    return level, reasons


def cooling_off(level: Level, *, strong_period: timedelta, other_period: timedelta) -> timedelta:
    """The wait between approval and restore that this evidence level implies."""
    return strong_period if level == Level.STRONG else other_period


def evaluate(
    proofs: Iterable[ProofFact], *, strong_period: timedelta, other_period: timedelta
) -> Evidence:
    proofs = list(proofs)
    level, reasons = evidence_level(proofs)
    return Evidence(
        level=level,
        reasons=reasons,
        cooling_off=cooling_off(level, strong_period=strong_period, other_period=other_period),
        independent_proofs=len(
            [p for p in independent(proofs).values() if p.strength != Strength.WEAK]
        ),
    )


def is_critical(
    size: AccountSize, *, release_threshold: int, maintainer_threshold: int
) -> tuple[bool, list[str]]:
    """Whether recovering this account needs two approvers, and why."""
    reasons: list[str] = []
    if size.flagged_critical:
        reasons.append("Staff marked this account critical.")
    if release_threshold and size.max_releases >= release_threshold:
        reasons.append(
            f"It owns a project with {size.max_releases} releases (threshold {release_threshold})."
        )
    if maintainer_threshold and size.max_maintainers >= maintainer_threshold:
        reasons.append(
            f"It owns a project with {size.max_maintainers} maintainers "
            f"(threshold {maintainer_threshold})."
        )
    return bool(reasons), reasons


# Code hosts where the first path segment is an account: github.com/alice and github.com/bob
# are controlled by different people. Anywhere else, one host is one controller.
FORGE_HOSTS = frozenset(
    {"github.com", "gitlab.com", "codeberg.org", "bitbucket.org", "git.sr.ht", "salsa.debian.org"}
)


def repository_boundary(host: str, path: str, forge_hosts: frozenset[str] = FORGE_HOSTS) -> str:
    """The security boundary of a repository URL: who controls what is published there.

    On a code host, the host and its first path segment: ``https://github.com/alice/tool/x``
    and ``https://github.com/alice/other`` share ``github.com/alice``, since whoever controls
    the account ``alice`` controls both. On any other host, the host alone:
    ``alice.example/a`` and ``alice.example/b`` are one controller, so one proof.
    """
    host = host.lower()
    if host not in forge_hosts:
        return host
    segments = [s for s in path.split("/") if s]
    owner = segments[0].lower() if segments else ""
    return f"{host}/{owner}"
