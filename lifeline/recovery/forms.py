"""Forms of the requester pages. Every field says clearly what is wrong."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone

from lifeline.recovery.proofs.fetcher import FetchError, check_url_shape

USERNAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")


class RecoveryRequestForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=50,
        help_text="The username of the account you want to recover.",
        error_messages={"required": "Enter the username of the account."},
    )
    lost_email_access = forms.BooleanField(
        label="I no longer have access to the account's email address", required=False
    )
    email_wrong_from_start = forms.BooleanField(
        label="The email address on the account was wrong from the start", required=False
    )
    lost_2fa = forms.BooleanField(
        label="I lost my two-factor device or security key", required=False
    )
    lost_recovery_codes = forms.BooleanField(
        label="I never generated my recovery codes, or I lost them", required=False
    )
    contact_email = forms.EmailField(
        label="Contact email address",
        max_length=254,
        help_text="Where we can reach you now. We send a link to confirm it.",
        error_messages={
            "required": "Enter an email address where we can reach you.",
            "invalid": "Enter a valid email address, like you@example.com.",
        },
    )
    description = forms.CharField(
        label="What happened?",
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=20,
        max_length=5000,
        help_text="A few sentences for the reviewer: what you lost, when, anything that helps.",
        error_messages={
            "required": "Describe what happened, in a few sentences.",
            "min_length": "Please write at least %(limit_value)d characters.",
            "max_length": "Please keep it under %(limit_value)d characters.",
        },
    )
    agree_coc = forms.BooleanField(
        label="I agree to follow the Code of Conduct",
        error_messages={"required": "You must agree to the Code of Conduct."},
    )
    acknowledge_time = forms.BooleanField(
        label="I understand that a review may take a significant amount of time",
        error_messages={"required": "Please confirm that you understand reviews take time."},
    )

    LOST_FIELDS = ("lost_email_access", "email_wrong_from_start", "lost_2fa", "lost_recovery_codes")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if not USERNAME_RE.match(username):
            raise forms.ValidationError(
                "Usernames contain only letters, digits, '.', '_' and '-', and start and end "
                "with a letter or digit."
            )
        return username

    def clean(self) -> dict:
        data = super().clean()
        if not any(data.get(name) for name in self.LOST_FIELDS):
            raise forms.ValidationError("Tick at least one thing you lost.")
        return data


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Write a message first."},
    )


class RepositoryProofForm(forms.Form):
    url = forms.CharField(
        label="URL of the file with the challenge",
        max_length=2000,
        error_messages={"required": "Enter the URL where you published the challenge."},
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        try:
            check_url_shape(url)
        except FetchError as exc:
            raise forms.ValidationError(exc.message) from exc
        return url


class PasswordProofForm(forms.Form):
    password = forms.CharField(
        label="Current password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        max_length=4096,
        strip=False,
        error_messages={"required": "Enter the account's current password."},
    )


class EmailCodeSendForm(forms.Form):
    address = forms.TypedChoiceField(label="Send a code to", coerce=int)

    def __init__(self, *args, addresses: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].choices = list(enumerate(addresses))


class EmailCodeVerifyForm(forms.Form):
    code = forms.CharField(
        label="Code from the email",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": "Enter the code from the email."},
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not code.isdigit() or not 6 <= len(code) <= 8:
            raise forms.ValidationError("The code is 6 to 8 digits.")
        return code


class KnowledgeProofForm(forms.Form):
    projects = forms.CharField(
        label="Projects you maintain",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="One per line or separated by commas.",
    )
    first_upload_year = forms.IntegerField(
        label="Approximate year of your first upload",
        required=False,
        min_value=1990,
        error_messages={"min_value": "Enter a year after 1990.", "invalid": "Enter a year."},
    )
    old_emails = forms.CharField(
        label="Email addresses you used on the account before",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="One per line or separated by commas.",
    )

    @staticmethod
    def split(value: str) -> list[str]:
        return [item.strip() for item in re.split(r"[,\n]", value or "") if item.strip()][:20]

    def clean_first_upload_year(self) -> int | None:
        year = self.cleaned_data.get("first_upload_year")
        if year is not None and year > timezone.now().year:
            raise forms.ValidationError("That year is in the future.")
        return year

    def clean(self) -> dict:
        data = super().clean()
        if (
            not (data.get("projects") or data.get("first_upload_year") or data.get("old_emails"))
            and not self.errors
        ):
            raise forms.ValidationError("Answer at least one question.")
        return data
