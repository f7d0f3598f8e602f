"""Every lookup by username or email address uses an index (issue 15, item 5).

The lookups are the ones Lifeline and allauth run (``__iexact``): a user by username, a user by
email, an allauth address by email (lifeline/accounts/logins.py, allauth's userkit). The plans
are read with ``EXPLAIN`` with enough rows that a scan would be the planner's choice if no
index matched: on PostgreSQL (``UPPER(col)`` indexes; run with DATABASE_URL=postgresql://…)
the plan must have no ``Seq Scan``; on SQLite (``COLLATE NOCASE`` indexes, which its ``LIKE``
uses) no full ``SCAN`` of the table.
"""

from __future__ import annotations

import os

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import connection

from lifeline.accounts.logins import resolve_login

pytestmark = pytest.mark.django_db
USERS = 5000


def lookups():
    User = get_user_model()
    return {
        "user by username": User.objects.filter(username__iexact="Person4321"),
        "user by email": User.objects.filter(email__iexact="Person4321@Example.com"),
        "address by email": EmailAddress.objects.filter(email__iexact="person4321@example.com"),
        "login by address": EmailAddress.objects.filter(email__iexact="person4321@example.com")
        .select_related("user")
        .order_by("-verified", "-pk"),
    }


@pytest.fixture
def many_users(db):
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"person{i}", email=f"person{i}@example.com", password="!")
        for i in range(USERS)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return users


def test_the_lookups_find_the_account(many_users):
    for name, queryset in lookups().items():
        assert queryset.count() == 1, name
    assert resolve_login("PERSON4321@example.com").username == "person4321"
    assert resolve_login("Person4321").username == "person4321"


@pytest.mark.postgres
def test_no_sequential_scan_on_postgresql(many_users):
    in_ci = os.environ.get("CI") == "true" and os.environ.get("DATABASE_URL")
    if connection.vendor != "postgresql" and not in_ci:
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgresql://…")
    for name, queryset in lookups().items():
        plan = queryset.explain()
        assert "Seq Scan" not in plan, f"{name}:\n{plan}"
        assert "Index" in plan, f"{name}:\n{plan}"


def test_no_table_scan_on_sqlite(many_users):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite plan")
    for name, queryset in lookups().items():
        plan = queryset.explain()
        scans = [line for line in plan.splitlines() if "SCAN " in line]
        assert not scans, f"{name}:\n{plan}"
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, f"{name}:\n{plan}"
