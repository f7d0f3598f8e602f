from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lifeline.core"
    label = "core"
    verbose_name = "Lifeline core"

    def ready(self) -> None:
        from lifeline.core import checks  # noqa: F401 - registers the deploy checks
