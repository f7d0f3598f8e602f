from __future__ import annotations

from typing import Any

from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse

from lifeline.accounts.validators import normalize_email


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form with Lifeline's help texts, and two rules about addresses.

    - **Only a verified address is taken.** An address some account merely *claimed*
      (signed up with, never confirmed) does not block its real owner: they sign up as
      usual, and whoever confirms from the mailbox gets the address; the other claims are
      dropped then (``receivers.on_email_confirmed``) and the unconfirmed account expires
      (``jobs.expire_unverified_signups``). For a verified address no second account is
      made: its owner is emailed "you already have an account" with a password-reset link
      (which works, the address being verified), and the page says "check your email" as
      for any sign-up, so nothing is enumerated.
    - **Both branches do the same expensive work.** A new account hashes the password
      (Argon2, the slow step); the "already exists" branch hashes it too, with the same
      hasher, so the answer takes as long either way.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "username" in self.fields:
            self.fields["username"].help_text = (
                "Letters, digits, '.', '_' and '-'; up to 50 characters. "
                "It is public and shown on your projects."
            )
            self.fields["username"].widget.attrs["maxlength"] = 50
        if "email" in self.fields:
            self.fields["email"].help_text = (
                "We send a link to confirm it. Use an address you will keep: it is how you "
                "get back in if you lose your password."
            )
        for name in ("password1", "password2"):
            if name in self.fields:
                self.fields[name].widget.attrs["maxlength"] = 4096

    def validate_unique_email(self, value: str) -> str:
        email = normalize_email(value)
        self.account_already_exists = EmailAddress.objects.filter(
            email__iexact=email, verified=True
        ).exists()
        return email

    def try_save(self, request: HttpRequest) -> tuple[Any, HttpResponse | None]:
        if self.account_already_exists:
            # Same cost as creating the account: one hash with the real hasher.
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)


class ResetPasswordForm(AllauthResetPasswordForm):
    """Password reset goes only to *verified* addresses.

    The response is the same whether or not an account matches (no enumeration): the
    view always says "if an account uses that address, we sent a link".
    """

    email = forms.EmailField(max_length=254, label="Email address")

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        user_ids = EmailAddress.objects.filter(email__iexact=email, verified=True).values_list(
            "user_id", flat=True
        )
        self.users = list(get_user_model().objects.filter(pk__in=list(user_ids), is_active=True))
        return email

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        return super().save(request, **kwargs)
