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
# Workers are not recycled by default: at 2,000 requests a worker restarted about every 4 s
# under load, each restart costing 0.5 s of boot and its warm caches (docs/benchmarks.md).
# Set GUNICORN_MAX_REQUESTS (e.g. 1000000) only to contain a leak you have observed.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
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
    _refuse_to_start_on_failed_checks()


def _refuse_to_start_on_failed_checks() -> None:
    """Run Django's system checks in the master before any worker starts.

    ``manage.py`` commands run them, gunicorn does not: without this a production node missing
    ``LIFELINE_BASE_URL`` or with cooling-off switched off would serve. Errors stop the master.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifeline.settings")
    import django
    from django.core import checks
    from django.db import connections

    django.setup()
    try:
        serious = [m for m in checks.run_checks() if m.is_serious() and not m.is_silenced()]
    finally:
        connections.close_all()  # never hand an open connection to forked workers
    if serious:
        lines = "\n".join(f"  {message}" for message in serious)
        raise SystemExit(f"Lifeline refuses to start; fix these first:\n{lines}")


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
