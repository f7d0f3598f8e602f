"""The Django admin is not a back door.

A superuser could once add an address to a critical account, delete its 2FA and reset its
password in the admin: no case, no second person, no cooling-off, and nothing in the
account's security log. The rule now holds for the whole admin, not for one model:

* Every registration goes through :class:`LockedAdminSite` (the project's default admin
  site, set by :class:`LifelineAdminConfig` in ``INSTALLED_APPS``), including those of
  allauth and other third-party apps, whenever they register.
* **Security-relevant models** (:func:`is_security_model`: users, email addresses,
  authenticators, sessions, API tokens and trusted publishers, recovery cases, proofs and
  approvals, desk roles, groups and permissions, security events, project roles) are
  **read-only**: no add, change or delete permission, and no bulk actions, for anyone,
  superusers included. A POST to their add, change or delete pages is a 403. Every change
  to an account goes through the desk's justified, audited tools instead.
* Every other model stays writable but **audited**: each add, change, delete and bulk
  action writes a ``staff:admin:change`` security event (actor: the admin; subject: the
  account the object belongs to, when there is one); an add, change or delete also emails
  that account's verified addresses.

Only app labels and model names are compared, so this module imports no higher app.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import ModelAdmin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.sites import AdminSite
from django.db.models.base import ModelBase

# Whole apps whose every model is security-relevant.
SECURITY_APPS = frozenset(
    {
        "accounts",  # the user model, devices, 2FA confirmations
        "account",  # allauth: email addresses and confirmations
        "mfa",  # allauth: authenticators (TOTP, WebAuthn, recovery codes)
        "usersessions",
        "socialaccount",
        "sessions",
        "auth",  # groups (desk roles) and permissions
        "tokens",  # API tokens, trusted publishers
        "recovery",  # cases, proofs, approvals, restore links, role grants
        "desk",
        "events",  # the security log itself
    }
)
# Single models of other apps: who may upload to a project.
SECURITY_MODELS = frozenset({"index.role"})


def is_security_model(model: Any) -> bool:
    opts = model._meta
    return opts.app_label in SECURITY_APPS or opts.label_lower in SECURITY_MODELS


class ReadOnlyAdminMixin:
    """View only: nobody adds, changes or deletes through the admin."""

    lifeline_read_only = True

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: Any, action_location: Any = ActionLocation.CHANGE_LIST) -> dict:
        return {}


def account_of(obj: Any) -> Any | None:
    """The account an object belongs to: the user itself, or its ``user`` field."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if isinstance(obj, User):
        return obj
    user = getattr(obj, "user", None)
    return user if isinstance(user, User) else None


def record_admin_change(
    *, actor: Any, obj: Any, action: str, change: Any = "", notify: bool = True
) -> None:
    """One security event (and a notice to the account, if any) per admin change."""
    from django.db import transaction

    from lifeline.events.services import record_event
    from lifeline.events.tags import EventTag
    from lifeline.notifications.services import send_email

    user = account_of(obj)
    what = f"{obj._meta.verbose_name} {obj.pk}"
    with transaction.atomic():
        record_event(
            tag=EventTag.STAFF_ADMIN_CHANGE,
            user=user,
            actor=actor,
            details={
                "model": obj._meta.label_lower,
                "object": str(obj.pk),
                "action": action,
                "change": change if isinstance(change, list | str) else str(change),
            },
        )
        if user is not None and notify:
            send_email(
                template="account_admin_change",
                user=user,
                context={"action": action, "what": what, "by": getattr(actor, "username", "")},
            )


class AuditedAdminMixin:
    """Writable, but every change is a security event and a notice to the account."""

    lifeline_read_only = False

    def log_addition(self, request: Any, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        record_admin_change(actor=request.user, obj=obj, action="add", change=message)
        return entry

    def log_change(self, request: Any, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        record_admin_change(actor=request.user, obj=obj, action="change", change=message)
        return entry

    def log_deletions(self, request: Any, queryset: Any) -> Any:
        objects = list(queryset)
        entries = super().log_deletions(request, queryset)  # type: ignore[misc]
        for obj in objects:
            record_admin_change(actor=request.user, obj=obj, action="delete")
        return entries

    def response_action(self, request: Any, queryset: Any, *args: Any, **kwargs: Any) -> Any:
        action = request.POST.get("action", "")
        selected = request.POST.getlist("_selected_action")
        if action and selected and action != "delete_selected":  # deletions: log_deletions
            # Our own operational actions (such as re-sending a failed email): recorded on
            # the account, without a notice, as they change nothing about it.
            for obj in queryset.filter(pk__in=selected):
                record_admin_change(
                    actor=request.user, obj=obj, action=f"action:{action}", notify=False
                )
        return super().response_action(request, queryset, *args, **kwargs)  # type: ignore[misc]


class LockedAdminSite(AdminSite):
    """The project's admin site: read-only for security models, audited for the rest."""

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else []
        models = models or list(model_or_iterable)
        base = admin_class or ModelAdmin
        for model in models:
            mixin = ReadOnlyAdminMixin if is_security_model(model) else AuditedAdminMixin
            prefix = "ReadOnly" if mixin is ReadOnlyAdminMixin else "Audited"
            locked = type(
                f"{prefix}{base.__name__}", (mixin, base), {"__module__": base.__module__}
            )
            super().register(model, locked, **options)


class LifelineAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`LockedAdminSite` as the default site."""

    default_site = "lifeline.accounts.admin_lockdown.LockedAdminSite"
