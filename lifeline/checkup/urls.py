from django.urls import include, path

from lifeline.checkup import views, webhook

urlpatterns = [
    path("_/email/events", webhook.email_events, name="email_events_webhook"),
    path("", include("lifeline.checkup.contacts_urls")),
    path("account/security/review/", views.review, name="checkup_review"),
    path(
        "account/security/tokens/<str:public_id>/revoke/",
        views.revoke_token,
        name="checkup_token_revoke",
    ),
    path("account/security/reminders/", views.resubscribe, name="checkup_resubscribe"),
    path("reminders/unsubscribe/<str:token>/", views.unsubscribe, name="checkup_unsubscribe"),
]
