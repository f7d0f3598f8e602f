"""Deleting an account: sudo mode, the username typed back, and never an orphaned project."""

from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from lifeline.accounts.services import AccountDeletionBlocked, account_delete, sole_owner_projects


class DeleteAccountForm(forms.Form):
    confirm_username = forms.CharField(
        label="Type your username to confirm",
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )

    def __init__(self, *args, username: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.username = username

    def clean_confirm_username(self) -> str:
        value = self.cleaned_data["confirm_username"].strip()
        if value.lower() != self.username.lower():
            raise forms.ValidationError("That is not your username.")
        return value


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = DeleteAccountForm(request.POST or None, username=user.get_username())
    if request.method == "POST" and form.is_valid():
        try:
            account_delete(user=user)
        except AccountDeletionBlocked as exc:
            form.add_error(None, str(exc))
        else:
            logout(request)
            messages.success(request, "Your account was deleted.")
            return redirect("home")
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "blocked": sole_owner_projects(user)},
    )
