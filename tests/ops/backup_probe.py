"""Seed an installation with users, 2FA, tokens, emails and files, then verify a restored copy.

Run as ``python -m tests.ops.backup_probe seed|verify`` with the installation's environment
(docs/deploy.md "Backups"). ``seed`` prints what ``verify`` expects, as JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from typing import Any


def seed() -> dict[str, Any]:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from lifeline.accounts.services import user_create
    from lifeline.tokens.services import token_create

    expected: dict[str, Any] = {"users": [], "tokens": [], "files": {}}
    for n in range(3):
        username, password = f"maintainer{n}", f"restore-me-{n}-horse-battery"
        user = user_create(
            username=username, email=f"{username}@example.com", password=password, verified=True
        )
        expected["users"].append({"username": username, "password": password})
        if n == 0:
            secret = generate_totp_secret()
            TOTP.activate(user, secret)
            expected["totp_secret"] = secret
        _, raw = token_create(user=user, name=f"ci-{n}")
        expected["tokens"].append({"raw": raw, "username": username})
    for n in range(2):
        content = os.urandom(4096 + n)
        name = default_storage.save(f"packages/probe-{n}.tar.gz", ContentFile(content))
        expected["files"][name] = hashlib.sha256(content).hexdigest()
    from lifeline.events.models import SecurityEvent
    from lifeline.notifications.models import EmailLog

    expected["emails"] = EmailLog.objects.count()
    expected["events"] = SecurityEvent.objects.count()
    return expected


def verify(expected: dict[str, Any]) -> None:
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model
    from django.core.files.storage import default_storage

    from lifeline.core import crypto
    from lifeline.events.models import SecurityEvent
    from lifeline.notifications.models import EmailLog
    from lifeline.tokens.services import token_authenticate

    User = get_user_model()
    for entry in expected["users"]:
        user = User.objects.get(username=entry["username"])
        assert user.check_password(entry["password"]), entry["username"]
    for entry in expected["tokens"]:
        token = token_authenticate(entry["raw"])
        assert token is not None and token.user.username == entry["username"], entry
    totp = Authenticator.objects.get(user__username="maintainer0", type="totp")
    assert crypto.decrypt(totp.data["secret"]) == expected["totp_secret"]
    for name, digest in expected["files"].items():
        with default_storage.open(name, "rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == digest, name
    assert EmailLog.objects.count() == expected["emails"]
    assert SecurityEvent.objects.count() >= expected["events"]  # + the token uses just now


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifeline.settings")
    django.setup()
    if sys.argv[1] == "seed":
        print(json.dumps(seed()))
    else:
        verify(json.loads(sys.stdin.read()))
        print("verified")
