"""``Device`` moved to the accounts app (``accounts.0005_device``): state only, the table
``recovery_device`` and its rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("recovery", "0005_metrics_indexes"),
        ("accounts", "0005_device"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Device")],
            database_operations=[],
        ),
    ]
