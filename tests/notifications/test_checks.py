from lifeline.notifications.checks import outbox_not_in_production


def test_production_without_smtp_is_flagged(settings):
    settings.PRODUCTION = True
    settings.MAILERS = {"default": {"BACKEND": "lifeline.notifications.outbox.OutboxBackend"}}
    assert [m.id for m in outbox_not_in_production()] == ["lifeline.W001"]


def test_production_with_smtp_is_clean(settings):
    settings.PRODUCTION = True
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
    assert outbox_not_in_production() == []


def test_development_outbox_is_fine(settings):
    settings.PRODUCTION = False
    settings.MAILERS = {"default": {"BACKEND": "lifeline.notifications.outbox.OutboxBackend"}}
    assert outbox_not_in_production() == []


def test_registered_with_the_deploy_checks():
    from django.core.checks import registry

    assert outbox_not_in_production in registry.registry.get_checks(include_deployment_checks=True)
