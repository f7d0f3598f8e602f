from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "lifeline.events"
    label = "events"
    verbose_name = "Security events"
