from django.urls import include, path

from lifeline.accounts import views, views_delete
from lifeline.accounts.mfa import views as mfa_views

# Lifeline's 2FA pages, and allauth paths it wraps (same path and name, so they win).
mfa_urlpatterns = [
    path(
        "recovery-codes/",
        mfa_views.view_recovery_codes,
        name="mfa_view_recovery_codes",
    ),
    path(
        "recovery-codes/download/",
        mfa_views.download_recovery_codes,
        name="mfa_download_recovery_codes",
    ),
    path(
        "recovery-codes/confirm/",
        mfa_views.confirm_recovery_codes,
        name="mfa_confirm_recovery_codes",
    ),
    path(
        "recovery-codes/print/",
        mfa_views.print_recovery_codes,
        name="mfa_print_recovery_codes",
    ),
    path(
        "webauthn/keys/<int:pk>/remove/",
        mfa_views.remove_webauthn,
        name="mfa_remove_webauthn",
    ),
]

urlpatterns = [
    path("security/", views.security, name="account_security"),
    path("security/sessions/", views.sessions, name="account_sessions"),
    path("security/history/", include("lifeline.events.urls")),
    path("delete/", views_delete.delete_account, name="account_delete"),
    path("2fa/", include(mfa_urlpatterns)),
    path("", include("allauth.urls")),
]
