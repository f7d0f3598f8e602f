from django.urls import include, path

from lifeline.accounts import views

urlpatterns = [
    path("security/", views.security, name="account_security"),
    path("security/history/", include("lifeline.events.urls")),
    path("", include("allauth.urls")),
]
