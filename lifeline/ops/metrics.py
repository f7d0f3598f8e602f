"""Prometheus metrics at ``/metrics``.

Two kinds:

* **Counters** (requests, logins, failed logins, second-factor failures, uploads) live in
  the process that sees the event. Under gunicorn several processes serve requests, so
  when ``PROMETHEUS_MULTIPROC_DIR`` is set (gunicorn.conf.py sets it) prometheus_client's
  multiprocess mode writes them to files there and a scrape adds up every process.
* **Gauges** (the recovery queue by state, the task queue's length and lag, emails by
  status) are read from the database (or Redis) at scrape time, so they are the same
  whichever node is scraped.

Access: a bearer token (``LIFELINE_METRICS_TOKEN``) or a client address in
``LIFELINE_METRICS_ALLOW_IPS``; with neither, only loopback in DEBUG, otherwise 404.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

logger = logging.getLogger("lifeline.metrics")

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Every process that imports this (web, workers, management commands) writes its
    # counters there; make sure the directory exists rather than crash at start-up.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

COUNTERS = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "lifeline_http_requests",
    "HTTP requests served, by method, status code and view.",
    ["method", "status", "view"],
    registry=COUNTERS,
)
LOGINS = Counter("lifeline_logins", "Successful sign-ins.", registry=COUNTERS)
LOGIN_FAILURES = Counter(
    "lifeline_login_failures", "Failed sign-ins (wrong password).", registry=COUNTERS
)
MFA_FAILURES = Counter(
    "lifeline_2fa_failures", "Failed second-factor attempts.", ["type"], registry=COUNTERS
)
UPLOADS = Counter("lifeline_uploads", "Distribution files uploaded.", registry=COUNTERS)

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def observe_request(method: str, status: int, view: str) -> None:
    REQUESTS.labels(method if method in _METHODS else "other", str(status), view).inc()


class DatabaseCollector(Collector):
    """Gauges computed from the database (and Redis, for RQ) when scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        errors = GaugeMetricFamily(
            "lifeline_metrics_errors",
            "1 when a part of the metrics could not be read.",
            labels=["part"],
        )
        for part, collect in (
            ("recovery", _recovery_queue),
            ("tasks", _task_queue),
            ("email", _emails),
        ):
            try:
                yield from collect()
            except Exception:
                logger.warning("metrics: reading %s failed", part, exc_info=True)
                errors.add_metric([part], 1)
            else:
                errors.add_metric([part], 0)
        yield errors


def _recovery_queue() -> Iterator[GaugeMetricFamily]:
    # ops sits at the top of the layers (pyproject.toml): it may import any app, and says so.
    from django.db.models import Count

    from lifeline.recovery.models import RecoveryRequest

    gauge = GaugeMetricFamily(
        "lifeline_recovery_requests", "Account recovery requests by state.", labels=["state"]
    )
    counts = dict.fromkeys(_choices(RecoveryRequest, "state"), 0)
    for row in RecoveryRequest.objects.values("state").annotate(n=Count("pk")).order_by():
        counts[row["state"]] = row["n"]
    for state, n in sorted(counts.items()):
        gauge.add_metric([state], n)
    yield gauge


def _choices(model: Any, field: str) -> list[str]:
    return [value for value, _label in model._meta.get_field(field).choices or []]


def _task_queue() -> Iterator[GaugeMetricFamily]:
    from django.conf import settings
    from django.utils import timezone

    length = GaugeMetricFamily(
        "lifeline_task_queue_ready", "Tasks due and waiting for a worker.", labels=["queue"]
    )
    lag = GaugeMetricFamily(
        "lifeline_task_queue_lag_seconds",
        "How long the oldest due task has been waiting for a worker.",
        labels=["queue"],
    )
    now = timezone.now()
    if settings.LIFELINE_TASKS_BACKEND == "rq":
        import django_rq

        for name in settings.RQ_QUEUES:
            queue = django_rq.get_queue(name)
            length.add_metric([name], queue.count)
            oldest = queue.get_jobs(0, 1)
            waited = (now - oldest[0].enqueued_at).total_seconds() if oldest else 0.0
            lag.add_metric([name], max(waited, 0.0))
    elif settings.LIFELINE_TASKS_BACKEND == "db":
        from django.db.models import Count, Min
        from django_tasks_db.models import DBTaskResult, get_date_max

        ready = DBTaskResult.objects.ready()
        for row in ready.values("queue_name").annotate(n=Count("pk")).order_by():
            length.add_metric([row["queue_name"]], row["n"])
        oldest = {}
        for row in (
            ready.filter(run_after=get_date_max())
            .values("queue_name")
            .annotate(t=Min("enqueued_at"))
            .order_by()
        ):
            oldest[row["queue_name"]] = row["t"]
        for row in (
            ready.exclude(run_after=get_date_max())
            .values("queue_name")
            .annotate(t=Min("run_after"))
            .order_by()
        ):
            name = row["queue_name"]
            oldest[name] = min(oldest.get(name, row["t"]), row["t"])
        for name in settings.TASKS["default"].get("QUEUES", ["default"]):
            since = oldest.get(name)
            lag.add_metric([name], max((now - since).total_seconds(), 0.0) if since else 0.0)
    yield length
    yield lag


def _emails() -> Iterator[GaugeMetricFamily]:
    from django.db.models import Count

    from lifeline.notifications.models import EmailLog

    counts = dict.fromkeys(EmailLog.Status.values, 0)
    for row in EmailLog.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    by_status = GaugeMetricFamily(
        "lifeline_emails", "Emails by delivery status.", labels=["status"]
    )
    for status, n in sorted(counts.items()):
        by_status.add_metric([status], n)
    yield by_status
    yield GaugeMetricFamily(
        "lifeline_email_failures",
        "Emails that failed for good (every retry used up); staff see them in the admin.",
        value=counts[EmailLog.Status.FAILED],
    )
    yield GaugeMetricFamily(
        "lifeline_email_retrying",
        "Emails waiting for a retry after a failed attempt (SMTP trouble).",
        value=counts[EmailLog.Status.RETRYING],
    )


def render() -> bytes:
    """The exposition text: the counters (from every process) and the database gauges."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_RegistryView(COUNTERS))
    registry.register(DatabaseCollector())
    return generate_latest(registry)


class _RegistryView(Collector):
    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Any]:
        yield from self.source.collect()


def allowed(*, authorization: str, client_ip: str | None, debug: bool) -> bool:
    """Whether a scrape may see the metrics (token first, then the address allow-list)."""
    from django.conf import settings

    token = settings.LIFELINE_METRICS_TOKEN
    if (
        token
        and authorization.startswith("Bearer ")
        and secrets.compare_digest(authorization[7:].strip().encode(), token.encode())
    ):
        return True
    networks = settings.LIFELINE_METRICS_ALLOW_IPS
    if client_ip and networks:
        try:
            address = ipaddress.ip_address(client_ip)
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(net, strict=False) for net in networks)
    if not token and not networks and debug and client_ip:
        return ipaddress.ip_address(client_ip).is_loopback
    return False


CONTENT_TYPE = CONTENT_TYPE_LATEST
