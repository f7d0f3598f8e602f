"""The vouch page (included from lifeline/urls.py under recovery/)."""

from django.urls import path

from lifeline.recovery import vouch_views

urlpatterns = [
    path("vouch/<int:proof_id>/", vouch_views.vouch, name="recovery_vouch"),
]
