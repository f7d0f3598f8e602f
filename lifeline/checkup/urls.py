from django.urls import path

from lifeline.checkup import webhook

urlpatterns = [
    path("_/email/events", webhook.email_events, name="email_events_webhook"),
]
