"""Remember the browser at every *full* login (proof c).

allauth sends ``user_logged_in`` from ``post_login`` only after every login stage has
completed, including the second factor for users with 2FA, so a password alone never marks
a browser as known. The signal carries the response, on which the cookie is set.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from lifeline.recovery import flows
from lifeline.recovery.services.devices import device_remember


@receiver(user_logged_in)
def remember_device(sender: Any, request: Any, user: Any, response: Any = None, **kw: Any) -> None:
    if request is None or response is None or not hasattr(response, "set_cookie"):
        return
    _device, key = device_remember(
        user=user,
        device_key=flows.device_key_from(request),
        ip=flows.client_ip(request),
        user_agent=flows.client_user_agent(request),
    )
    flows.set_device_cookie(response, key)
