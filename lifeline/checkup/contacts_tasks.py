"""Background work for recovery contacts: the invitation email leaves the request path,
so an invitation to nobody takes as long to answer as one to a real account."""

from __future__ import annotations

from django.tasks import task

from lifeline.checkup.contacts_services import invitation_send


@task
def send_invitation(link_id: int) -> bool:
    return invitation_send(link_id=link_id)
