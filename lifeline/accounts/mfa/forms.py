"""allauth.mfa forms (wired through MFA_FORMS) and the "I saved my codes" check.

What these add to allauth's forms:
- codes are checked by ``lifeline.accounts.mfa.codes``: TOTP with persistent replay
  protection, recovery codes in any spacing, dashes or case;
- Lifeline's per-user and per-IP limits (``ratelimits``), with a lockout message that
  says when to try again;
- every failure, including a refused security key, emits allauth's
  ``authentication_failed`` signal, which records the event and alerts the owner;
- the user picks the method on the login page (``method``); the page offers security
  keys and passkeys first (``available_methods``).
"""

from __future__ import annotations

from typing import Any

from allauth.core import context
from allauth.mfa import signals
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base import forms as base_forms
from allauth.mfa.internal.flows.add import validate_can_add_authenticator
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms
from django.core.exceptions import ValidationError

from lifeline.accounts.mfa import codes, ratelimits, services

TOTP = Authenticator.Type.TOTP
RECOVERY_CODES = Authenticator.Type.RECOVERY_CODES
WEBAUTHN = Authenticator.Type.WEBAUTHN
# Request attribute carrying the time step of the code typed at enrolment (see receivers).
ENROLMENT_COUNTER_ATTR = "_lifeline_totp_enrolment_counter"


def _emit_failure(user: Any, authenticator: Authenticator | None, reauth: bool) -> None:
    signals.authentication_failed.send(
        sender=Authenticator,
        request=context.request,
        user=user,
        authenticator=authenticator,
        reauthentication=reauth,
    )


class _CodeFormMixin:
    """Shared by the login and the sudo-mode code forms."""

    reauthentication = False
    user: Any
    data: Any
    cleaned_data: dict[str, Any]

    def _authenticators(self) -> dict[str, Authenticator]:
        return {a.type: a for a in Authenticator.objects.filter(user_id=self.user.pk)}

    @property
    def available_methods(self) -> list[str]:
        """The user's methods, security keys and passkeys first."""
        present = set(
            Authenticator.objects.filter(user_id=self.user.pk).values_list("type", flat=True)
        )
        return [t for t in (WEBAUTHN, TOTP, RECOVERY_CODES) if t in present]

    def clean_code(self) -> str:
        ratelimits.consume_attempt(self.user)
        code = self.cleaned_data["code"]
        method = self.data.get("method") or ""
        authenticators = self._authenticators()
        order = [t for t in (TOTP, RECOVERY_CODES) if not method or t == method]
        for kind in order:
            authenticator = authenticators.get(kind)
            if authenticator is None:
                continue
            if kind == TOTP:
                ok = codes.use_totp_code(authenticator, code)
            else:
                ok = codes.use_recovery_code(authenticator, code)
            if ok:
                authenticator.user = self.user
                self.authenticator = authenticator
                ratelimits.clear_user_attempts(self.user)
                return code
        failed = authenticators.get(method) or authenticators.get(TOTP)
        failed = failed or authenticators.get(RECOVERY_CODES)
        _emit_failure(self.user, failed, self.reauthentication)
        raise get_adapter().validation_error("incorrect_code")


class AuthenticateForm(_CodeFormMixin, base_forms.AuthenticateForm):
    method = forms.CharField(required=False, widget=forms.HiddenInput)


class ReauthenticateForm(_CodeFormMixin, base_forms.ReauthenticateForm):
    reauthentication = True
    method = forms.CharField(required=False, widget=forms.HiddenInput)


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    """Enrolment: the typed code's time step is kept, so it cannot also be used to log in."""

    def clean_code(self) -> str:
        validate_can_add_authenticator(self.user)
        ratelimits.consume_attempt(self.user, scope="mfa-enrol")
        code = self.cleaned_data["code"]
        counter = codes.matching_totp_counter(self.secret, code)
        if counter is None:
            raise get_adapter().validation_error("incorrect_code")
        ratelimits.clear_user_attempts(self.user, scope="mfa-enrol")
        if context.request is not None:
            setattr(context.request, ENROLMENT_COUNTER_ATTR, counter)
        return code


class _WebAuthnLimitMixin:
    reauthentication = False
    user: Any

    def clean_credential(self) -> Authenticator:
        ratelimits.consume_attempt(self.user)
        try:
            authenticator = super().clean_credential()  # type: ignore[misc]
        except (ValidationError, KeyError, TypeError, ValueError) as exc:
            # fido2 raises KeyError on a malformed payload (allauth only maps TypeError and
            # ValueError): a forged POST must be a failed attempt, not a server error.
            key = Authenticator.objects.filter(user_id=self.user.pk, type=WEBAUTHN).first()
            _emit_failure(self.user, key, self.reauthentication)
            if isinstance(exc, ValidationError):
                raise
            raise get_adapter().validation_error("incorrect_code") from exc
        ratelimits.clear_user_attempts(self.user)
        return authenticator


class AuthenticateWebAuthnForm(_WebAuthnLimitMixin, webauthn_forms.AuthenticateWebAuthnForm):
    pass


class ReauthenticateWebAuthnForm(_WebAuthnLimitMixin, webauthn_forms.ReauthenticateWebAuthnForm):
    reauthentication = True


class LoginWebAuthnForm(webauthn_forms.LoginWebAuthnForm):
    """Passkey login. The user comes from the (untrusted) payload, so no per-user limit
    here (an attacker could lock anyone out); allauth limits it per IP."""

    def clean_credential(self) -> Authenticator:
        try:
            return super().clean_credential()
        except (KeyError, TypeError, ValueError) as exc:
            raise get_adapter().validation_error("incorrect_code") from exc


class EditWebAuthnForm(webauthn_forms.EditWebAuthnForm):
    """Rename a security key or passkey; the rename is recorded in the security history."""

    name = forms.CharField(label="Name", required=True, max_length=64, strip=True)

    def save(self) -> Authenticator:
        old_name = self.instance.wrap().name
        instance = super().save()
        services.record_key_renamed(
            user=instance.user, old_name=old_name, new_name=self.cleaned_data["name"]
        )
        return instance


class ConfirmRecoveryCodesForm(forms.Form):
    """Type one code back to prove the set was saved. The code stays usable."""

    code = forms.CharField(
        label="One of your recovery codes",
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}
        ),
        help_text="From the copy you saved. Spaces and dashes don't matter.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        self.authenticator = codes.recovery_codes_authenticator(user)
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        if self.authenticator is None:
            raise ValidationError("You have no recovery codes yet. Set up two-factor first.")
        ratelimits.consume_attempt(self.user, scope=ratelimits.CONFIRM_SCOPE)
        code = self.cleaned_data["code"]
        if not codes.is_unused_recovery_code(self.authenticator, code):
            raise ValidationError(
                "That isn't one of your current, unused recovery codes. Check the copy you "
                "saved; if you can't find it, download the codes again.",
                code="incorrect_code",
            )
        ratelimits.clear_user_attempts(self.user, scope=ratelimits.CONFIRM_SCOPE)
        return code

    def save(self) -> None:
        assert self.authenticator is not None
        services.confirm_recovery_codes(user=self.user, authenticator=self.authenticator)
