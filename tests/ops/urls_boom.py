"""The real URLs plus one view that fails while holding secrets (for the log tests)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from lifeline.urls import handler400, handler403, handler404, handler500  # noqa: F401
from lifeline.urls import urlpatterns as site_urlpatterns


@csrf_exempt
def boom(request: HttpRequest) -> HttpResponse:
    password = request.POST.get("password")
    token = request.POST.get("token")
    code = request.POST.get("code")
    # A careless error message that repeats what the user sent.
    raise RuntimeError(f"could not use password={password} token {token} code {code}")


urlpatterns = [path("_test/boom/", boom), *site_urlpatterns]
