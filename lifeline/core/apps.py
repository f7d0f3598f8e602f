from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lifeline.core"
    label = "core"
    verbose_name = "Lifeline core"

    def ready(self) -> None:
        from django.conf import settings

        from lifeline.core import checks  # noqa: F401 - registers the deploy checks
        from lifeline.core.dev_secrets import ensure_directories

        # Where this process writes (the SQLite file, collected static files): made at start,
        # not when the settings module is imported (lifeline/core/dev_secrets.py).
        ensure_directories(*[path for path in (settings.VAR_DIR, settings.STATIC_ROOT) if path])
