"""Create the database cache table as part of ``migrate``.

The database cache is the default shared cache (rate limits must be shared by every
process). Creating its table in a migration means every database, including test
databases, has it without a separate ``createcachetable`` step.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
