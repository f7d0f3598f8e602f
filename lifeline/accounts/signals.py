"""Signals sent by the accounts app.

``device_first_seen`` is sent by ``device_remember`` when it creates a new ``Device`` row, i.e.
the first full login from a browser that carried no known device cookie. Receivers must not
block or fail the login: they are called inside the login flow, so anything slow (email) goes
through ``lifeline.core.tasks.enqueue``.

Arguments: ``sender`` (the Device model), ``user``, ``device``, ``ip`` (str or None),
``user_agent`` (str).
"""

from __future__ import annotations

from django.dispatch import Signal

device_first_seen = Signal()
