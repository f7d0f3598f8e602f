"""The evidence policy: pure functions, no database, no settings lookups, no clock.

Callers (``lifeline.recovery.evidence``) gather the facts and the configured
thresholds and pass them in; this module only decides. That keeps every rule unit-testable
and makes the policy readable in one place (docs/recovery.md explains it for operators).

Rules
-----
* Each successful proof has a *strength* (strong, medium, weak) and one or more
  *boundaries*: what an attacker must control to forge it.

  - an emailed code: the address's registrable domain (``domain:alice.dev``);
  - a repository or homepage file on a code host: the host and the account on it
    (``repository:github.com/alice``); anywhere else, the registrable domain of the host
    (``domain:alice.dev``), so a file on ``docs.alice.dev`` and mail at ``alice.dev`` are
    one boundary;
  - the password: ``password``, unless it was last set through an emailed reset link, in
    which case it is the domain of every address a reset link went to;
  - an API token: ``api_token``; a known browser: ``device``.

  Proofs that share a boundary, directly or through a chain of shared boundaries, form one
  *group* and count as **one** proof: a single compromise could forge all of them.
* **strong** evidence: at least two independent proofs (groups) of at least medium
  strength, one of them strong.
* **moderate** evidence: one strong proof, or two independent medium proofs.
* **weak** evidence: anything less. Account knowledge is weak and is never enough alone.
* **auto-approval** is refused when every strong proof shares a boundary with a medium one,
  or when the account's only verified address lies in a strong proof's boundary (the one
  mailbox the owner would be warned at is the one the attacker may hold).
* **critical** account: staff flagged it, or it can upload to (owns or maintains) a project
  at or above the configured number of releases or maintainers.
* **cooling-off**: the strong period (24 h by default) for strong evidence, the long period
  (7 days) otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum, nonmember

from lifeline.core.domains import registrable_domain


class Method(StrEnum):
    """The ways a requester can prove they own the account (the one definition)."""

    do_not_call_in_templates = nonmember(True)

    API_TOKEN = "api_token"  # noqa: S105 - a method name, not a secret
    REPOSITORY = "repository"
    DEVICE = "device"
    PASSWORD = "password"  # noqa: S105 - a method name, not a secret
    EMAIL_CODE = "email_code"
    KNOWLEDGE = "knowledge"
    VOUCH = "vouch"  # a recovery contact's answer (vouch.py), not chosen by the requester


METHOD_LABELS: dict[str, str] = {
    Method.API_TOKEN: "API token possession",
    Method.REPOSITORY: "Repository or homepage challenge",
    Method.DEVICE: "Verified device",
    Method.PASSWORD: "Current password",
    Method.EMAIL_CODE: "Code to a previously verified address",
    Method.KNOWLEDGE: "Account knowledge",
    Method.VOUCH: "Vouch from a recovery contact",
}
METHOD_CHOICES: list[tuple[str, str]] = [(m.value, METHOD_LABELS[m]) for m in Method]


class Strength(StrEnum):
    do_not_call_in_templates = nonmember(True)

    STRONG = "strong"
    MEDIUM = "medium"
    WEAK = "weak"


STRENGTH_CHOICES: list[tuple[str, str]] = [(s.value, s.value.capitalize()) for s in Strength]


class Level(StrEnum):
    STRONG = "strong"
    MODERATE = "moderate"
    WEAK = "weak"


_RANK = {Strength.STRONG: 3, Strength.MEDIUM: 2, Strength.WEAK: 1}


# A proof stored with several boundaries joins them with this separator.
BOUNDARY_SEP = "|"


@dataclass(frozen=True)
class ProofFact:
    """What the policy needs to know about one proof attempt."""

    method: str
    strength: Strength
    ok: bool
    boundary: str  # e.g. "api_token", "repository:github.com/alice", "domain:alice.dev"
    pending: bool = False  # a check still running: neither a success nor a failure

    @property
    def boundaries(self) -> frozenset[str]:
        found = frozenset(b for b in self.boundary.split(BOUNDARY_SEP) if b)
        return found or frozenset({self.method})

    @property
    def counts(self) -> bool:
        return self.ok and not self.pending


@dataclass(frozen=True)
class ProofGroup:
    """Successful proofs that one compromise could forge together: they count once."""

    proofs: tuple[ProofFact, ...]
    boundaries: frozenset[str]

    @property
    def best(self) -> ProofFact:
        return max(self.proofs, key=lambda p: _RANK[p.strength])

    @property
    def strength(self) -> Strength:
        return self.best.strength


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


# --- boundaries -------------------------------------------------------------------------------

# Code hosts where the first path segment is an account: github.com/alice and github.com/bob
# are controlled by different people. Anywhere else, one registrable domain is one controller.
FORGE_HOSTS = frozenset(
    {"github.com", "gitlab.com", "codeberg.org", "bitbucket.org", "git.sr.ht", "salsa.debian.org"}
)


def domain_boundary(host_or_email: str) -> str:
    """The boundary of anything a domain's controller can forge: its mail, its web pages."""
    return "domain:" + registrable_domain(host_or_email)


def repository_boundary(host: str, path: str, forge_hosts: frozenset[str] = FORGE_HOSTS) -> str:
    """The security boundary of a repository or homepage URL: who controls what is there.

    On a code host, the host and its first path segment: ``https://github.com/alice/tool/x``
    and ``https://github.com/alice/other`` share ``repository:github.com/alice``, since
    whoever controls the account ``alice`` controls both. On any other host, the host's
    registrable domain: ``docs.alice.dev/a`` and ``alice.dev/b`` are one controller, and the
    same one as mail at ``alice.dev`` (``domain:alice.dev``).
    """
    host = host.lower().rstrip(".")
    if host not in forge_hosts:
        return domain_boundary(host)
    segments = [s for s in path.split("/") if s]
    owner = segments[0].lower() if segments else ""
    return f"repository:{host}/{owner}"


def normalise_boundary(boundary: str) -> str:
    """Bring a stored boundary to today's vocabulary (rows written before the domain rule
    kept ``email:<address>`` and ``repository:<host>``)."""
    parts = []
    for part in boundary.split(BOUNDARY_SEP):
        if part.startswith("email:"):
            part = domain_boundary(part.removeprefix("email:"))
        elif part.startswith("repository:") and "/" not in part:
            part = domain_boundary(part.removeprefix("repository:"))
        if part:
            parts.append(part)
    return BOUNDARY_SEP.join(dict.fromkeys(parts))


def describe_boundary(boundary: str) -> str:
    """A boundary in words, for reasons staff and requesters read."""
    kind, _, rest = boundary.partition(":")
    if kind == "recovery_contact":
        return "a recovery contact's account"
    if kind == "domain":
        return f"the domain {rest}"
    if kind == "repository":
        host, _, account = rest.partition("/")
        return f"the account {account} on {host}" if account else f"the host {host}"
    return {
        "api_token": "the account's API tokens",
        "device": "a browser that signed in before",
        "password": "the account's password",
        "knowledge": "what is known about the account",
    }.get(boundary, boundary)


# --- independence -----------------------------------------------------------------------------


def independent_groups(proofs: Iterable[ProofFact]) -> list[ProofGroup]:
    """Successful proofs grouped by shared boundaries (transitively): one group, one proof.

    Grouping is transitive on purpose: if A and B share a domain and B and C share another,
    the three count once. That can undercount an honest owner (staff still decide), and it
    never lets one compromise count twice.
    """
    groups: list[tuple[list[ProofFact], set[str]]] = []
    for proof in proofs:
        if not proof.counts:
            continue
        members, bounds = [proof], set(proof.boundaries)
        remaining = []
        for group in groups:
            if group[1] & bounds:
                members.extend(group[0])
                bounds |= group[1]
            else:
                remaining.append(group)
        groups = [*remaining, (members, bounds)]
    return [ProofGroup(tuple(members), frozenset(bounds)) for members, bounds in groups]


def independent(proofs: Iterable[ProofFact]) -> dict[str, ProofFact]:
    """The best successful proof of each independent group, keyed by its boundaries."""
    return {BOUNDARY_SEP.join(sorted(g.boundaries)): g.best for g in independent_groups(proofs)}


def label(method: str) -> str:
    return METHOD_LABELS.get(method, method.replace("_", " ").capitalize())


def _words(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _shared_reason(group: ProofGroup) -> str:
    names = [label(p.method).lower() for p in group.proofs]
    names = [
        f"{n} ({names[:i].count(n) + 1})" if names.count(n) > 1 else n for i, n in enumerate(names)
    ]
    where = _words([describe_boundary(b) for b in sorted(group.boundaries)])
    return (
        f"The {_words(names)} proofs all depend on {where}: whoever controls it could forge "
        "them together, so they count as one proof."
    )


def evidence_level(proofs: Iterable[ProofFact]) -> tuple[Level, list[str]]:
    """The evidence level and the reasons for it, in words."""
    proofs = list(proofs)
    groups = independent_groups(proofs)
    strong = [g for g in groups if g.strength == Strength.STRONG]
    medium = [g for g in groups if g.strength == Strength.MEDIUM]
    weak = [g for g in groups if g.strength == Strength.WEAK]
    counted = len(strong) + len(medium)
    reasons: list[str] = []
    for group in sorted(groups, key=lambda g: -_RANK[g.strength]):
        best = group.best
        reasons.append(f"{label(best.method)} succeeded ({best.strength.value}).")
    failed = sum(1 for p in proofs if not p.ok and not p.pending)
    if failed:
        reasons.append(f"{failed} proof attempt{'s' if failed != 1 else ''} failed.")
    pending = sum(1 for p in proofs if p.pending)
    if pending:
        reasons.append(f"{pending} check{'s are' if pending != 1 else ' is'} still running.")
    for group in groups:
        if len(group.proofs) > 1:
            reasons.append(_shared_reason(group))

    if strong and counted >= 2:
        level = Level.STRONG
        reasons.append(
            f"{counted} independent proofs, {len(strong)} of them strong: strong evidence."
        )
    elif strong:
        level = Level.MODERATE
        reasons.append(
            "One strong proof: add an independent proof (one that does not depend on the same "
            "domain or account: a device, another repository, a code to an address elsewhere) "
            "to reach strong evidence."
        )
    elif len(medium) >= 2:
        level = Level.MODERATE
        reasons.append(f"{len(medium)} independent medium proofs but no strong one.")
    else:
        level = Level.WEAK
        if not groups:
            reasons.append("No proof has succeeded yet.")
        elif medium:
            reasons.append("One medium proof alone is weak evidence.")
        if weak and not strong and not medium:
            reasons.append("Account knowledge is weak evidence and never enough on its own.")
    return level, reasons


def auto_approval_blockers(
    proofs: Iterable[ProofFact], *, verified_addresses: Sequence[str]
) -> list[str]:
    """Independence reasons why a case may not be approved without a person (empty: none).

    ``verified_addresses`` are the account's verified email addresses: where the owner is
    warned. Auto-approval is refused when

    * every strong proof shares a boundary with a medium proof: one compromise (a domain, a
      mailbox) may explain both the strong proof and the corroboration;
    * the account has one verified address and it lies in a strong proof's boundary: the
      only place the owner hears about the request is controlled by whoever forged it.
    """
    groups = independent_groups(proofs)
    strong = [g for g in groups if g.strength == Strength.STRONG]
    blockers: list[str] = []
    if strong and all(any(p.strength == Strength.MEDIUM for p in g.proofs) for g in strong):
        where = _words([describe_boundary(b) for g in strong for b in sorted(g.boundaries)])
        blockers.append(
            f"Every strong proof shares a boundary with a medium proof ({where}): one "
            "compromise could explain both, so a person must decide."
        )
    addresses = list(dict.fromkeys(a.lower() for a in verified_addresses))
    if len(addresses) == 1:
        only = domain_boundary(addresses[0])
        if any(only in g.boundaries for g in strong):
            blockers.append(
                f"The account's only verified address is in {describe_boundary(only)}, the "
                "boundary of a strong proof: the owner's one warning would go to the place "
                "the proof came from, so a person must decide."
            )
    return blockers


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
            [g for g in independent_groups(proofs) if g.strength != Strength.WEAK]
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
            f"It can upload to a project with {size.max_releases} releases "
            f"(threshold {release_threshold})."
        )
    if maintainer_threshold and size.max_maintainers >= maintainer_threshold:
        reasons.append(
            f"It can upload to a project with {size.max_maintainers} maintainers "
            f"(threshold {maintainer_threshold})."
        )
    return bool(reasons), reasons
