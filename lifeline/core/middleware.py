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


class RejectNullCharactersMiddleware:
    """Answer 400 to a query string carrying a NUL character.

    No legitimate link contains one, PostgreSQL refuses to compare text with it (a 500
    waiting to happen in every view that filters on a GET parameter), and forms already
    reject it in POST data through Django's ProhibitNullCharactersValidator.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            from lifeline.core.views import bad_request

            return bad_request(request)
        return self.get_response(request)
