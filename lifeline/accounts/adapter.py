"""allauth customisation: every email goes through Lifeline's one email path."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from lifeline.accounts import conf
from lifeline.accounts.logins import login_throttle_key
from lifeline.notifications.services import send_email

# allauth's email template prefixes → Lifeline's emails/<name>/ templates.
EMAIL_TEMPLATES = {
    "account/email/email_confirmation_signup": "account_email_confirmation_signup",
    "account/email/email_confirmation": "account_email_confirmation",
    "account/email/password_reset_key": "account_password_reset_key",
    "account/email/unknown_account": "account_unknown_account",
    "account/email/account_already_exists": "account_already_exists",
    "account/email/password_changed": "account_password_changed",
    "account/email/password_set": "account_password_set",
    "account/email/password_reset": "account_password_reset",
    "account/email/email_changed": "account_email_changed",
    "account/email/email_confirm": "account_email_confirm",
    "account/email/email_deleted": "account_email_deleted",
}
# Emails whose job is to reach an address that is not verified yet.
_TO_UNVERIFIED = {
    "account_email_confirmation_signup",
    "account_email_confirmation",
    "account_already_exists",
    "account_unknown_account",
}


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return conf.signup_open()

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> Any:
        """A frozen account (support desk) cannot sign in; it is told to contact support.

        Runs before the second-factor stage, so nothing else is asked of a frozen account.
        """
        if getattr(user, "frozen_at", None) is not None:
            from allauth.account.internal.stagekit import clear_login
            from django.contrib import messages
            from django.shortcuts import redirect

            clear_login(request)
            messages.error(request, "This account is frozen; contact support.")
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """allauth's ``login_failed`` limit counts per *account*, not per spelling.

        allauth keys it on the typed login, so a username and each address of one account
        were separate counters: N+1 times the guesses. ``login_throttle_key`` resolves the
        login to the account first (unknown logins keep their normalised spelling).
        """
        return login_throttle_key(credentials)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        name = EMAIL_TEMPLATES.get(template_prefix)
        if name is None:
            # MFA and other allauth notices are sent by Lifeline's own receivers instead.
            return
        ctx = {k: v for k, v in context.items() if k != "request"}
        ctx["email"] = email
        user = ctx.get("user")
        send_email(
            template=name,
            to=[email],
            user=user if getattr(user, "pk", None) else None,
            context=ctx,
            include_unverified=name in _TO_UNVERIFIED,
        )

    def send_notification_mail(
        self,
        template_prefix: str,
        user: Any,
        context: dict[str, Any] | None = None,
        email: str | None = None,
    ) -> None:
        """Security notices go to *every* verified address, not just the primary one:
        someone who took over the primary address must not silence the others."""
        name = EMAIL_TEMPLATES.get(template_prefix)
        if name is None:
            return
        ctx = dict(context or {})
        if email:
            send_email(template=name, to=[email], user=user, context=ctx)
        else:
            send_email(template=name, user=user, context=ctx)

    def can_delete_email(self, email_address: Any) -> bool:
        """The primary address, and the last verified address, can never be removed.

        A verified address is the way back into an account: removing the last one would
        strand its owner, so Lifeline refuses it (add and verify another first).
        """
        from allauth.account.models import EmailAddress

        if not email_address.pk:
            return True
        if email_address.primary:
            return False
        if email_address.verified:
            others = EmailAddress.objects.filter(user_id=email_address.user_id, verified=True)
            return others.exclude(pk=email_address.pk).exists()
        return True

    def get_reset_password_from_key_url(self, key: str) -> str:
        url = super().get_reset_password_from_key_url(key)
        return self._absolute(url)

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return self._absolute(super().get_email_confirmation_url(request, emailconfirmation))

    @staticmethod
    def _absolute(url: str) -> str:
        if url.startswith("/"):
            return settings.LIFELINE_BASE_URL + url
        return url
