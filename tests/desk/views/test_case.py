"""Messages to the requester from the case page: bad input is a clear answer, nothing sent."""

from __future__ import annotations

import pytest

from lifeline.recovery.models import RecoveryMessage
from tests.desk.fixtures import JUSTIFICATION

pytestmark = pytest.mark.django_db


def test_an_empty_message_is_a_400_form(staff_client, strong_case, outbox):
    url = f"/desk/cases/{strong_case.public_id}/message/"
    response = staff_client.post(url, {"body": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not RecoveryMessage.objects.filter(request=strong_case).exists()


def test_a_closed_case_takes_no_more_messages(staff_client, strong_case, outbox):
    base = f"/desk/cases/{strong_case.public_id}"
    staff_client.post(
        f"{base}/deny/",
        {"deny-justification": JUSTIFICATION, "deny-reason_to_share": "No match found."},
    )
    sent = len(outbox)
    response = staff_client.post(f"{base}/message/", {"body": "One more thing."}, follow=True)
    assert "This request is closed." in " ".join(map(str, response.context["messages"]))
    assert len(outbox) == sent
    assert not RecoveryMessage.objects.filter(request=strong_case, body="One more thing.").exists()
