"""Registrable domains (eTLD+1) from the bundled Public Suffix List."""

import pytest

from lifeline.core.domains import registrable_domain


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("docs.alice.dev", "alice.dev"),
        ("alice.dev", "alice.dev"),
        ("Alice@Mail.Alice.DEV.", "alice.dev"),  # an address, mixed case, trailing dot
        ("www.alice.co.uk", "alice.co.uk"),  # a multi-label public suffix
        ("alice.github.io", "alice.github.io"),  # a private-section suffix: one user's own
        ("Bücher.example", "xn--bcher-kva.example"),  # IDNA, same as its ASCII form
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("192.0.2.7", "192.0.2.7"),  # an IP literal is its own boundary
        ("[2001:DB8::1]", "2001:db8::1"),
        ("localhost", "localhost"),  # no registrable part: the name itself
        ("co.uk", "co.uk"),
        ("", ""),
    ],
)
def test_registrable_domain(value, expected):
    assert registrable_domain(value) == expected
