# ruff: noqa: F811  (pytest fixtures imported from tests.recovery.conftest)
"""Attack: the API token proof used as an oracle (issue 11, items 7 and 16).

An attacker with a recovery request of their own tries tokens against its challenge: a
malformed one, an unknown one, their own account's, a revoked or expired one of the
victim's, one minted after the request. Before the fix each answer said which it was
("does not belong to this account", "created after the request"…), which tells the
attacker what they hold. Now every invalid token gets the same bytes back; the reason is
kept for staff. Hostile JSON (a lone surrogate, deep nesting) is a clear 400, never a 500.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lifeline.recovery import conf
from lifeline.recovery.models import RecoveryProof
from lifeline.tokens.models import ApiToken
from lifeline.tokens.services import token_revoke
from tests.desk.fixtures import make_staff, staff_client_for
from tests.factories import UserFactory
from tests.recovery.conftest import make_token, old_token, owner, queued, status_client  # noqa: F401

pytestmark = pytest.mark.django_db


def _post(client, challenge: str, raw: str, *, as_json: bool = False, body: bytes | None = None):
    auth = "Basic " + base64.b64encode(f"__token__:{raw}".encode()).decode()
    if body is not None:
        return client.generic(
            "POST",
            reverse("recovery_token_proof"),
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=auth,
        )
    if as_json:
        return client.post(
            reverse("recovery_token_proof"),
            json.dumps({"challenge": challenge}),
            content_type="application/json",
            HTTP_AUTHORIZATION=auth,
        )
    return client.post(
        reverse("recovery_token_proof"), {"challenge": challenge}, HTTP_AUTHORIZATION=auth
    )


def _invalid_tokens(victim) -> dict[str, str]:
    """One token of every invalid kind, keyed by the reason staff should see."""
    _mine, mine = make_token(UserFactory(username="mallory"))
    _gone, revoked = make_token(victim, name="old-ci")
    token_revoke(token=_gone, actor=victim)
    stale, expired = make_token(victim, name="expired")
    ApiToken.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(days=1))
    _new, minted = make_token(victim, age=timedelta(0), name="minted-after")
    return {
        "malformed": "not-a-token",
        "unknown": mine[:-4] + ("AAAA" if not mine.endswith("AAAA") else "BBBB"),
        "other_account": mine,
        "revoked": revoked,
        "expired": expired,
        "created_after_request": minted,
    }


def test_every_invalid_token_gets_the_same_answer(client, queued, outbox, settings):
    settings.LIFELINE_RECOVERY_RATE_LIMITS = conf.DEFAULTS["LIFELINE_RECOVERY_RATE_LIMITS"] | {
        "token_request": "100/h",
        "token_ip": "100/h",
    }
    tokens = _invalid_tokens(queued.user)
    outbox.clear()
    answers = {}
    for kind, raw in tokens.items():
        for as_json in (False, True):
            response = _post(client, queued.challenge, raw, as_json=as_json)
            answers[(kind, as_json)] = (
                response.status_code,
                response["Content-Type"],
                response.content,
            )
    # The requester cannot tell one invalid token from another: byte-identical answers.
    assert len(set(answers.values())) == 1, answers
    status, _type, content = next(iter(answers.values()))
    assert status == 422
    assert json.loads(content)["error"] == "proof_failed"

    # Staff see each reason on the case (proof rows, shown on the desk's case page).
    failures = list(
        RecoveryProof.objects.filter(request=queued).values_list("details__failure", flat=True)
    )
    assert sorted(set(failures)) == sorted(tokens)
    reasons = set(RecoveryProof.objects.filter(request=queued).values_list("reason", flat=True))
    assert len(reasons) == len(tokens)

    # The result emails to the requester's contact address say no more than the endpoint.
    result_mails = [m for m in outbox if m.to == [queued.contact_email]]
    assert result_mails
    assert len({m.body for m in result_mails}) == 1
    assert "another account" not in result_mails[0].body
    assert "revoked" not in result_mails[0].body


def test_the_status_page_shows_the_requester_the_same_single_message(
    status_client, queued, settings
):
    tokens = _invalid_tokens(queued.user)
    for raw in (tokens["other_account"], tokens["created_after_request"]):
        _post(status_client, queued.challenge, raw)
    page = status_client.get(reverse("recovery_status", args=[queued.public_id])).content.decode()
    assert "another account" not in page and "created after the request" not in page
    # Two attempts, each shown in the proof table and the timeline, in the same words.
    assert page.count("This token was not accepted for this request.") == 4


def test_staff_see_the_distinct_reasons_on_the_case_page(client, queued):
    tokens = _invalid_tokens(queued.user)
    _post(client, queued.challenge, tokens["other_account"])
    _post(client, queued.challenge, tokens["created_after_request"])
    staff = staff_client_for(client, make_staff("sam", role="support"))
    page = staff.get(reverse("desk_case", args=[queued.public_id])).content.decode()
    assert "The token belongs to another account." in page
    assert "The token was created after the request was filed." in page


@pytest.mark.parametrize(
    "body",
    [
        b'{"challenge": "\\ud800"}',  # a lone surrogate
        b'{"challenge": "lifeline-recovery-\\u0000"}',  # NUL
        b'{"challenge": ["a"]}',
        b"[1, 2]",
        b"[" * 100_000 + b"]" * 100_000,  # deep nesting
        b'{"challenge": "' + b"a" * 5000 + b'"}',
        b"\xff\xfe not utf-8",
        b"{not json",
    ],
)
def test_hostile_json_is_a_clear_400(client, queued, old_token, body):
    response = _post(client, "", old_token[1], body=body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["ok"] is False and payload["error"] in {"bad_request", "bad_challenge"}
    assert payload["message"]
    assert not RecoveryProof.objects.filter(request=queued).exists()


@pytest.mark.parametrize(
    "body",
    [
        b"challenge=%ED%A0%80",  # a UTF-8-encoded lone surrogate
        b"challenge=lifeline-recovery-%00",
        b"challenge=" + b"a" * 5000,
    ],
)
def test_hostile_form_challenge_is_a_clear_400(client, queued, old_token, body):
    auth = "Basic " + base64.b64encode(f"__token__:{old_token[1]}".encode()).decode()
    response = client.generic(
        "POST",
        reverse("recovery_token_proof"),
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=auth,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_challenge"
