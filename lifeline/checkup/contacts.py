"""Recovery contacts (issue 13, item 5): the public face of the feature.

``contacts_for(user)`` is what the checkup page and the recovery vouch read. The services
live in ``contacts_services.py``; the pages in ``contacts_views.py``.
"""

from __future__ import annotations

from lifeline.checkup.contacts_selectors import (
    MAX_CONTACTS,
    contact_for,
    contacts_for,
    invitations_for,
    named_by,
)

__all__ = ["MAX_CONTACTS", "contact_for", "contacts_for", "invitations_for", "named_by"]
