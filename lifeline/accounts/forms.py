from __future__ import annotations

from typing import Any

from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from lifeline.accounts.validators import normalize_email


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form with Lifeline's help texts."""

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
