from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lifeline.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from lifeline.accounts import checks, receivers, session_limits, sessions  # noqa: F401
        from lifeline.accounts.mfa import receivers as mfa_receivers  # noqa: F401
