"""Django error reports without secrets (``DEFAULT_EXCEPTION_REPORTER_FILTER``).

Django scrubs POST parameters only where a view is decorated with
``sensitive_post_parameters``. A form added tomorrow without the decorator would leak the
password typed into it the first time it crashes, so this filter also scrubs, everywhere
and in DEBUG too, every POST field, frame variable and header whose *name* looks
sensitive, and every value that *looks* like a token or a code.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.html import escape
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from lifeline.ops.logs import SENSITIVE_NAME, redact_text, request_secrets


class SafeReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request: HttpRequest | None) -> bool:
        return True

    def _scrub(self, data: MultiValueDict) -> MultiValueDict:
        cleansed = data.copy()
        for key in list(cleansed):
            if SENSITIVE_NAME.search(key):
                cleansed.setlist(key, [self.cleansed_substitute])
            else:
                cleansed.setlist(key, [redact_text(str(v)) for v in data.getlist(key)])
        return cleansed

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        if request is None:
            return {}
        return self._scrub(super().get_post_parameters(request))

    def get_cleansed_multivaluedict(self, request: HttpRequest, multivaluedict: Any) -> Any:
        return self._scrub(super().get_cleansed_multivaluedict(request, multivaluedict))

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        cleansed = []
        for name, value in super().get_traceback_frame_variables(request, tb_frame):
            if SENSITIVE_NAME.search(name) or name in {"raw", "plaintext", "secret"}:
                value = self.cleansed_substitute
            elif isinstance(value, str):
                value = redact_text(value)
            cleansed.append((name, value))
        return cleansed

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        secrets = request_secrets(request)
        return {
            key: redact_text(value, secrets) if isinstance(value, str) else value
            for key, value in super().get_safe_request_meta(request).items()
        }

    def get_safe_query(self, request: HttpRequest) -> MultiValueDict:
        return self._scrub(request.GET)

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        if isinstance(key, str) and SENSITIVE_NAME.search(key):
            return self.cleansed_substitute
        return super().cleanse_setting(key, value)


class SafeExceptionReporter(ExceptionReporter):
    """``DEFAULT_EXCEPTION_REPORTER``: also scrubs the exception message, the query string
    and frame variables, where an error message or a local may repeat what was posted."""

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        secrets = request_secrets(self.request)
        secrets += [escape(secret) for secret in secrets if escape(secret) != secret]

        def clean(value: Any) -> str:
            return redact_text(str(value), secrets)

        for key in ("exception_value", "exception_notes", "request_insecure_uri"):
            if data.get(key):
                data[key] = clean(data[key])
        if self.request is not None and "request_GET_items" in data:
            data["request_GET_items"] = SafeReporterFilter().get_safe_query(self.request).items()
        for frame in data.get("frames", []):
            frame["vars"] = [(name, clean(value)) for name, value in frame.get("vars", [])]
            if frame.get("exc_cause"):
                frame["exc_cause"] = clean(frame["exc_cause"])
        return data
