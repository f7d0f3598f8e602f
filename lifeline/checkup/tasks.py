"""Background work: a domain check that must not hold up a web request."""

from __future__ import annotations

from django.tasks import task

from lifeline.checkup.lapsed import domain_check


@task
def check_domain(domain: str) -> str:
    """Re-check ``domain`` now (a password reset or a recovery request concerns it)."""
    check = domain_check(domain=domain, force=True)
    return check.status if check else "skipped"
