"""Background work: a domain check that must not hold up a web request."""

from __future__ import annotations

from django.tasks import task

from lifeline.checkup.holds import release
from lifeline.checkup.lapsed import domain_check


@task
def check_domain(domain: str, held_log_id: int | None = None) -> str:
    """Re-check ``domain`` now (a password reset or a recovery request concerns it), then
    release the email held for it, if any (holds.py)."""
    try:
        check = domain_check(domain=domain, force=True)
    finally:
        if held_log_id is not None:
            release(held_log_id)
    return check.status if check else "skipped"
