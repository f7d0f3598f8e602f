"""API tokens: format, hashing, lifecycle, events, emails, pages and the CLI."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.index.models import Project, Role
from lifeline.tokens import crypto
from lifeline.tokens.models import ApiToken
from lifeline.tokens.services import (
    token_authenticate,
    token_create,
    token_record_use,
    token_revoke,
)

pytestmark = pytest.mark.django_db


def test_token_format_and_storage(owner):
    token, raw = token_create(user=owner, name="ci")
    assert crypto.TOKEN_RE.match(raw) and raw.startswith("llpi-")
    assert raw.split(".")[0] == f"llpi-{token.public_id}"
    stored = ApiToken.objects.get()
    assert raw not in (stored.secret_hash, stored.public_id)
    assert stored.secret_hash == crypto.hash_token(raw)
    assert token_authenticate(raw) == token


@pytest.mark.parametrize(
    "raw",
    ["", "llpi-", "llpi-zz.yy", "x" * 5000, "llpi-0123456789abcdef." + "A" * 43, None, 42],
)
def test_malformed_or_unknown_tokens_are_refused(owner, raw):
    token_create(user=owner, name="ci")
    assert token_authenticate(raw) is None


def test_a_revoked_or_expired_token_or_inactive_user_fails(owner):
    token, raw = token_create(user=owner, name="a")
    token_revoke(token=token, actor=owner)
    assert token_authenticate(raw) is None
    _expired, raw2 = token_create(
        user=owner, name="b", expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert token_authenticate(raw2) is None
    _live, raw3 = token_create(user=owner, name="c")
    owner.is_active = False
    owner.save()
    assert token_authenticate(raw3) is None


def test_lifecycle_records_events_and_emails(owner, outbox):
    token, raw = token_create(user=owner, name="release job")
    created = SecurityEvent.objects.get(tag=EventTag.TOKEN_CREATE)
    assert created.user == owner and created.details["token_name"] == "release job"
    assert raw not in str(created.details) and raw.split(".")[1] not in str(created.details)
    assert len(outbox) == 1 and "new API token" in outbox[0].subject
    assert "release job" in outbox[0].body and raw not in outbox[0].body

    token_record_use(token=token, ip="203.0.113.9")
    token_record_use(token=token, ip="203.0.113.9")  # within a minute: one event only
    token.refresh_from_db()
    assert token.last_used_ip == "203.0.113.9" and token.last_used_at is not None
    assert SecurityEvent.objects.filter(tag=EventTag.TOKEN_USE).count() == 1
    assert SecurityEvent.objects.get(tag=EventTag.TOKEN_USE).ip == "203.0.113.9"

    assert token_revoke(token=token, actor=owner) is True
    assert token_revoke(token=token, actor=owner) is False
    assert SecurityEvent.objects.filter(tag=EventTag.TOKEN_REVOKE).count() == 1
    assert len(outbox) == 2 and "revoked" in outbox[1].subject
    assert not ApiToken.objects.get().is_active


def test_emails_go_to_every_verified_address(owner, outbox):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=owner, email="second@example.com", verified=True)
    EmailAddress.objects.create(user=owner, email="unverified@example.com", verified=False)
    token_create(user=owner, name="x")
    recipients = sorted(address for message in outbox for address in message.to)
    assert recipients == sorted([owner.email, "second@example.com"])


# --- pages -------------------------------------------------------------------------------


def test_list_page_shows_scope_and_last_use(owner_client, owner):
    project = Project.objects.create(name="demo", normalized_name="demo")
    Role.objects.create(project=project, user=owner, role=Role.Kind.OWNER)
    token, _raw = token_create(user=owner, name="scoped", project=project)
    token_record_use(token=token, ip="198.51.100.7")
    html = owner_client.get("/account/tokens/").content.decode()
    assert "scoped" in html and "Project: demo" in html and "198.51.100.7" in html


def test_create_page_shows_the_token_once(owner_client, owner, outbox):
    form = owner_client.get("/account/tokens/new/")
    assert form.status_code == 200
    response = owner_client.post(
        "/account/tokens/new/", {"name": "laptop", "scope": "all", "expires": "30"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    html = response.content.decode()
    raw = crypto.TOKEN_RE.search(html.split('id="raw-token">')[1].split("<")[0]).group(0)
    assert token_authenticate(raw) == token
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert token.expires_at and 29 <= (token.expires_at - timezone.now()).days <= 30
    listing = owner_client.get("/account/tokens/").content.decode()
    assert raw not in listing and token.public_id in listing


def test_create_needs_sudo_mode(client, owner):
    client.force_login(owner)
    response = client.post("/account/tokens/new/", {"name": "x", "scope": "all"})
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert not ApiToken.objects.exists()


def test_scope_choices_are_only_my_projects(owner_client, owner, other_user):
    theirs = Project.objects.create(name="theirs", normalized_name="theirs")
    Role.objects.create(project=theirs, user=other_user, role=Role.Kind.OWNER)
    response = owner_client.post("/account/tokens/new/", {"name": "x", "scope": str(theirs.pk)})
    assert response.status_code == 200 and not ApiToken.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_revoke_page_only_for_own_tokens(owner_client, owner, other_user):
    mine, _ = token_create(user=owner, name="mine")
    theirs, _ = token_create(user=other_user, name="theirs")
    assert owner_client.post(f"/account/tokens/{theirs.public_id}/revoke/").status_code == 404
    assert owner_client.post(f"/account/tokens/{mine.public_id}/revoke/").status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None


def test_token_pages_need_2fa(client, user, settings):
    settings.LIFELINE_REQUIRE_2FA = True
    client.force_login(user)
    assert client.get("/account/tokens/").status_code == 302


# --- CLI ---------------------------------------------------------------------------------


def test_cli_prints_only_the_token(owner):
    out = io.StringIO()
    call_command("token", "create", "--user", owner.username, "--name", "bootstrap", stdout=out)
    raw = out.getvalue().strip()
    assert crypto.TOKEN_RE.match(raw)
    assert token_authenticate(raw).name == "bootstrap"


def test_cli_scoped_token_and_errors(owner, other_user):
    project = Project.objects.create(name="Demo", normalized_name="demo")
    Role.objects.create(project=project, user=owner, role=Role.Kind.OWNER)
    out = io.StringIO()
    call_command("token", "create", "--user", owner.username, "--project", "DEMO", stdout=out)
    assert token_authenticate(out.getvalue().strip()).project == project
    with pytest.raises(CommandError, match="No user named"):
        call_command("token", "create", "--user", "ghost")
    with pytest.raises(CommandError, match="No project named"):
        call_command("token", "create", "--user", owner.username, "--project", "nope")
    with pytest.raises(CommandError, match="has no role"):
        call_command("token", "create", "--user", other_user.username, "--project", "demo")
