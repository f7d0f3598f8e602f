from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "lifeline.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from lifeline.ops import receivers  # noqa: F401
