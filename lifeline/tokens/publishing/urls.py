from django.urls import path

from lifeline.tokens.publishing import api, views

urlpatterns = [
    path("_/oidc/audience", api.audience, name="oidc_audience"),
    path("_/oidc/mint-token", api.mint, name="oidc_mint_token"),
    path("_/oidc/burn-token", api.burn, name="oidc_burn_token"),
    path(
        "manage/project/<str:name>/publishing/",
        views.publishing_manage,
        name="publishing_manage",
    ),
    path(
        "manage/project/<str:name>/publishing/<int:pk>/remove/",
        views.publishing_remove,
        name="publishing_remove",
    ),
    path("account/publishing/", views.publishing_pending, name="publishing_pending"),
    path(
        "account/publishing/<int:pk>/remove/",
        views.publishing_pending_remove,
        name="publishing_pending_remove",
    ),
]
