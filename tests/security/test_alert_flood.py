# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""Attack: bury the owner in alerts, so the one that matters is ignored.

Before the fix every confirmed request alerted the owner, so withdrawing and re-filing (three
an hour under the per-username limit) sent about 72 alerts a day, and failed proofs went
unreported. Now an account gets at most ``LIFELINE_RECOVERY_OWNER_ALERTS_PER_DAY`` (3)
new-request alerts per rolling day; the rest, and every failed proof, reach the owner in at
most one daily digest, sent by ``lifeline tick``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from lifeline.recovery import conf
from lifeline.recovery.models import OwnerDigest, RecoveryProof, RecoveryRequest
from lifeline.recovery.owner_alerts import send_owner_digests
from lifeline.recovery.proofs.common import record_proof
from lifeline.recovery.requester.withdraw import recovery_withdraw
from lifeline.recovery.states import State
from tests.desk.fixtures import case, owner  # noqa: F401
from tests.recovery.conftest import submit, verify

pytestmark = pytest.mark.django_db

OWNER = "alice@example.com"


def owner_mail(outbox, subject_part: str) -> list:
    return [m for m in outbox if OWNER in m.to and subject_part in m.subject]


def file_and_withdraw(i: int) -> RecoveryRequest:
    request_obj = submit(contact=f"flood{i}@attacker.example", ip=f"198.51.100.{i + 1}")
    verify(request_obj)
    request_obj.refresh_from_db()
    assert request_obj.state == State.OPEN
    recovery_withdraw(request_obj=request_obj)
    return request_obj


def test_withdraw_and_refile_cannot_flood_the_owner(owner, outbox):
    for i in range(20):
        file_and_withdraw(i)

    alerts = owner_mail(outbox, "Someone asked to recover")
    assert len(alerts) == conf.owner_alerts_per_day() == 3
    deferred = RecoveryRequest.objects.filter(user=owner, owner_alert_deferred=True)
    assert deferred.count() == 17  # not dropped: they wait for the digest

    call_command("tick")  # the scheduled job, as cron runs it
    digests = owner_mail(outbox, "Recovery activity")
    assert len(digests) == 1
    assert "17 more recovery requests were made" in digests[0].body
    assert not deferred.filter(owner_alerted_at__isnull=True).exists()

    # Twenty more cycles the same day: still no new alert and no second digest.
    for i in range(20, 40):
        file_and_withdraw(i)
    call_command("tick")
    assert len(owner_mail(outbox, "Someone asked to recover")) == 3
    assert len(owner_mail(outbox, "Recovery activity")) == 1
    assert len([m for m in outbox if OWNER in m.to]) == 4  # 40 requests, 4 emails


def test_the_first_alert_of_a_new_day_is_never_held_back(owner, outbox):
    for i in range(5):
        file_and_withdraw(i)
    assert len(owner_mail(outbox, "Someone asked to recover")) == 3
    yesterday = timezone.now() - timedelta(hours=25)
    RecoveryRequest.objects.filter(owner_alerted_at__isnull=False).update(
        owner_alerted_at=yesterday
    )
    live = submit(contact="real-threat@attacker.example")
    verify(live)
    alerts = owner_mail(outbox, "Someone asked to recover")
    assert len(alerts) == 4 and "/recovery/cancel/" in alerts[-1].body


def test_failed_proofs_reach_the_owner_as_one_daily_digest(case, outbox):
    outbox.clear()
    for _ in range(12):
        record_proof(request_obj=case, method="password", ok=False, strength="medium")
    assert not [m for m in outbox if OWNER in m.to]  # no email per failure

    assert send_owner_digests() == 1
    digest = owner_mail(outbox, "Recovery activity")
    assert len(digest) == 1 and "12 proofs of ownership failed" in digest[0].body
    assert case.reference in digest[0].body

    for _ in range(5):
        record_proof(request_obj=case, method="password", ok=False, strength="medium")
    assert send_owner_digests() == 0  # at most one a day
    # A day passes (the first digest and the proofs it reported move 25 hours back).
    reported = RecoveryProof.objects.order_by("created")[:12]
    RecoveryProof.objects.filter(pk__in=[p.pk for p in reported]).update(
        created=timezone.now() - timedelta(hours=26)
    )
    OwnerDigest.objects.update(sent_at=timezone.now() - timedelta(hours=25))
    assert send_owner_digests() == 1
    later = owner_mail(outbox, "Recovery activity")
    assert len(later) == 2 and "5 proofs of ownership failed" in later[1].body
    assert send_owner_digests() == 0
