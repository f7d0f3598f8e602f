from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

from lifeline.accounts.validators import USERNAME_MAX_LENGTH, validate_username


class LifelineUserManager(UserManager):
    def get_by_natural_key(self, username: str):  # type: ignore[override]
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A Lifeline account. Usernames follow PyPI's rules and are unique without case."""

    username = models.CharField(
        "username",
        max_length=USERNAME_MAX_LENGTH,
        unique=True,
        validators=[validate_username],
        help_text="Letters, digits, '.', '_' and '-'; at most 50 characters.",
        error_messages={"unique": "That username is taken."},
    )
    # Staff may flag an account critical (two approvers for recovery) or freeze it.
    is_critical = models.BooleanField(default=False)
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_reason = models.CharField(max_length=500, blank=True)

    objects = LifelineUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


from lifeline.accounts.mfa.models import RecoveryCodesConfirmation  # noqa: E402, F401
