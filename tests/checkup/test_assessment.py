"""The checkup's verdict for every combination that matters (a pure function: no database).

The rule under test: "Strong" means losing any one second factor, address or email domain
cannot lock the owner out, and nothing else is open. Each row names the account, the
status and the words the owner reads.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from lifeline.checkup.assessment import REVIEW_EVERY, Facts, Item, Status, assess

NOW = datetime(2026, 6, 1, tzinfo=UTC)
TWO_DOMAINS = ("alice.dev", "example.org")

# Strong: TOTP + a key + saved codes, addresses at two domains, reviewed, no stale token.
STRONG = Facts(
    verified_domains=TWO_DOMAINS,
    has_totp=True,
    webauthn_keys=1,
    has_codes=True,
    codes_confirmed=True,
    codes_left=10,
    last_review=NOW - timedelta(days=10),
    joined=NOW - timedelta(days=400),
    now=NOW,
)

CASES = [
    # (id, changes to STRONG, status, words in the reason, open items)
    ("strong", {}, Status.STRONG, "cannot lock you out", set()),
    ("two keys, no app", {"has_totp": False, "webauthn_keys": 2}, Status.STRONG, "cannot", set()),
    (
        "key and saved codes only",
        {"has_totp": False},
        Status.STRONG,
        "cannot lock you out",
        set(),
    ),
    # At risk: the password alone, or one way through 2FA, or no address.
    (
        "no 2FA at all",
        {"has_totp": False, "webauthn_keys": 0, "has_codes": False, "codes_confirmed": False},
        Status.AT_RISK,
        "Anyone with your password",
        {Item.TWO_FACTOR, Item.CODES},
    ),
    (
        "app only, codes never confirmed",
        {"webauthn_keys": 0, "codes_confirmed": False},
        Status.AT_RISK,
        "one way through two-factor",
        {Item.TWO_FACTOR, Item.CODES},
    ),
    (
        "key only, every code used",
        {"has_totp": False, "codes_left": 0},
        Status.AT_RISK,
        "one way through two-factor",
        {Item.TWO_FACTOR, Item.CODES},
    ),
    (
        "no verified address",
        {"verified_domains": (), "unreachable_addresses": 1},
        Status.AT_RISK,
        "no verified address",
        {Item.ADDRESSES},
    ),
    (
        "no 2FA, one address (a new account)",
        {
            "verified_domains": ("alice.dev",),
            "has_totp": False,
            "webauthn_keys": 0,
            "has_codes": False,
            "codes_confirmed": False,
        },
        Status.AT_RISK,
        "Anyone with your password",
        {Item.ADDRESSES, Item.TWO_FACTOR, Item.CODES},
    ),
    # Needs attention: sign-in survives one loss, but an address or a chore does not.
    (
        "one address",
        {"verified_domains": ("alice.dev",)},
        Status.ATTENTION,
        "one email domain",
        {Item.ADDRESSES},
    ),
    (
        "two addresses at one domain",
        {"verified_domains": ("alice.dev", "alice.dev")},
        Status.ATTENTION,
        "one email domain",
        {Item.ADDRESSES},
    ),
    (
        "an address that bounced",
        {"unreachable_addresses": 1},
        Status.ATTENTION,
        "1 item",
        {Item.ADDRESSES},
    ),
    (
        "app and codes, no key",
        {"webauthn_keys": 0},
        Status.ATTENTION,
        "1 item",
        {Item.TWO_FACTOR},
    ),
    (
        "two keys, codes unconfirmed",
        {"has_totp": False, "webauthn_keys": 2, "codes_confirmed": False},
        Status.ATTENTION,
        "1 item",
        {Item.CODES},
    ),
    ("two codes left", {"codes_left": 2}, Status.ATTENTION, "1 item", {Item.CODES}),
    ("three codes left", {"codes_left": 3}, Status.STRONG, "cannot", set()),
    ("a stale token", {"stale_tokens": 2}, Status.ATTENTION, "1 item", {Item.TOKENS}),
    (
        "review overdue",
        {"last_review": NOW - REVIEW_EVERY},
        Status.ATTENTION,
        "1 item",
        {Item.REVIEW},
    ),
    (
        "never reviewed, joined long ago",
        {"last_review": None},
        Status.ATTENTION,
        "1 item",
        {Item.REVIEW},
    ),
    (
        "never reviewed, joined last week",
        {"last_review": None, "joined": NOW - timedelta(days=7)},
        Status.STRONG,
        "cannot",
        set(),
    ),
    (
        "two chores",
        {"stale_tokens": 1, "codes_left": 1},
        Status.ATTENTION,
        "2 items below still need",
        {Item.TOKENS, Item.CODES},
    ),
    # Recovery contacts are optional: they never decide the status.
    ("no contacts", {"contacts": 0}, Status.STRONG, "cannot", set()),
    ("one contact", {"contacts": 1}, Status.STRONG, "cannot", set()),
]


@pytest.mark.parametrize(
    ("changes", "status", "reason", "open_items"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_status_reason_and_open_items(changes, status, reason, open_items):
    result = assess(replace(STRONG, **changes))
    assert result.status is status
    assert reason in result.reason
    assert {f.item for f in result.open_items} == open_items


@pytest.mark.parametrize(
    "loss",
    [
        {"has_totp": False},
        {"webauthn_keys": 0},
        {"codes_left": 0},
        {"verified_domains": ("alice.dev",)},
        {"verified_domains": ("example.org",)},
    ],
    ids=["lose the app", "lose the key", "lose the codes", "lose example.org", "lose alice.dev"],
)
def test_strong_survives_any_single_loss(loss):
    """The rule itself: from Strong, one loss leaves a way to sign in and an address."""
    assert assess(STRONG).status is Status.STRONG
    after = replace(STRONG, **loss)
    assert after.second_factors >= 1
    assert after.verified_domains
    assert after.second_factors >= 2
    assert assess(after).status is not Status.AT_RISK


def test_strong_is_always_lockout_safe():
    """No combination reaches Strong without two second factors and two domains."""
    for totp in (False, True):
        for keys in (0, 1, 2):
            for codes_left in (0, 1, 5):
                for domains in ((), ("a.dev",), ("a.dev", "a.dev"), ("a.dev", "b.org")):
                    facts = replace(
                        STRONG,
                        has_totp=totp,
                        webauthn_keys=keys,
                        codes_left=codes_left,
                        verified_domains=domains,
                    )
                    result = assess(facts)
                    if result.status is Status.STRONG:
                        assert facts.second_factors >= 2 and facts.domains >= 2
                        assert result.lockout_safe


def test_contacts_item_is_hidden_when_the_feature_is_absent():
    assert Item.CONTACTS not in {f.item for f in assess(STRONG).findings}
    row = assess(replace(STRONG, contacts=0)).finding["contacts"]
    assert row.optional and not row.ok
