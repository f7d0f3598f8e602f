"""Structured logs that never carry secrets.

``JsonFormatter`` writes one JSON object per line with the request id. ``RedactFilter``
scrubs every record before any handler sees it: values under sensitive keys (password,
token, code, secret, key...), API tokens (``llpi-…``, ``pypi-…``), ``Authorization``
credentials, one-time and recovery codes (runs of 6 or more digits), and the secret part
of emailed links (``/confirm-email/<key>/``, ``/reset/key/<key>/``...).
``SafeReporterFilter`` does the same for Django's error reports, whose POST data would
otherwise include the password typed into the form that failed.

Every request's log line goes through this, so it must cost little whatever a client sends:
each text is capped (``MAX_TEXT``, tracebacks ``MAX_TRACEBACK``) before any pattern runs,
every pattern is linear in its input, and a pattern runs only when a cheap substring test
says it could match.

This module imports nothing from Django at import time, so gunicorn's master can use it
in ``logconfig_dict`` before the application is loaded.
"""

from __future__ import annotations

import base64
import contextvars
import functools
import json
import logging
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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

# Every pattern below runs in time linear in its input: matches start only where a run of
# characters begins (a lookbehind), runs are taken possessively (``*+``, ``++``: no
# backtracking into them) and repetitions that could overlap are bounded. The old key=value
# pattern started a ``[\w\-]*`` scan at every character and backtracked through it: 46 ms on
# 1k characters, 9.6 s on 16k (issue 11, item 12). Each rule also names cheap substring hints
# (lower-case); when none is in the text the regex is not run at all.
_KEYWORDS = ("pass", "secret", "token", "code", "otp", "key", "credential", "sessionid")
_EMAILED_LINK_SEGMENTS = (
    "confirm-email", "key", "reset", "cancel", "restore", "verify", "confirm", "invite", "vouch"
)  # fmt: skip
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_NOT_REDACTED = r"(?!" + re.escape(REDACTED) + r")"
_WORD = r"[A-Za-z0-9_\-]"


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    replacement: str
    hints: tuple[str, ...] = ()  # run only if one of these is in the lower-cased text
    needs: Callable[[str], bool] | None = None  # or only if this cheap test passes


_RULES: list[_Rule] = [
    # API tokens: Lifeline's own and PyPI-style ones.
    _Rule(
        re.compile(r"\b(llpi|pypi)-[A-Za-z0-9_\-\.]{8,}+"), r"\1-" + REDACTED, ("llpi-", "pypi-")
    ),
    # Authorization header values.
    _Rule(
        re.compile(r"\b(Bearer|Basic|Token)\s++[A-Za-z0-9_\-\.=+/:]{6,}+", re.I),
        r"\1 " + REDACTED,
        ("bearer", "basic", "token"),
    ),
    # key=value, "key": "value", 'key': ['value'] pairs with a sensitive key (a name of at
    # most 129 characters containing a keyword); a quoted value is taken up to its closing
    # quote (passwords may contain spaces and symbols), at most 4096 characters.
    _Rule(
        re.compile(
            r"""(?P<k>(?<![\w\-])["']?[\w\-]{0,64}?(?:"""
            + "|".join(_KEYWORDS)
            + r""")[\w\-]{0,64}+["']?\s{0,16}+[=:]\s{0,16}+"""
            + r"(?!\[?"
            + re.escape(REDACTED)
            + r""")\[?\s{0,16}+)"""
            r"""(?:"(?:[^"\\]|\\.){0,4096}+"|'(?:[^'\\]|\\.){0,4096}+'|[^\s&,;"'}\]]++)""",
            re.I,
        ),
        r"\g<k>" + REDACTED,
        _KEYWORDS,
        lambda text: "=" in text or ":" in text,
    ),
    # Recovery links carry their secret after the case's UUID: /verify/<uuid>/<token>/,
    # /status/<uuid>/<token>/, /restore/<uuid>/<token>/. Redact whatever follows a UUID.
    _Rule(
        re.compile(
            r"(/(?:verify|status|restore)/" + _UUID + r"/)" + _NOT_REDACTED + r"[^/\s?\"']++"
        ),
        r"\1" + REDACTED,
        ("/verify/", "/status/", "/restore/"),
    ),
    # The secret segment of emailed links.
    _Rule(
        re.compile(
            r"(/(?:"
            + "|".join(_EMAILED_LINK_SEGMENTS)
            + r")/)"
            + _NOT_REDACTED
            + r"[^/\s?\"']{6,}+"
        ),
        r"\1" + REDACTED,
        tuple(f"/{segment}/" for segment in _EMAILED_LINK_SEGMENTS),
    ),
    # Anything that looks like a signed value: base64-ish runs joined by two colons.
    _Rule(
        re.compile(rf"(?<!{_WORD}){_WORD}{{2,}}+:{_WORD}{{4,}}+:{_WORD}{{16,}}+"),
        REDACTED,
        needs=lambda text: text.count(":") >= 2,
    ),
    # Codes: TOTP (6 digits), emailed codes (8), recovery codes (20, maybe grouped 5-5-5-5),
    # standing alone. Numbers logged as structured fields (ints) are left alone.
    _Rule(
        re.compile(r"(?<![\w.\-:/])\d{4,5}(?:[ \-]\d{4,5}){2,7}+(?![\w.\-:])"),
        REDACTED,
        needs=lambda text: _DIGITS.search(text) is not None,
    ),
    _Rule(
        re.compile(r"(?<![\w.\-:/])\d{6,}+(?![\w.\-:])"),
        REDACTED,
        needs=lambda text: _DIGITS.search(text) is not None,
    ),
]
_DIGITS = re.compile(r"\d{4}")
# Every hint of every rule, once, for the fast path: ordinary text (a package page's path, a
# log message) contains none of them, no colon and no four digits, and skips every pattern.
_ALL_HINTS = tuple(dict.fromkeys(hint for rule in _RULES for hint in rule.hints))


def _may_hold_secret(text: str, lowered: str) -> bool:
    for hint in _ALL_HINTS:
        if hint in lowered:
            return True
    return ":" in text or _DIGITS.search(text) is not None


# Texts longer than this are cut (head and tail kept) before any pattern runs, so the work
# per log record is bounded whatever a client sends. Tracebacks get more room.
MAX_TEXT = 4096
MAX_TRACEBACK = 16384
_CUT_AT = " \t\n/&?;,\"'"  # a cut moves to one of these, so no half token is left behind


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


def cap(text: str, limit: int = MAX_TEXT) -> tuple[str, int, str]:
    """Cut ``text`` to at most ``limit`` characters: ``(head, characters cut, tail)``.

    The cut moves outwards to a separator, so a token that straddled it is dropped whole
    rather than half kept where the patterns could no longer recognise it.
    """
    if len(text) <= limit:
        return text, 0, ""
    half = limit // 2
    head, tail = text[:half], text[-half:]
    head = head[: max(head.rfind(c) for c in _CUT_AT) + 1]
    starts = [i for i in (tail.find(c) for c in _CUT_AT) if i >= 0]
    tail = tail[min(starts) :] if starts else ""
    return head, len(text) - len(head) - len(tail), tail


def apply_patterns(text: str) -> str:
    """Run the value patterns whose hints are present (no length cap: callers cap)."""
    lowered = text.lower()
    if not _may_hold_secret(text, lowered):
        return text
    for rule in _RULES:
        if rule.hints and not any(hint in lowered for hint in rule.hints):
            continue
        if rule.needs is not None and not rule.needs(text):
            continue
        text = rule.pattern.sub(rule.replacement, text)
    return text


def redact_text(text: str, secrets: list[str] | None = None, *, limit: int = MAX_TEXT) -> str:
    """Return ``text`` with anything that looks like a secret replaced by ``[REDACTED]``.

    The request's own secrets are replaced first, on the whole text (a plain substring
    replace, linear); then the text is capped to ``limit`` characters and the patterns run.
    """
    for secret in request_secrets(request_var.get()) if secrets is None else secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    head, cut, tail = cap(text, limit)
    if not cut:
        return apply_patterns(head)
    return f"{apply_patterns(head)}…[{cut} characters cut]…{apply_patterns(tail)}"


@functools.lru_cache(maxsize=512)
def _sensitive_short_name(name: str) -> bool:
    return SENSITIVE_NAME.search(name) is not None


def _is_sensitive_name(name: str) -> bool:
    """``SENSITIVE_NAME`` for a key; the few names log records use are looked up once."""
    if len(name) <= 64:
        return _sensitive_short_name(name)
    return SENSITIVE_NAME.search(name) is not None


def redact(value: Any, key: str = "", secrets: list[str] | None = None) -> Any:
    """Redact a value for logging: by its key first, then by its content, recursively."""
    if key and _is_sensitive_name(key) and value not in (None, "", [], {}):
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
            record.exc_text = redact_text(record.exc_text, secrets, limit=MAX_TRACEBACK)
        # The traceback text now lives in exc_text; never format the live objects again.
        record.exc_info = None
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info, secrets, limit=MAX_TRACEBACK)
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
