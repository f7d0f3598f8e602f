from django.apps import AppConfig


class CheckupConfig(AppConfig):
    name = "lifeline.checkup"
    label = "checkup"
    verbose_name = "Security checkup and email reachability"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lifeline.checkup import (  # noqa: F401 - registers them
            checks,
            new_device,
            receivers,
            stale_links,
        )
        from lifeline.checkup.display import register_event_describers

        register_event_describers()
        from lifeline.checkup.contacts_display import register_contact_describers

        register_contact_describers()
