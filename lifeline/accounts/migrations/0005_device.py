"""Remembered devices become an account model (they were ``recovery.Device``).

State only: the table keeps its name (``recovery_device``, set in ``Meta.db_table``) and its
unique constraint, so no row moves. ``recovery.0006_device_moved_to_accounts`` removes the
model from the recovery app's state and depends on this migration.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_lookup_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Device",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("key_hash", models.CharField(max_length=64)),
                        ("user_agent", models.CharField(blank=True, max_length=400)),
                        ("first_seen", models.DateTimeField(default=django.utils.timezone.now)),
                        ("last_seen", models.DateTimeField(default=django.utils.timezone.now)),
                        ("last_ip", models.GenericIPAddressField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="devices",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "recovery_device",
                        "ordering": ["-last_seen", "-id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "key_hash"), name="recovery_device_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
