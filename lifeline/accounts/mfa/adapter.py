"""allauth.mfa customisation: secrets at rest are encrypted with rotatable keys.

- ``encrypt``/``decrypt``: the TOTP secret and the recovery-code seed are stored as
  MultiFernet ciphertexts (``lifeline.core.crypto``), never in clear. Rotation: put a new
  key first in LIFELINE_ENCRYPTION_KEYS; old ciphertexts still decrypt (docs/security.md).
- The TOTP QR code is drawn on the server as inline SVG with segno: no image service, no
  JavaScript, and the secret never leaves the page.
- The last second factor cannot be removed while LIFELINE_REQUIRE_2FA is on.
"""

from __future__ import annotations

import io

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings

from lifeline.core import crypto

PRIMARY_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


class MFAAdapter(DefaultMFAAdapter):
    error_messages = DefaultMFAAdapter.error_messages | {
        "cannot_delete_authenticator": (
            "This is your last second factor, and two-factor authentication is required. "
            "Add another authenticator app, security key or passkey first, then remove this one."
        ),
        "incorrect_code": "That code didn't work. Check it and try again.",
        "unverified_email": (
            "Verify your email address first: it is how you get back in if you lose your "
            "second factor."
        ),
    }

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def get_totp_issuer(self) -> str:
        return settings.LIFELINE_SITE_NAME

    def build_totp_svg(self, url: str) -> str:
        """The otpauth:// URL as an inline SVG QR code (segno, error correction M)."""
        import segno

        qr = segno.make(url, error="m", micro=False)
        out = io.BytesIO()
        qr.save(
            out,
            kind="svg",
            scale=5,
            border=2,
            xmldecl=False,
            svgns=True,
            title="QR code for your authenticator app",
            svgclass="totp-qr",
            lineclass=None,
            omitsize=False,
        )
        return out.getvalue().decode("utf-8")

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Refuse to remove the last TOTP app or WebAuthn key while 2FA is required."""
        if not settings.LIFELINE_REQUIRE_2FA or authenticator.type not in PRIMARY_TYPES:
            return True
        others = Authenticator.objects.filter(
            user_id=authenticator.user_id, type__in=PRIMARY_TYPES
        ).exclude(pk=authenticator.pk)
        return others.exists()
