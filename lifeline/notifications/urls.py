from django.urls import path

from lifeline.notifications import views

urlpatterns = [
    path("", views.outbox, name="dev_outbox"),
    path("<int:pk>/", views.outbox_message, name="dev_outbox_message"),
]
