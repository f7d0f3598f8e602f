from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from lifeline.core.client import client_context, client_from_request


class ClientContextMiddleware:
    """Make the client's IP and user agent available to services for this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        info = client_from_request(request)
        request.client = info  # type: ignore[attr-defined]
        with client_context(info):
            return self.get_response(request)
