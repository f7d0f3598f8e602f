"""Key rotation (docs/deploy.md): new key first → rotate_secrets → old key can go."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from lifeline.core import crypto
from lifeline.notifications import services
from lifeline.notifications.models import EmailLog

pytestmark = pytest.mark.django_db


def test_rotate_secrets_rewrites_queued_emails_under_the_new_key(settings, user, capsys):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.LIFELINE_ENCRYPTION_KEYS = [old_key]
    (log,) = services.send_email(
        template="account_password_changed", user=user, context={"user": user}
    )

    settings.LIFELINE_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_secrets")
    assert "Re-encrypted 1 stored value" in capsys.readouterr().out

    settings.LIFELINE_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    payload = EmailLog.objects.get(pk=log.pk).payload
    assert json.loads(crypto.decrypt(payload))["subject"] == log.subject


def test_genkey_prints_a_usable_key(capsys):
    call_command("genkey")
    Fernet(capsys.readouterr().out.strip().encode())
    call_command("genkey", "--secret-key")
    assert len(capsys.readouterr().out.strip()) >= 50
