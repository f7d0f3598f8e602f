from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "lifeline.recovery"
    label = "recovery"
    verbose_name = "Account recovery"

    def ready(self) -> None:
        from lifeline.recovery import checks, receivers  # noqa: F401 - registers them
        from lifeline.recovery.display import register_event_describers

        register_event_describers()
        # Ask the owner's recovery contacts to vouch when a request enters review.
        from django.db.models.signals import post_save

        from lifeline.recovery.vouch import open_requests_on_queue

        post_save.connect(
            open_requests_on_queue, sender="recovery.RecoveryAudit", dispatch_uid="recovery_vouch"
        )
        # The device list on the account security page (accounts owns the page, not its parts).
        from lifeline.accounts.security_page import register_security_section
        from lifeline.recovery.context import device_list_context

        register_security_section("middle", "recovery/includes/devices.html", device_list_context)
