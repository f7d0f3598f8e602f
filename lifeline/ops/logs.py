"""Structured logs that never carry secrets.

``JsonFormatter`` writes one JSON object per line with the request id. ``RedactFilter``
scrubs every record before any handler sees it: values under sensitive keys (password,
token, code, secret, key...), API tokens (``llpi-…``, ``pypi-…``), ``Authorization``
credentials, one-time and recovery codes (runs of 6 or more digits), and the secret part
of emailed links (``/confirm-email/<key>/``, ``/reset/key/<key>/``...).
``SafeReporterFilter`` does the same for Django's error reports, whose POST data would
otherwise include the password typed into the form that failed.

This module imports nothing from Django at import time, so gunicorn's master can use it
in ``logconfig_dict`` before the application is loaded.
"""

from __future__ import annotations

import base64
import contextvars
import json
import logging
import re
import traceback
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

REDACTED = "[REDACTED]"

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "lifeline_request_id", default=""
)
# The request being served (set by RequestLogMiddleware): what it *posted* under sensitive
# names is redacted verbatim from every record, however it was quoted or embedded.
request_var: contextvars.ContextVar[Any] = contextvars.ContextVar("lifeline_request", default=None)

# Names whose values are secrets wherever they appear (form fields, JSON keys, query strings).
SENSITIVE_NAME = re.compile(
    r"pass(word|wd|phrase)?|secret|token|api[_-]?key|^key$|_key$|code|otp|totp|"
    r"credential|authori[sz]ation|cookie|session|csrf|signature|seed",
    re.IGNORECASE,
)

_VALUE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # API tokens: Lifeline's own and PyPI-style ones.
    (re.compile(r"\b(llpi|pypi)-[A-Za-z0-9_\-\.]{8,}"), r"\1-" + REDACTED),
    # Authorization header values.
    (re.compile(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9_\-\.=+/:]{6,}", re.I), r"\1 " + REDACTED),
    # key=value, "key": "value", 'key': ['value'] pairs with a sensitive key; a quoted value
    # is taken up to its closing quote (passwords may contain spaces and symbols).
    (
        re.compile(
            r"""(?P<k>["']?[\w\-]*(?:pass(?:word|wd)?|secret|token|code|otp|key|"""
            r"""credential|csrfmiddlewaretoken|sessionid)[\w\-]*["']?\s*[=:]\s*+(?!\[?\[REDACTED\])\[?\s*+)"""
            r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s&,;"'}\]]+)""",
            re.I,
        ),
        r"\g<k>" + REDACTED,
    ),
    # Recovery links carry their secret after the case's UUID: /verify/<uuid>/<token>/,
    # /status/<uuid>/<token>/, /restore/<uuid>/<token>/. Redact whatever follows a UUID.
    (
        re.compile(
            r"(/(?:verify|status|restore)/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/)"
            r"(?!" + re.escape(REDACTED) + r")[^/\s?\"']+"
        ),
        r"\1" + REDACTED,
    ),
    # The secret segment of emailed links.
    (
        re.compile(
            r"(/(?:confirm-email|key|reset|cancel|restore|verify|confirm|invite|vouch)/)"
            r"(?!" + re.escape(REDACTED) + r")[^/\s?\"']{6,}"
        ),
        r"\1" + REDACTED,
    ),
    # Anything that looks like a signed value: base64-ish runs containing a colon.
    (re.compile(r"\b[A-Za-z0-9_\-]{2,}:[A-Za-z0-9_\-]{4,}:[A-Za-z0-9_\-]{16,}\b"), REDACTED),
    # Codes: TOTP (6 digits), emailed codes (8), recovery codes (20, maybe grouped 5-5-5-5),
    # standing alone. Numbers logged as structured fields (ints) are left alone.
    (re.compile(r"(?<![\w.\-:/])\d{4,5}(?:[ \-]\d{4,5}){2,}(?![\w.\-:])"), REDACTED),
    (re.compile(r"(?<![\w.\-:/])\d{6,}(?![\w.\-:])"), REDACTED),
]


def request_secrets(request: Any) -> list[str]:
    """The secret values this request carries: sensitive form fields and credentials.

    Form data is read only if the application already parsed it (never forcing a parse of
    an upload body from a log call).
    """
    if request is None:
        return []
    found: list[str] = []
    marked = getattr(request, "sensitive_post_parameters", None) or []
    for data in (getattr(request, "_post", None), getattr(request, "GET", None)):
        for key in data or ():
            if marked == "__ALL__" or key in marked or SENSITIVE_NAME.search(key):
                found.extend(str(value) for value in data.getlist(key))
    authorization = getattr(request, "META", {}).get("HTTP_AUTHORIZATION", "")
    scheme, _, credential = authorization.partition(" ")
    if credential:
        found.append(credential.strip())
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credential.strip(), validate=True).decode()
            except (ValueError, UnicodeDecodeError):
                decoded = ""
            found.extend(part for part in decoded.partition(":")[::2] if part != "__token__")
    return sorted({value for value in found if len(value) >= 4}, key=len, reverse=True)


def redact_text(text: str, secrets: list[str] | None = None) -> str:
    """Return ``text`` with anything that looks like a secret replaced by ``[REDACTED]``."""
    for secret in request_secrets(request_var.get()) if secrets is None else secrets:
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _VALUE_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(value: Any, key: str = "", secrets: list[str] | None = None) -> Any:
    """Redact a value for logging: by its key first, then by its content, recursively."""
    if key and SENSITIVE_NAME.search(key) and value not in (None, "", [], {}):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, Mapping):
        return {str(k): redact(v, str(k), secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [redact(v, "", secrets) for v in value]
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return redact_text(str(value), secrets)


# Attributes every LogRecord has; anything else was passed through ``extra=``.
_RECORD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
# Extras that are objects, not data: never serialise them.
_SKIP_EXTRAS = {"request", "response", "server_time", "color_message"}


class RedactFilter(logging.Filter):
    """Scrub the message, its arguments, the traceback text and every extra field."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = request_secrets(request_var.get())
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template, drop the args
            message = str(record.msg)
        record.msg = redact_text(message, secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info))
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text, secrets)
        # The traceback text now lives in exc_text; never format the live objects again.
        record.exc_info = None
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info, secrets)
        for name, value in list(vars(record).items()):
            if name in _RECORD_ATTRS or name in _SKIP_EXTRAS or name.startswith("_"):
                continue
            setattr(record, name, redact(value, name, secrets))
        return True


class RequestIdFilter(logging.Filter):
    """Attach the current request id (empty outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage() if record.args else str(record.msg)
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": message,
        }
        request_id = getattr(record, "request_id", "") or request_id_var.get()
        if request_id and request_id != "-":
            data["request_id"] = request_id
        for name, value in vars(record).items():
            if name in _RECORD_ATTRS or name in _SKIP_EXTRAS or name.startswith("_"):
                continue
            data[name] = value if _is_jsonable(value) else str(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exc"] = record.exc_text
        if record.stack_info:
            data["stack"] = record.stack_info
        return json.dumps(data, default=str, ensure_ascii=False)


def _is_jsonable(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool, type(None), list, dict))
