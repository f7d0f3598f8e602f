from django.apps import AppConfig


class IndexConfig(AppConfig):
    name = "lifeline.index"
    label = "index"

    def ready(self) -> None:
        from lifeline.accounts.services import register_deletion_blocker
        from lifeline.index.services.roles import sole_owner_projects

        register_deletion_blocker(sole_owner_projects)
