"""Account services (never take a request).

* ``lifecycle``: create and delete accounts;
* ``addresses``: the account's email addresses (verified ones, the primary);
* ``access``: sessions, password, second factors, freeze, the critical flag, desk groups.

Other apps change accounts through these functions, never by writing allauth or account rows
themselves.
"""

from lifeline.accounts.services.lifecycle import (
    AccountDeletionBlocked,
    account_delete,
    register_deletion_blocker,
    sole_owner_projects,
    user_create,
)

__all__ = [
    "AccountDeletionBlocked",
    "account_delete",
    "register_deletion_blocker",
    "sole_owner_projects",
    "user_create",
]
