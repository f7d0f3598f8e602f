from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "lifeline.tokens"
    label = "tokens"
