from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "lifeline.desk"
    label = "desk"
    verbose_name = "Support desk"
