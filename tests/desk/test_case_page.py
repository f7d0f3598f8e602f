"""The case page as staff read it: evidence before the decision, values in words, and
assignment without a justification (decisions still need one)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from lifeline.checkup.contacts_models import RecoveryContact
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery.models import RecoveryAudit
from lifeline.recovery.staff import decisions
from lifeline.recovery.states import IllegalTransition, State
from lifeline.recovery.vouch import vouch_answer, vouches_request
from tests.desk.fixtures import JUSTIFICATION, staff_client_for
from tests.factories import UserFactory
from tests.fixtures_mfa import make_2fa_account

pytestmark = pytest.mark.django_db

# What Python prints for values no person should see: timedelta and datetime reprs, list and
# dict reprs.
RAW = [
    # 0:01:50.915165, "1 day, 0:00:00" (a clock time after a date, 2026-11-29 16:41:50, is fine)
    re.compile(r"(?<!\d )(?<![\d:])\d{1,2}:\d\d:\d\d"),
    re.compile(r"\bdays?, \d"),
    re.compile(r"timedelta|datetime\.|\[&#x27;|\[\'|\{&#x27;|\{\'|\[\]|\{\}"),
]


def main_of(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def assert_no_raw_values(html: str) -> None:
    text = main_of(html)
    for pattern in RAW:
        match = pattern.search(text)
        assert match is None, text[max(match.start() - 80, 0) : match.end() + 80]


def test_case_page_shows_durations_and_details_in_words(client, strong_case, support, support2):
    strong_case.user.is_critical = True
    strong_case.user.save()
    for staff in (support, support2):
        decisions.recovery_approve(
            request_obj=strong_case, actor=staff.user, justification=JUSTIFICATION
        )
    html = staff_client_for(client, support).get(f"/desk/cases/{strong_case.public_id}/")
    html = html.content.decode()
    assert_no_raw_values(html)
    assert "Cooling-off on approval: 24 hours." in html
    assert "Approvers: sam, sue" in html  # was "approvers: ['sam', 'sue']"
    assert "API tokens at restore: keep" in html
    assert "open → approved (cooling-off)" in html  # not "open → approved"
    assert "Approval recorded" in html  # the first of two approvals, not "approve"
    assert "Token name: ci" in html  # proof details with labels


def test_weak_case_cooling_off_reads_7_days(staff_client, case):
    html = staff_client.get(f"/desk/cases/{case.public_id}/").content.decode()
    assert "Cooling-off on approval: 7 days." in html
    assert_no_raw_values(html)


def test_metrics_page_shows_durations_in_words(staff_client, strong_case, support):
    # A decision 1 min 51 s after queueing: the desk once showed 0:01:50.915165.
    from datetime import timedelta

    from lifeline.recovery.models import RecoveryRequest

    decisions.recovery_deny(
        request_obj=strong_case,
        actor=support.user,
        justification=JUSTIFICATION,
        reason_to_share="Not enough.",
    )
    strong_case.refresh_from_db()
    RecoveryRequest.objects.filter(pk=strong_case.pk).update(
        queued_at=strong_case.decided_at - timedelta(seconds=110.915165),
        first_response_at=strong_case.decided_at - timedelta(seconds=50),
    )
    html = staff_client.get("/desk/metrics/").content.decode()
    assert_no_raw_values(html)
    assert '<dd id="median-decision">1 min 51 s</dd>' in html
    assert '<dd id="median-first-response">1 min 1 s</dd>' in html


def test_evidence_comes_before_the_decision(staff_client, strong_case):
    html = main_of(staff_client.get(f"/desk/cases/{strong_case.public_id}/").content.decode())
    evidence, account, thread, decide = (
        html.index('id="evidence-h"'),
        html.index('id="acct-h"'),
        html.index('id="thread-h"'),
        html.index('id="decide-h"'),
    )
    assert evidence < account < thread < decide
    assert html.index('id="approve-form"') > evidence
    # No decision form is open by default: staff open the one they choose.
    assert "<details open" not in html[decide:]


def test_tokens_choice_is_a_fieldset_with_one_explained_option_per_line(staff_client, strong_case):
    html = main_of(staff_client.get(f"/desk/cases/{strong_case.public_id}/").content.decode())
    form = html[html.index('id="approve-form"') :].split("</form>", 1)[0]
    fieldset = form[form.index("<fieldset") : form.index("</fieldset>")]
    assert "<legend>API tokens at restore</legend>" in fieldset
    options = re.findall(r'<div class="form-check">(.*?)</div>', fieldset, re.S)
    assert len(options) == 2
    assert 'value="keep"' in options[0] and "nothing suggests a compromise" in options[0]
    assert 'value="revoke"' in options[1] and "compromise is suspected" in options[1]
    for option in options:
        assert option.count('type="radio"') == 1 and "<label for=" in option


def test_assign_to_me_needs_no_justification_and_is_audited(staff_client, strong_case, support):
    page = staff_client.get(f"/desk/cases/{strong_case.public_id}/").content.decode()
    form = page[page.index('id="assign-form"') :].split("</form>", 1)[0]
    assert "justification" not in form and "<textarea" not in form
    response = staff_client.post(f"/desk/cases/{strong_case.public_id}/assign/", {})
    assert response.status_code == 302
    strong_case.refresh_from_db()
    assert strong_case.assignee == support.user and strong_case.state == State.OPEN
    row = RecoveryAudit.objects.get(request=strong_case, details__action="assign")
    assert row.actor == support.user and row.justification == ""
    event = SecurityEvent.objects.get(tag=EventTag.RECOVERY_DESK_ACTION, details__action="assign")
    assert event.actor == support.user and event.user == strong_case.user
    assert "justification" not in event.details
    after = staff_client.get(response["Location"]).content.decode()
    assert "The case is assigned to you." in after
    assert 'id="assign-form"' not in after  # already mine
    assert "Assigned" in main_of(after).split('id="audit-h"', 1)[1]


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("approve", {"approve-tokens_decision": "keep"}),
        ("deny", {"deny-reason_to_share": "Not enough evidence."}),
    ],
)
def test_decisions_still_need_a_justification(staff_client, strong_case, action, data):
    url = f"/desk/cases/{strong_case.public_id}/{action}/"
    for justification in ("", "too short"):
        response = staff_client.post(url, {f"{action}-justification": justification, **data})
        assert response.status_code == 400
        html = response.content.decode()
        assert "This field is required." in html or "Write at least 20 characters." in html
        # The form with the error is shown open, not hidden in a closed <details>.
        assert f"<details open><summary><strong>{action.capitalize()}" in html
    strong_case.refresh_from_db()
    assert strong_case.state == State.OPEN
    with pytest.raises(IllegalTransition, match="justification"):
        getattr(decisions, f"recovery_{action}")(
            request_obj=strong_case,
            actor=strong_case.assignee or _support(),
            justification="",
            **({"reason_to_share": "x"} if action == "deny" else {}),
        )


def _support():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="sam")


def test_queue_ages_read_in_words(staff_client, strong_case):
    from datetime import timedelta

    from django.utils import timezone

    from lifeline.recovery.models import RecoveryRequest

    RecoveryRequest.objects.filter(pk=strong_case.pk).update(
        queued_at=timezone.now() - timedelta(hours=5, minutes=10)
    )
    html = staff_client.get("/desk/").content.decode()
    assert '<td data-label="Age">5 h 10 min</td>' in html  # was "0 d"
    assert_no_raw_values(html)


def test_values_name_their_column_when_tables_become_cards_on_phones(staff_client, strong_case):
    """On a phone each table row is a card (site.css); a bare "1 min 3 s" or "—" means nothing
    without the column's name, so the desk's cells carry data-label."""
    queue = staff_client.get("/desk/").content.decode()
    for label in ("Account", "State", "Evidence", "Age", "Assignee"):
        assert f'data-label="{label}"' in queue, label
    case = staff_client.get(f"/desk/cases/{strong_case.public_id}/").content.decode()
    for label in ("Strength", "Result", "Boundary", "Actor", "Justification", "Reachability"):
        assert f'data-label="{label}"' in case, label
    metrics = staff_client.get("/desk/metrics/").content.decode()
    assert 'data-label="Approved"' in metrics and 'data-label="Denied"' in metrics


def _vouch(case, username: str, *, confirmed: bool) -> None:
    contact = make_2fa_account(UserFactory(username=username)).user
    when = timezone.now() - timedelta(days=60)
    RecoveryContact.objects.create(
        owner=case.user,
        contact=contact,
        invited_username=username,
        status=RecoveryContact.Status.ACCEPTED,
        invited_at=when,
        accepted_at=when,
    )
    (proof,) = [p for p in vouches_request(request_obj=case) if p.details["contact"] == username]
    vouch_answer(contact=contact, proof_id=proof.pk, confirmed=confirmed)


def test_a_contact_who_could_not_confirm_is_a_warning_at_the_top(client, case, support):
    _vouch(case, "bob", confirmed=True)
    html = staff_client_for(client, support).get(f"/desk/cases/{case.public_id}/")
    assert 'id="vouch-warning"' not in html.content.decode()  # a confirmation is no warning

    _vouch(case, "carol", confirmed=False)
    html = main_of(client.get(f"/desk/cases/{case.public_id}/").content.decode())
    warning = html.split('id="vouch-warning"', 1)[1].split("</div>", 1)[0]
    assert "A recovery contact could not confirm this request." in warning
    assert "Auto-approval is off for this case." in warning
    assert "carol answered “I could not confirm it”." in warning and "bob" not in warning
    # At the top: before the state and evidence summary.
    assert html.index('id="vouch-warning"') < html.index('id="summary-h"')
