from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from lifeline.index.models import Project

EXPIRY_CHOICES = [
    ("", "Never"),
    ("7", "In 7 days"),
    ("30", "In 30 days"),
    ("90", "In 90 days"),
    ("365", "In one year"),
]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What it is for, e.g. “GitHub Actions release job”."
    )
    scope = forms.ChoiceField(help_text="A token scoped to one project cannot touch the others.")
    expires = forms.ChoiceField(choices=EXPIRY_CHOICES, required=False, label="Expires")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.projects = {
            str(p.pk): p for p in Project.objects.filter(roles__user=user).order_by("name")
        }
        self.fields["scope"].choices = [("all", "All my projects")] + [
            (pk, f"Only {p.name}") for pk, p in self.projects.items()
        ]

    @property
    def project(self) -> Project | None:
        return self.projects.get(self.cleaned_data["scope"])

    @property
    def expires_at(self):  # type: ignore[no-untyped-def]
        days = self.cleaned_data.get("expires")
        return timezone.now() + timedelta(days=int(days)) if days else None
