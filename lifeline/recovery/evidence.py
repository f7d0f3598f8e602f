"""Gather the facts the evidence policy needs, and ask it (``lifeline.recovery.policy``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count

from lifeline.accounts.services import addresses
from lifeline.recovery import conf, policy
from lifeline.recovery.models import RecoveryProof, RecoveryRequest


def proof_fact(proof: RecoveryProof) -> policy.ProofFact:
    """What the policy needs to know about one stored proof (the one place it is built)."""
    return policy.ProofFact(
        method=proof.method,
        strength=policy.Strength(proof.strength),
        ok=proof.result == RecoveryProof.Result.OK,
        boundary=policy.normalise_boundary(proof.boundary or proof.method),
        pending=proof.result == RecoveryProof.Result.PENDING,
    )


def proof_facts(request_obj: RecoveryRequest) -> list[policy.ProofFact]:
    return [proof_fact(p) for p in RecoveryProof.objects.filter(request=request_obj)]


def verified_addresses(user: Any | None) -> list[str]:
    return addresses.verified_addresses(user)


def independence_blockers(request_obj: RecoveryRequest) -> list[str]:
    """Why auto-approval must leave this case to a person, by proof independence
    (``policy.auto_approval_blockers``); empty when independence is no obstacle."""
    return policy.auto_approval_blockers(
        proof_facts(request_obj), verified_addresses=verified_addresses(request_obj.user)
    )


def _evaluate(facts: list[policy.ProofFact]) -> policy.Evidence:
    return policy.evaluate(
        facts, strong_period=conf.cooling_off_strong(), other_period=conf.cooling_off_other()
    )


def evidence_for(request_obj: RecoveryRequest) -> policy.Evidence:
    """The evidence level of a request, with its reasons and the cooling-off it implies."""
    return _evaluate(proof_facts(request_obj))


# Proofs the requester never sees, not even that they exist: a vouch tells whoever asks that
# the owner has recovery contacts, and a possibly malicious requester would press them.
HIDDEN_FROM_REQUESTER = frozenset({RecoveryProof.Method.VOUCH})


def shown_to_requester(proof: RecoveryProof) -> bool:
    return proof.method not in HIDDEN_FROM_REQUESTER


def evidence_for_requester(request_obj: RecoveryRequest) -> policy.Evidence:
    """:func:`evidence_for` as the requester may see it: without the hidden proofs, so the
    level and its reasons never move because a recovery contact answered."""
    proofs = RecoveryProof.objects.filter(request=request_obj).exclude(
        method__in=HIDDEN_FROM_REQUESTER
    )
    return _evaluate([proof_fact(p) for p in proofs])


def evidence_of_many(requests: Iterable[RecoveryRequest]) -> dict[int, policy.Evidence]:
    """:func:`evidence_for` of many requests at once (one query for all their proofs)."""
    by_request: dict[int, list[policy.ProofFact]] = {r.pk: [] for r in requests}
    # Only the fields a fact needs: the desk queue evaluates up to 500 cases per view, and
    # loading every proof's details and timestamps was a fifth of its time (issue 15).
    proofs = RecoveryProof.objects.filter(request_id__in=list(by_request)).only(
        "request_id", "method", "strength", "result", "boundary"
    )
    for proof in proofs:
        by_request[proof.request_id].append(proof_fact(proof))
    return {pk: _evaluate(facts) for pk, facts in by_request.items()}


def account_size(user: Any) -> policy.AccountSize:
    """The flag and the size of the biggest project the account can upload to.

    Every role counts, owner or maintainer: a maintainer can upload a release that every user
    of the project installs, so taking over a maintainer is as dangerous as taking over the
    owner.
    """
    return account_sizes([user])[user.pk]


def account_sizes(users: Iterable[Any]) -> dict[Any, policy.AccountSize]:
    """:func:`account_size` of many accounts at once, by user id: two queries in all."""
    from lifeline.index.models import Project, Role

    users = [u for u in users if u is not None]
    ids = {u.pk for u in users}
    roles = list(
        Role.objects.filter(
            user_id__in=ids, role__in=[Role.Kind.OWNER, Role.Kind.MAINTAINER]
        ).values_list("user_id", "project_id")
    )
    # Counted per project (not by joining roles to this account) so the role count counts
    # *every* role of the project.
    sizes: dict[int, tuple[int, int]] = {}
    if roles:
        projects = Project.objects.filter(pk__in={p for _, p in roles}).annotate(
            n_releases=Count("releases", distinct=True), n_roles=Count("roles", distinct=True)
        )
        for pk, n_releases, n_roles in projects.values_list("pk", "n_releases", "n_roles"):
            sizes[pk] = (n_releases, n_roles)
    projects_of: dict[Any, list[tuple[int, int]]] = {pk: [] for pk in ids}
    for user_id, project_id in roles:
        projects_of[user_id].append(sizes.get(project_id, (0, 0)))
    return {
        u.pk: policy.AccountSize(
            flagged_critical=bool(getattr(u, "is_critical", False)),
            max_releases=max((r for r, _ in projects_of[u.pk]), default=0),
            max_maintainers=max((m for _, m in projects_of[u.pk]), default=0),
        )
        for u in users
    }


def account_is_critical(user: Any | None) -> tuple[bool, list[str]]:
    """Whether recovering ``user`` needs two approvers (see the policy), with reasons."""
    if user is None:
        return False, []
    return critical_from_size(account_size(user))


def accounts_critical(users: Iterable[Any]) -> dict[Any, tuple[bool, list[str]]]:
    """:func:`account_is_critical` of many accounts at once (two queries), by user id."""
    return {pk: critical_from_size(size) for pk, size in account_sizes(users).items()}


def critical_from_size(size: policy.AccountSize) -> tuple[bool, list[str]]:
    return policy.is_critical(
        size,
        release_threshold=conf.get("LIFELINE_RECOVERY_CRITICAL_RELEASES"),
        maintainer_threshold=conf.get("LIFELINE_RECOVERY_CRITICAL_MAINTAINERS"),
    )


def account_is_contested(user: Any | None) -> bool:
    """True when the owner has cancelled a recovery request for this account."""
    if user is None:
        return False
    return RecoveryRequest.objects.filter(user=user, contested=True).exists()
