from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "lifeline.recovery"
    label = "recovery"
    verbose_name = "Account recovery"

    def ready(self) -> None:
        from lifeline.recovery import checks, receivers  # noqa: F401 - registers them
        from lifeline.recovery.display import register_event_describers

        register_event_describers()
