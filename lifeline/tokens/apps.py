from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "lifeline.tokens"
    label = "tokens"

    def ready(self) -> None:
        from lifeline.tokens import receivers
        from lifeline.tokens.publishing import checks  # noqa: F401 - registers the checks

        receivers.connect()  # the index's upload authenticator and file_uploaded receiver
