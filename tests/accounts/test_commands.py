"""Operator commands: createuser and demo."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from lifeline.accounts.management.commands.demo import DEMO_USERS

User = get_user_model()


def test_createuser_reads_password_from_stdin(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-strong-enough-password-1\n"))
    out = io.StringIO()
    call_command(
        "createuser",
        "--username",
        "ops",
        "--email",
        "Ops@Example.com",
        "--password-stdin",
        "--verified",
        "--staff",
        stdout=out,
    )
    user = User.objects.get(username="ops")
    assert out.getvalue().strip() == "ops"
    assert user.is_staff and user.check_password("a-strong-enough-password-1")
    assert EmailAddress.objects.get(user=user).verified


def test_createuser_explains_bad_input(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="too short"):
        call_command(
            "createuser", "--username", "ops", "--email", "o@example.com", "--password-stdin"
        )
    assert not User.objects.exists()


def test_demo_runs_only_on_empty_database(db, user):
    with pytest.raises(CommandError, match="already has users"):
        call_command("demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "not loaded" in out.getvalue()
    call_command("demo", "--force", stdout=io.StringIO())
    assert User.objects.filter(username="alice").exists()


def test_demo_creates_verified_users_and_prints_logins(db):
    out = io.StringIO()
    call_command("demo", stdout=out)
    for username, email, password, _staff in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert EmailAddress.objects.get(user=user, email=email).verified
        assert f"{username} / {password}" in out.getvalue()


def test_demo_support_user_has_the_desk_support_role(db):
    call_command("demo", stdout=io.StringIO())
    support = User.objects.get(username="support")
    assert support.is_staff
    assert list(support.groups.values_list("name", flat=True)) == ["support"]
