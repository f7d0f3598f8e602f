"""The LOGGING dict (built here so settings.py stays readable; no Django imports).

Logs go to stderr, one JSON object per line in production ("text" in development), each with
its request id; lifeline.ops.logs.RedactFilter scrubs passwords, tokens, codes and
emailed-link keys from every record before it is written. Django's own loggers are routed
through the same handler so nothing bypasses the filter.
"""

from __future__ import annotations

from typing import Any


def build_logging(*, log_format: str, level: str, access_level: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact": {"()": "lifeline.ops.logs.RedactFilter"},
            "request_id": {"()": "lifeline.ops.logs.RequestIdFilter"},
        },
        "formatters": {
            "json": {"()": "lifeline.ops.logs.JsonFormatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id", "redact"],
                "formatter": "json" if log_format == "json" else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
            "lifeline.access": {"level": access_level},
        },
    }
