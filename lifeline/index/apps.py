from django.apps import AppConfig


class IndexConfig(AppConfig):
    name = "lifeline.index"
    label = "index"
