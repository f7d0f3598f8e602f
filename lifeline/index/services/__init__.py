"""Project services: roles and releases. They never take a request."""

from lifeline.index.services.errors import ManageError
from lifeline.index.services.releases import release_delete, release_unyank, release_yank
from lifeline.index.services.roles import (
    is_owner,
    ownership_transfer,
    projects_for_user,
    role_add,
    role_remove,
)

__all__ = [
    "ManageError",
    "is_owner",
    "ownership_transfer",
    "projects_for_user",
    "release_delete",
    "release_unyank",
    "release_yank",
    "role_add",
    "role_remove",
]
