from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "lifeline.recovery"
    label = "recovery"
