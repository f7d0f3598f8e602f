from django.urls import path

from lifeline.events import views

urlpatterns = [path("", views.security_history, name="security_history")]
