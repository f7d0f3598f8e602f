from django.contrib import admin
from django.urls import include, path

from lifeline.core import views as core_views

handler400 = "lifeline.core.views.bad_request"
handler403 = "lifeline.core.views.permission_denied"
handler404 = "lifeline.core.views.page_not_found"
handler500 = "lifeline.core.views.server_error"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("account/", include("lifeline.accounts.urls")),
    path("desk/", include("lifeline.desk.urls")),
    path("", include("lifeline.index.urls")),
    path("account/tokens/", include("lifeline.tokens.urls")),
    path("recovery/", include("lifeline.recovery.urls")),
    path("", include("lifeline.ops.urls")),
    path("_dev/outbox/", include("lifeline.notifications.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", core_views.favicon),
]
