from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

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
    # Bumped to sign out every other session at once (see lifeline.accounts.sessions).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = LifelineUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]
        indexes = [
            # The desk's "Critical: yes" filter: a handful of rows among a million users.
            models.Index(
                fields=["id"], name="accounts_user_critical", condition=Q(is_critical=True)
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's session hash (an HMAC of the password hash), bound to ``session_epoch``.

        Django signs every session with this hash and drops a session whose hash no longer
        matches, so bumping the epoch ends every session of the account in any session
        store, tracked or not; the current one is kept by re-signing it
        (``update_session_auth_hash``). Epoch 0 keeps Django's plain hash, so existing
        sessions survive the upgrade.
        """
        base = super()._get_session_auth_hash(secret=secret)
        if not self.session_epoch:
            return base
        return salted_hmac(
            "lifeline.accounts.User.session_epoch",
            f"{base}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Device(models.Model):
    """A browser the account completed a full login from (``lifeline.accounts.devices``).

    The browser holds a signed, HttpOnly cookie with a random key; only the key's SHA-256 is
    stored here, per account, so one shared browser can be remembered by several accounts.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    key_hash = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=400, blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    last_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        # Moved from the recovery app: same table and constraint, no data moved.
        db_table = "recovery_device"
        ordering = ["-last_seen", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key_hash"], name="recovery_device_unique")
        ]

    def __str__(self) -> str:
        return f"device {self.pk} of user {self.user_id}"

    @property
    def browser(self) -> str:
        from lifeline.core.client import describe_browser

        return describe_browser(self.user_agent)


from lifeline.accounts.mfa.models import RecoveryCodesConfirmation  # noqa: E402, F401
