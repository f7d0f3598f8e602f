from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from lifeline.core import views as core_views
from lifeline.core import views_help, views_styleguide

handler400 = "lifeline.core.views.bad_request"
handler403 = "lifeline.core.views.permission_denied"
handler404 = "lifeline.core.views.page_not_found"
handler500 = "lifeline.core.views.server_error"

# The admin's own login form checks only the password: send staff through allauth's login
# (and its second factor) instead.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", core_views.home, name="home"),
    path("account/not-me/", views_help.not_me, name="not_me"),
    path("account/", include("lifeline.accounts.urls")),
    path("desk/", include("lifeline.desk.urls")),
    path("", include("lifeline.index.urls")),
    path("account/tokens/", include("lifeline.tokens.urls")),
    path("", include("lifeline.tokens.publishing.urls")),
    path("", include("lifeline.checkup.urls")),
    path("recovery/", include("lifeline.recovery.urls")),
    path("recovery/", include("lifeline.recovery.vouch_urls")),
    path("", include("lifeline.ops.urls")),
    path("_dev/outbox/", include("lifeline.notifications.urls")),
    path("_dev/styleguide/", views_styleguide.styleguide, name="dev_styleguide"),
    path("admin/", admin.site.urls),
    path("favicon.ico", core_views.favicon),
]
