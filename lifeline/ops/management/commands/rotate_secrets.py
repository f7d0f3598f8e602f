"""``lifeline rotate_secrets``: re-encrypt every secret at rest under the newest key.

Step 3 of key rotation (docs/deploy.md): after the new key is first in
LIFELINE_ENCRYPTION_KEYS and every process restarted, this rewrites each ``fernet:``
ciphertext (queued emails, recovery data, 2FA secrets...) under the new key, so that the old
key can be dropped. Idempotent and safe to re-run; rows are rewritten one at a time.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, models, transaction

from lifeline.core import crypto


def rotate_text_fields() -> int:
    """Rotate every char/text column value that is a Lifeline ciphertext, in every model."""
    count = 0
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed or model._meta.db_table not in tables:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField)) or field.primary_key:
                continue
            rows = model._default_manager.filter(**{f"{field.name}__startswith": crypto.PREFIX})
            for pk in rows.values_list("pk", flat=True).iterator():
                with transaction.atomic():
                    row = model._default_manager.select_for_update().filter(pk=pk)
                    value = row.values_list(field.name, flat=True).first()
                    if value and value.startswith(crypto.PREFIX):
                        row.update(**{field.name: crypto.rotate(value)})
                        count += 1
    return count


class Command(BaseCommand):
    help = "Re-encrypt every secret at rest under the first key of LIFELINE_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rotate_text_fields()
        self.stdout.write(f"Re-encrypted {count} stored value(s) under the newest key.")
        try:
            from lifeline.accounts.mfa.rotation import rotate_mfa_secrets
        except ImportError:  # pragma: no cover - 2FA rotation lives with the accounts app
            return
        mfa = rotate_mfa_secrets()
        self.stdout.write(f"Re-encrypted {mfa} two-factor secret(s) under the newest key.")
