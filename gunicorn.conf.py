"""gunicorn configuration for Lifeline: ``gunicorn -c gunicorn.conf.py``.

Every value can be overridden from the environment (GUNICORN_*); docs/deploy.md explains
the choices. Static files are served by whitenoise inside the app, so gunicorn can sit
directly behind a load balancer or a TLS-terminating proxy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

wsgi_app = "lifeline.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Threads let a worker keep serving the simple API while another thread streams an upload.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Uploads of large distributions take a while on slow links; keep well above the proxy's.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then so that a slow leak can never take a node down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The proxy in front sets X-Forwarded-Proto; Django reads it only when
# LIFELINE_TRUSTED_PROXY_COUNT is set (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "lifeline"

# One access line per request is written by Lifeline itself (with the request id and the
# secret parts of paths redacted), so gunicorn's own access log stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "lifeline.ops.logs.RedactFilter"},
        "request_id": {"()": "lifeline.ops.logs.RequestIdFilter"},
    },
    "formatters": {"json": {"()": "lifeline.ops.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id", "redact"],
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}

# Prometheus counters from every worker process are added up at scrape time through files
# in this directory (prometheus_client's multiprocess mode). It is emptied at start.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(
    Path(tempfile.gettempdir()) / f"lifeline-prometheus-{os.getuid()}-{bind[0].replace(':', '_')}"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir  # inherited by the workers


def on_starting(server: Any) -> None:
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    Path(_metrics_dir).mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
