"""Indexes for every case-insensitive lookup by username or email address (issue 15, item 5).

Lifeline and allauth look accounts up with ``__iexact``. On PostgreSQL that compiles to
``UPPER(col) = UPPER(%s)``, which the unique index on ``LOWER(username)`` cannot serve, so each
lookup scanned the whole table (a login at a million users: 409 ms instead of 140 ms, and a
failed one scanned three tables). On SQLite it compiles to ``col LIKE %s``, which uses an index
only if the column is indexed with the NOCASE collation. So the indexes are per database:
``UPPER(col)`` on PostgreSQL, ``col COLLATE NOCASE`` on SQLite, on ``accounts_user.username``,
``accounts_user.email`` and allauth's ``account_emailaddress.email``.
tests/accounts/test_lookup_plans.py checks the query plans.
"""

from django.db import migrations

INDEXES = [
    ("accounts_user_username_ci_idx", "accounts_user", "username"),
    ("accounts_user_email_ci_idx", "accounts_user", "email"),
    ("account_emailaddress_email_ci_idx", "account_emailaddress", "email"),
]


def create(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for name, table, column in INDEXES:
        if connection.vendor == "postgresql":
            expression = f"(UPPER({quote(column)}))"
        elif connection.vendor == "sqlite":
            expression = f"({quote(column)} COLLATE NOCASE)"
        else:
            continue
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} {expression}"
        )


def drop(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        for name, _table, _column in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_session_epoch"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]
    operations = [migrations.RunPython(create, drop)]
