"""Desk forms: every decision carries a written justification (minimum length from settings);
routine actions that decide nothing (assignment) carry none but are still audited."""

from __future__ import annotations

from typing import Any

from django import forms

from lifeline.recovery.justification import (
    JustificationTooShort,
    check_justification,
    min_justification_length,
)
from lifeline.recovery.policy import Level
from lifeline.recovery.states import State


class JustificationForm(forms.Form):
    justification = forms.CharField(
        label="Justification (for the audit trail)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        minimum = min_justification_length()
        self.fields["justification"].min_length = minimum
        self.fields["justification"].help_text = f"At least {minimum} characters."
        self.fields["justification"].widget.attrs["minlength"] = minimum

    def clean_justification(self) -> str:
        try:
            return check_justification(self.cleaned_data["justification"])
        except JustificationTooShort as exc:
            # The same rule as the services; the form's field label already says what.
            raise forms.ValidationError(
                f"Write at least {min_justification_length()} characters."
            ) from exc


class AssignForm(forms.Form):
    """ "Assign to me": no fields. Assignment decides nothing, so it needs no justification;
    the service still writes it to the audit trail and the account's events."""


class ApproveForm(JustificationForm):
    tokens_decision = forms.ChoiceField(
        label="API tokens at restore",
        choices=[
            ("keep", "Keep the account's API tokens"),
            ("revoke", "Revoke every API token of the account"),
        ],
        initial="keep",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Shown under each option by templates/includes/field.html.
        self.fields["tokens_decision"].choice_help = {
            "keep": "The usual case: the owner lost access and nothing suggests a compromise. "
            "Their CI and other uploads keep working.",
            "revoke": "A compromise is suspected: every token stops working at restore, and "
            "the owner creates new ones after signing in.",
        }


class DenyForm(JustificationForm):
    reason_to_share = forms.CharField(
        label="Reason to share with the requester (emailed)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class RequestInfoForm(JustificationForm):
    message = forms.CharField(
        label="Question to the requester (emailed)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message to the requester (emailed)",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )


class StaffRoleForm(JustificationForm):
    username = forms.CharField(label="Username", max_length=150)
    role = forms.ChoiceField(
        label="Role",
        choices=[("support", "Support"), ("admin", "Admin"), ("", "No role (remove from staff)")],
        required=False,
    )


_BOOL = [("", "Any"), ("yes", "Yes"), ("no", "No")]


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[("review", "In review (open + needs info)"), ("all", "All"), *State.choices],
    )
    level = forms.ChoiceField(
        label="Evidence",
        required=False,
        choices=[("", "Any")] + [(lv.value, lv.value.capitalize()) for lv in Level],
    )
    critical = forms.ChoiceField(label="Critical", required=False, choices=_BOOL)
    contested = forms.ChoiceField(label="Contested", required=False, choices=_BOOL)
    # Bounded: a huge number of days is no date (an overflow, not a filter).
    min_age_days = forms.IntegerField(
        label="Older than (days)", required=False, min_value=0, max_value=36500
    )
    assignee = forms.CharField(
        label="Assignee",
        required=False,
        max_length=150,
        help_text='"me", "none" or a username',
    )
    order = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[("oldest", "Oldest first"), ("newest", "Newest first")],
    )


# Templated replies: staff pick one, edit it, send it.
REPLY_TEMPLATES: dict[str, tuple[str, str]] = {
    "repository": (
        "Ask for a repository proof",
        "Hello,\n\nThank you for your request. To confirm that you control the project, please "
        "publish a file containing the challenge shown on your status page under one of the "
        "project URLs listed there (for example, commit it to the repository), then press "
        '"Check" on your status page.\n\nThe support team',
    ),
    "token": (
        "Ask for an API token proof",
        "Hello,\n\nIf you still have an API token of this account (for example in a CI "
        "secret), please send the challenge with it as explained on your status page. The "
        "token is checked and never stored.\n\nThe support team",
    ),
    "details": (
        "Ask for more detail",
        "Hello,\n\nCould you tell us more about how you lost access to the account (the "
        "email address and the second factor), and roughly when you last signed in?\n\n"
        "The support team",
    ),
    "old_address": (
        "Ask for a code to an old address",
        "Hello,\n\nIf you can still read mail at any address that was verified on the "
        'account, please use "Send a code" on your status page and enter the code you '
        "receive.\n\nThe support team",
    ),
    "insufficient": (
        "Deny: insufficient evidence",
        "We could not confirm that you own this account with the evidence provided. You may "
        "file a new request with stronger evidence (a repository proof or an API token).",
    ),
}
