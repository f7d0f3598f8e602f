"""New-device notice (issue 13, item 4): a full login from a browser the account has not
seen before emails every verified address of the account.

It is a notice, never a gate. PyPI holds TOTP and recovery-code logins from a new IP behind
an emailed confirmation, which locks out exactly the users who lost their email; here the
login always completes and the email only informs. ``device_remember`` (the Device model's
service) sends ``lifeline.accounts.signals.device_first_seen`` when it creates a Device row,
i.e. once per browser and account: the next login from that browser carries the device
cookie and updates the row instead, so the notice is sent once per new device.

The account's first device is not announced when the account is new (joined less than
``LIFELINE_NEW_DEVICE_QUIET_AFTER_SIGNUP``, default one day, before): that login is the
sign-up itself, which the owner just did, and an email about it teaches people to ignore
these notices. An older account with no other device (created before devices were
remembered, or whose devices were all forgotten) is announced: "the first device" is then
exactly what someone holding a stolen password would produce.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from lifeline.accounts.signals import device_first_seen
from lifeline.core.client import describe_browser
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.notifications.services import send_email

logger = logging.getLogger(__name__)

TEMPLATE = "new_device_signin"


def quiet_after_signup() -> timedelta:
    return getattr(settings, "LIFELINE_NEW_DEVICE_QUIET_AFTER_SIGNUP", timedelta(days=1))


def is_first_device_of_new_account(*, user: Any, device: Any) -> bool:
    """Is ``device`` the only one of an account that joined moments ago (its sign-up)?"""
    joined = getattr(user, "date_joined", None)
    if joined is None or timezone.now() - joined > quiet_after_signup():
        return False
    return not type(device).objects.filter(user=user).exclude(pk=device.pk).exists()


def new_device_notice(*, user: Any, device: Any, ip: str | None, user_agent: str) -> bool:
    """Record the new device and tell the owner at every verified address.

    Returns whether an email was queued (not for the sign-up's own device).
    """
    browser = describe_browser(user_agent)
    first = is_first_device_of_new_account(user=user, device=device)
    with transaction.atomic():
        record_event(
            tag=EventTag.DEVICE_NEW,
            user=user,
            actor=user,
            details={"browser": browser, "notified": not first},
            ip=ip,
            user_agent=user_agent,
        )
        if first:
            return False
        logs = send_email(
            template=TEMPLATE,
            user=user,
            context={
                "when": getattr(device, "first_seen", None) or timezone.now(),
                "ip": ip or "unknown",
                "browser": browser,
                "security_url": f"{settings.LIFELINE_BASE_URL}{reverse('account_security')}",
            },
        )
    return bool(logs)


@receiver(device_first_seen, dispatch_uid="checkup_new_device_notice")
def notify_new_device(
    sender: Any, user: Any, device: Any, ip: str | None = None, user_agent: str = "", **kw: Any
) -> None:
    """Never let the notice break the login it reports: log and carry on."""
    try:
        new_device_notice(user=user, device=device, ip=ip, user_agent=user_agent or "")
    except Exception:
        logger.exception("new-device notice failed for user %s", getattr(user, "pk", None))
