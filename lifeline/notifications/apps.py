from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lifeline.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from lifeline.notifications import checks  # noqa: F401 - registers the deploy checks
