from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lifeline.notifications"
    label = "notifications"
    verbose_name = "Notifications"
