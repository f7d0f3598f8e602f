"""The evidence policy: pure functions, every rule."""

from datetime import timedelta

import pytest

from lifeline.recovery.policy import (
    AccountSize,
    Level,
    ProofFact,
    Strength,
    auto_approval_blockers,
    cooling_off,
    domain_boundary,
    evaluate,
    evidence_level,
    independent_groups,
    is_critical,
    normalise_boundary,
    repository_boundary,
)

TOKEN = ProofFact("api_token", Strength.STRONG, True, "api_token")
REPO = ProofFact("repository", Strength.STRONG, True, "repository:github.com/alice")
REPO_SAME_OWNER = ProofFact("repository", Strength.STRONG, True, "repository:github.com/alice")
DEVICE = ProofFact("device", Strength.MEDIUM, True, "device")
PASSWORD = ProofFact("password", Strength.MEDIUM, True, "password")
KNOWLEDGE = ProofFact("knowledge", Strength.WEAK, True, "knowledge")
FAILED_TOKEN = ProofFact("api_token", Strength.STRONG, False, "api_token")


def test_no_proof_is_weak():
    level, reasons = evidence_level([])
    assert level == Level.WEAK
    assert "No proof has succeeded yet." in reasons


def test_two_independent_strong_proofs_are_strong():
    level, reasons = evidence_level([TOKEN, REPO])
    assert level == Level.STRONG
    assert any("2 independent proofs" in r for r in reasons)


def test_strong_plus_medium_is_strong():
    assert evidence_level([TOKEN, DEVICE])[0] == Level.STRONG


def test_one_strong_proof_alone_is_moderate():
    level, reasons = evidence_level([TOKEN])
    assert level == Level.MODERATE
    assert any("add an independent proof" in r for r in reasons)


def test_same_boundary_counts_once():
    level, reasons = evidence_level([REPO, REPO_SAME_OWNER])
    assert level == Level.MODERATE
    assert any(
        "count as one proof" in r and "the account alice on github.com" in r for r in reasons
    )


def test_two_medium_proofs_are_moderate_not_strong():
    assert evidence_level([DEVICE, PASSWORD])[0] == Level.MODERATE


def test_one_medium_proof_is_weak():
    assert evidence_level([DEVICE])[0] == Level.WEAK


def test_knowledge_is_never_enough_and_never_the_second_proof():
    level, reasons = evidence_level([KNOWLEDGE])
    assert level == Level.WEAK
    assert any("never enough on its own" in r for r in reasons)
    assert evidence_level([TOKEN, KNOWLEDGE])[0] == Level.MODERATE


def test_failed_proofs_do_not_count_but_are_reported():
    level, reasons = evidence_level([FAILED_TOKEN, DEVICE])
    assert level == Level.WEAK
    assert "1 proof attempt failed." in reasons


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (Level.STRONG, timedelta(hours=24)),
        (Level.MODERATE, timedelta(days=7)),
        (Level.WEAK, timedelta(days=7)),
    ],
)
def test_cooling_off(level, expected):
    assert (
        cooling_off(level, strong_period=timedelta(hours=24), other_period=timedelta(days=7))
        == expected
    )


def test_evaluate_bundles_level_reasons_and_cooling_off():
    evidence = evaluate(
        [TOKEN, REPO, KNOWLEDGE], strong_period=timedelta(hours=1), other_period=timedelta(days=2)
    )
    assert evidence.level == Level.STRONG
    assert evidence.cooling_off == timedelta(hours=1)
    assert evidence.independent_proofs == 2


def test_critical_when_flagged_or_big():
    small = AccountSize(flagged_critical=False, max_releases=3, max_maintainers=1)
    assert is_critical(small, release_threshold=100, maintainer_threshold=5) == (False, [])
    flagged = AccountSize(flagged_critical=True, max_releases=0, max_maintainers=0)
    assert is_critical(flagged, release_threshold=100, maintainer_threshold=5)[0]
    big = AccountSize(flagged_critical=False, max_releases=150, max_maintainers=6)
    critical, reasons = is_critical(big, release_threshold=100, maintainer_threshold=5)
    assert critical and len(reasons) == 2


def test_repository_boundary_is_host_and_owner():
    assert (
        repository_boundary("GitHub.com", "/Alice/tool/blob/main/x")
        == "repository:github.com/alice"
    )
    # Off a code host, one registrable domain is one controller: two paths, two sub-domains,
    # and the domain's mail are one boundary.
    assert repository_boundary("alice.example", "/a") == repository_boundary("alice.example", "/b")
    assert repository_boundary("docs.alice.dev", "/") == "domain:alice.dev"
    assert repository_boundary("alice.dev.", "/x") == domain_boundary("Alice@Mail.Alice.Dev")
    # A user's site under a public suffix (github.io) is that user's own domain.
    assert repository_boundary("alice.github.io", "/") == "domain:alice.github.io"
    assert repository_boundary("bob.github.io", "/") != repository_boundary("alice.github.io", "/")


# --- independence by boundary ------------------------------------------------------------------

CODE_ALICE_DEV = ProofFact("email_code", Strength.MEDIUM, True, "domain:alice.dev")
HOMEPAGE_DOCS_ALICE_DEV = ProofFact("repository", Strength.STRONG, True, "domain:alice.dev")
PASSWORD_RESET_VIA_ALICE_DEV = ProofFact("password", Strength.MEDIUM, True, "domain:alice.dev")
CODE_GMAIL = ProofFact("email_code", Strength.MEDIUM, True, "domain:gmail.com")


def test_one_domain_is_one_proof_however_many_methods_use_it():
    level, reasons = evidence_level(
        [CODE_ALICE_DEV, PASSWORD_RESET_VIA_ALICE_DEV, HOMEPAGE_DOCS_ALICE_DEV]
    )
    assert level == Level.MODERATE
    assert any("the domain alice.dev" in r and "count as one proof" in r for r in reasons)


def test_a_proof_with_several_boundaries_joins_every_group_it_touches():
    # A password reset sent to two domains ties both emailed codes to it: all one proof.
    password = ProofFact("password", Strength.MEDIUM, True, "domain:alice.dev|domain:gmail.com")
    assert len(independent_groups([CODE_ALICE_DEV, CODE_GMAIL])) == 2
    assert len(independent_groups([CODE_ALICE_DEV, CODE_GMAIL, password])) == 1


def test_repository_on_a_code_host_and_code_elsewhere_are_independent():
    level, _ = evidence_level([REPO, CODE_GMAIL])
    assert level == Level.STRONG


def test_pending_checks_neither_count_nor_fail():
    pending = ProofFact("repository", Strength.STRONG, False, "domain:alice.dev", pending=True)
    level, reasons = evidence_level([pending, DEVICE])
    assert level == Level.WEAK
    assert "1 check is still running." in reasons
    assert not any("failed" in r for r in reasons)


def test_legacy_boundaries_are_read_by_domain():
    assert normalise_boundary("email:bob@Mail.Alice.dev") == "domain:alice.dev"
    assert normalise_boundary("repository:docs.alice.dev") == "domain:alice.dev"
    assert normalise_boundary("repository:github.com/alice") == "repository:github.com/alice"


def test_auto_approval_refused_when_every_strong_proof_shares_a_boundary_with_a_medium_one():
    blockers = auto_approval_blockers(
        [HOMEPAGE_DOCS_ALICE_DEV, CODE_ALICE_DEV, DEVICE], verified_addresses=["a@x.example"]
    )
    assert any("shares a boundary with a medium proof" in b for b in blockers)
    # A strong proof of its own keeps the case eligible.
    assert auto_approval_blockers([REPO, CODE_GMAIL], verified_addresses=["a@x.example"]) == []


def test_auto_approval_refused_when_the_only_address_is_in_a_strong_proofs_boundary():
    blockers = auto_approval_blockers(
        [HOMEPAGE_DOCS_ALICE_DEV, TOKEN], verified_addresses=["alice@alice.dev"]
    )
    assert any("only verified address" in b for b in blockers)
    # With a second address elsewhere, the owner can still be warned.
    assert (
        auto_approval_blockers(
            [HOMEPAGE_DOCS_ALICE_DEV, TOKEN],
            verified_addresses=["alice@alice.dev", "alice@gmail.com"],
        )
        == []
    )
