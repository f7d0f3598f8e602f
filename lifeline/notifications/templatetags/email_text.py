"""Template filters for emails' wording."""

from __future__ import annotations

from django import template

register = template.Library()

# Words spelt with a vowel that sound like a consonant ("a user", "a one-time code").
_CONSONANT_SOUND = ("uni", "use", "usu", "one", "eu")


@register.filter
def with_article(phrase: object) -> str:
    """'authenticator app' → 'an authenticator app'; 'passkey "Laptop"' → 'a passkey "Laptop"'."""
    text = str(phrase)
    lowered = text.lower()
    vowel = lowered[:1] in ("a", "e", "i", "o", "u") and not lowered.startswith(_CONSONANT_SOUND)
    return f"{'an' if vowel else 'a'} {text}"
