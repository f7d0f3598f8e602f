"""An address Lifeline stopped trusting cannot be verified again with an old link.

allauth's default confirmation keys are HMACs over the address id, valid for days whatever
happens to the address meanwhile: after a bounce or a lapsed domain unverified it, a
verification link read from the old mailbox (or by whoever now holds its domain) verified it
again. Lifeline stores the keys instead (``ACCOUNT_EMAIL_CONFIRMATION_HMAC = False``), and
here deletes every key of an address in the transaction that unverifies it, so only a link
sent *after* the unverification can verify it.

Why not allauth's verification by code (``ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED``),
which also closes this: see /tmp/helper_docs/prevention.md (it changes sign-up into a
same-session stage that signs the user in, and every sign-up test and journey with it).
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailConfirmation
from django.db.models.signals import post_save
from django.dispatch import receiver

from lifeline.events.tags import EventTag


def forget_confirmation_keys(*, user: Any, email: str) -> int:
    """Delete every stored verification key of ``user``'s address ``email``."""
    deleted, _ = EmailConfirmation.objects.filter(
        email_address__user=user, email_address__email__iexact=email
    ).delete()
    return deleted


@receiver(post_save, sender="events.SecurityEvent", dispatch_uid="checkup_forget_stale_keys")
def forget_keys_of_unverified_address(sender: Any, instance: Any, created: bool, **kw: Any) -> None:
    if created and instance.tag == EventTag.EMAIL_UNVERIFY and instance.user_id:
        email = str((instance.details or {}).get("email", ""))
        if email:
            forget_confirmation_keys(user=instance.user, email=email)
