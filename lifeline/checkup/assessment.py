"""The security checkup's verdict: a pure function of plain facts (no database, no clock).

**The rule.** An account is *Strong* when losing any one thing cannot lock its owner out:

- *sign-in*: after losing any one second factor, another still works. The second factors
  are the authenticator app, each security key or passkey, and the saved recovery codes
  (they count once the owner confirmed saving them and at least one is left); so there
  must be at least two of them;
- *the way back to the password, and to being told*: after losing any one address, or a
  whole email domain (it lapsed, the employer closed the mailbox), a verified, reachable
  address is left, so the password can still be reset and security notices still arrive;
  so verified addresses must sit at two or more registrable domains;

and nothing else on the checklist is open (codes confirmed and more than two left, a
phishing-resistant key or passkey, no stale API token, no address that stopped reaching
its owner, a review within the last six months). Recovery contacts are recommended but
optional: they never decide the status.

*At risk* means one loss (or one stolen password) is already enough: no second factor at
all, a single way through 2FA, or no verified address. Everything else is *Needs
attention*, with the open items listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

REVIEW_EVERY = timedelta(days=182)
LOW_CODES = 2  # this many codes left, or fewer, is "running low"
STRONG_RULE = (
    "Strong means that losing any one thing — a second factor, an email address or a whole "
    "email domain — still leaves you a way to sign in and an address we can reach you at."
)
KEY_WHY = (
    "A security key or passkey is the strongest second factor, because it only ever answers "
    "the real site it was registered on, so a look-alike phishing page gets nothing from it."
)


class Status(StrEnum):
    STRONG = "strong"
    ATTENTION = "attention"
    AT_RISK = "at_risk"

    @property
    def label(self) -> str:
        return {"strong": "Strong", "attention": "Needs attention", "at_risk": "At risk"}[self]


class Item(StrEnum):
    """Checklist items, in the order the page shows them."""

    ADDRESSES = "addresses"
    TWO_FACTOR = "two_factor"
    CODES = "codes"
    DEVICES = "devices"
    TOKENS = "tokens"
    CONTACTS = "contacts"
    REVIEW = "review"


@dataclass(frozen=True)
class Facts:
    """What the checkup knows about one account. ``verified_domains`` holds the registrable
    domain of each verified, reachable address (one entry per address)."""

    verified_domains: tuple[str, ...] = ()
    unreachable_addresses: int = 0  # not verified: pending, or unverified by bounces/RDAP
    has_totp: bool = False
    webauthn_keys: int = 0
    has_codes: bool = False
    codes_confirmed: bool = False
    codes_left: int = 0
    stale_tokens: int = 0
    contacts: int | None = None  # None: recovery contacts are not available here
    last_review: datetime | None = None
    joined: datetime | None = None
    now: datetime | None = None

    @property
    def codes_usable(self) -> bool:
        return self.has_codes and self.codes_confirmed and self.codes_left > 0

    @property
    def second_factors(self) -> int:
        return int(self.has_totp) + self.webauthn_keys + int(self.codes_usable)

    @property
    def has_method(self) -> bool:
        return self.has_totp or self.webauthn_keys > 0

    @property
    def domains(self) -> int:
        return len(set(self.verified_domains))

    @property
    def review_due(self) -> bool:
        if self.now is None:
            return False
        since = self.last_review or self.joined
        return since is None or self.now - since >= REVIEW_EVERY


@dataclass(frozen=True)
class Finding:
    item: Item
    ok: bool
    summary: str  # the state, in words
    optional: bool = False


@dataclass(frozen=True)
class Assessment:
    status: Status
    reason: str  # one sentence
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    lockout_safe: bool = False

    @property
    def open_items(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok and not f.optional]

    @property
    def finding(self) -> dict[str, Finding]:
        return {f.item.value: f for f in self.findings}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _addresses(f: Facts) -> Finding:
    count = len(f.verified_domains)
    if count == 0:
        return Finding(Item.ADDRESSES, False, "No verified address: we cannot reach you.")
    if f.unreachable_addresses:
        return Finding(
            Item.ADDRESSES,
            False,
            f"{_plural(f.unreachable_addresses, 'address')} not verified: verify or remove.",
        )
    if f.domains < 2:
        where = "one address" if count == 1 else "addresses at one email domain only"
        return Finding(Item.ADDRESSES, False, f"You have {where}: add one at another domain.")
    return Finding(Item.ADDRESSES, True, f"{count} verified addresses at {f.domains} domains.")


def _two_factor(f: Facts) -> Finding:
    if not f.has_method:
        return Finding(Item.TWO_FACTOR, False, "Off: a password alone protects this account.")
    methods = int(f.has_totp) + f.webauthn_keys
    if f.second_factors < 2:
        return Finding(Item.TWO_FACTOR, False, "One way through 2FA: losing it locks you out.")
    if f.webauthn_keys == 0:
        return Finding(
            Item.TWO_FACTOR, False, f"{_plural(methods, 'method')}, none phishing-resistant."
        )
    return Finding(Item.TWO_FACTOR, True, f"{_plural(methods, 'method')}, with a key or passkey.")


def _codes(f: Facts) -> Finding:
    if not f.has_codes:
        return Finding(Item.CODES, False, "None yet: they come with your first 2FA method.")
    if not f.codes_confirmed:
        return Finding(Item.CODES, False, "Not confirmed as saved.")
    # The count itself is on the two-factor card of the same page; the checklist says what it means.
    if f.codes_left <= LOW_CODES:
        return Finding(Item.CODES, False, "Running low: make new ones.")
    return Finding(Item.CODES, True, "Saved, with enough left.")


def _tokens(f: Facts) -> Finding:
    if f.stale_tokens:
        return Finding(
            Item.TOKENS, False, f"{_plural(f.stale_tokens, 'token')} unused for 90 days."
        )
    return Finding(Item.TOKENS, True, "None unused for 90 days.")


def _contacts(f: Facts) -> Finding | None:
    if f.contacts is None:
        return None
    if f.contacts:
        return Finding(Item.CONTACTS, True, f"{_plural(f.contacts, 'contact')}.", optional=True)
    return Finding(Item.CONTACTS, False, "None named (optional).", optional=True)


def _review(f: Facts) -> Finding:
    if f.review_due:
        text = "Never reviewed." if f.last_review is None else "Last review over 6 months ago."
        return Finding(Item.REVIEW, False, text)
    if f.last_review is None:
        return Finding(Item.REVIEW, True, "Not reviewed yet (due 6 months after you joined).")
    return Finding(Item.REVIEW, True, "Reviewed in the last 6 months.")


def _reason(f: Facts, status: Status, open_items: list[Finding]) -> str:
    if status is Status.AT_RISK:
        if not f.has_method:
            return "Anyone with your password can sign in: add a second factor."
        if not f.verified_domains:
            return "We have no verified address to reach you or reset your password at."
        return "You have one way through two-factor sign-in: losing it would lock you out."
    if status is Status.STRONG:
        return "Losing any one factor or address cannot lock you out."
    if f.domains < 2:
        return "Losing your one email domain would leave no way to reset your password."
    verb = "needs" if len(open_items) == 1 else "need"
    return f"{_plural(len(open_items), 'item')} below still {verb} doing."


def assess(facts: Facts) -> Assessment:
    """The overall status, its reason in one sentence, and one finding per checklist item."""
    findings = [_addresses(facts), _two_factor(facts), _codes(facts)]
    findings += [Finding(Item.DEVICES, True, "End or forget any you don't recognise.")]
    findings += [_tokens(facts)]
    contacts = _contacts(facts)
    findings += [contacts] if contacts else []
    findings += [_review(facts)]
    signin_safe = facts.second_factors >= 2
    lockout_safe = signin_safe and facts.domains >= 2
    open_items = [f for f in findings if not f.ok and not f.optional]
    if not facts.has_method or not facts.verified_domains or not signin_safe:
        status = Status.AT_RISK
    elif lockout_safe and not open_items:
        status = Status.STRONG
    else:
        status = Status.ATTENTION
    return Assessment(
        status=status,
        reason=_reason(facts, status, open_items),
        findings=tuple(findings),
        lockout_safe=lockout_safe,
    )
