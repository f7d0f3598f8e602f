"""The evidence policy: pure functions, every rule."""

from datetime import timedelta

import pytest

from lifeline.recovery.policy import (
    AccountSize,
    Level,
    ProofFact,
    Strength,
    cooling_off,
    evaluate,
    evidence_level,
    is_critical,
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
    assert any("shared a security boundary" in r for r in reasons)


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
    assert repository_boundary("GitHub.com", "/Alice/tool/blob/main/x") == "github.com/alice"
    # Off a code host, one host is one controller: two paths are one boundary.
    assert repository_boundary("alice.example", "/a") == repository_boundary("alice.example", "/b")
    assert repository_boundary("alice.dev", "/") == "alice.dev"
