"""``/_dev/styleguide/``: every component of docs/design.md, rendered in both palettes.

Development only, gated like ``/_dev/outbox/``: a 404 unless ``DEBUG`` or
``LIFELINE_DEV_OUTBOX`` is on. The page has no data of its own: sample forms below, fixed
sample rows in the template.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

SCHEMES = ("light", "dark")


class SampleForm(forms.Form):
    """One field of each kind includes/field.html renders."""

    username = forms.CharField(
        label="Username", help_text="Letters, digits and - _ . only.", max_length=50
    )
    email = forms.EmailField(label="Email address", required=False)
    reason = forms.CharField(
        label="What happened?", widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )
    scope = forms.ChoiceField(
        label="Token scope",
        choices=[("all", "Every project"), ("one", "One project")],
        initial="one",
    )
    decision = forms.ChoiceField(
        label="API tokens at restore",
        choices=[("keep", "Keep the tokens"), ("revoke", "Revoke every token")],
        initial="keep",
        widget=forms.RadioSelect,
    )
    agree = forms.BooleanField(
        label="I have read the Code of Conduct", help_text="A checkbox: the box comes first."
    )
    hidden = forms.CharField(widget=forms.HiddenInput, initial="kept", required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["decision"].choice_help = {  # type: ignore[attr-defined]
            "keep": "The usual case: nothing suggests a compromise.",
            "revoke": "A compromise is suspected: every token stops working.",
        }


class GroupForm(forms.Form):
    """Checkboxes answering one question: a fieldset with a legend in the template."""

    lost_email = forms.BooleanField(label="I lost access to the email address", required=False)
    lost_2fa = forms.BooleanField(label="I lost my two-factor device", required=False)


def sample_forms(scheme: str) -> tuple[SampleForm, SampleForm]:
    """A fresh form and one with errors, with ids unique to the palette's copy."""
    fresh = SampleForm(auto_id=f"{scheme}-fresh-%s")
    invalid = SampleForm(
        {"username": "", "email": "not-an-address", "reason": "", "scope": "one"},
        auto_id=f"{scheme}-invalid-%s",
    )
    invalid.is_valid()
    invalid.add_error(None, "A non-field error: the form as a whole is wrong.")
    return fresh, invalid


def styleguide_enabled() -> bool:
    return bool(settings.DEBUG or settings.LIFELINE_DEV_OUTBOX)


@never_cache
@require_safe
def styleguide(request: HttpRequest) -> HttpResponse:
    if not styleguide_enabled():
        raise Http404
    palettes = []
    for scheme in SCHEMES:
        fresh, invalid = sample_forms(scheme)
        group = GroupForm(auto_id=f"{scheme}-group-%s")
        palettes.append(
            {"scheme": scheme, "form": fresh, "invalid_form": invalid, "group_form": group}
        )
    return render(request, "core/styleguide.html", {"palettes": palettes})
