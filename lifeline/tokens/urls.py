from django.urls import path

from lifeline.tokens import views

urlpatterns = [
    path("", views.token_list, name="token_list"),
    path("new/", views.token_new, name="token_new"),
    path("<str:public_id>/revoke/", views.token_revoke_view, name="token_revoke"),
]
