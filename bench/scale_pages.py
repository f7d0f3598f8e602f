"""Time the staff and requester pages on the generated database (bench/scale_generate.py).

    .venv/bin/python bench/scale_pages.py [--db postgresql://postgres@127.0.0.1:5432/lifeline_scale]
        [-n 50] [--explain]

How: in one process, through Django's test ``Client`` (the full production middleware stack
from ``lifeline.settings``: sessions, CSRF, auth, allauth, 2FA gate, access log), DEBUG off,
no test-environment instrumentation (``setup_test_environment`` is not called, so templates
render as in production). The host header is ``localhost`` (the default ALLOWED_HOSTS). The
cache is the production default (the database cache on the same PostgreSQL).

Pages, each requested ``n`` times after 3 warm-up requests:

* desk queue (``/desk/``), as a support staff member with 2FA (created here once);
* desk case page, a different open case each time;
* desk metrics, warm (its figures are cached for a minute, shared with the requesters) and
  cold (the cache entry deleted before each request: the worst case once a minute);
* requester status page, a different open case each time (entered through its status link);
* the login POST (allauth's form, a different account and client address each time, the
  right password), and the same with a wrong password.

Prints p50/p95/max wall time, mean CPU per request of this process and of the PostgreSQL
backend serving it (``/proc/<pid>/stat``: together the service time on an idle machine,
whatever else competes for the cores), and the queries of one request
per page (counted separately, so counting adds nothing to the timings). ``--explain`` prints
``EXPLAIN (ANALYZE, BUFFERS)`` of the three slowest queries of every page over its target.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/lifeline_scale"
PASSWORD = "scale-bench-password-1"  # noqa: S105 - bench/scale_generate.py's shared password
STAFF_USERNAME = "scale-bench-staff"
HOST = "localhost"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["LIFELINE_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifeline.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("LIFELINE_ACCESS_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


TICK = os.sysconf("SC_CLK_TCK")


def backend_pid() -> int | None:
    """The PostgreSQL backend serving this process's connection (None off PostgreSQL)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


def backend_cpu(pid: int | None) -> float:
    """CPU seconds used so far by the database backend ``pid`` (``/proc``, 10 ms ticks)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


@dataclass
class Result:
    name: str
    target_ms: float | None
    wall: list[float]
    cpu: list[float]
    queries: int
    status: int
    db_cpu: float = 0.0  # mean PostgreSQL backend CPU per request

    def pct(self, q: float) -> float:
        ordered = sorted(self.wall)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return ""
        return "met" if self.pct(0.95) <= self.target_ms else "MISSED"

    def row(self) -> str:
        target = f"≤ {self.target_ms:.0f}" if self.target_ms else "-"
        return (
            f"| {self.name} | {len(self.wall)} | {self.pct(0.5):.1f} | {self.pct(0.95):.1f} | "
            f"{max(self.wall) * 1000:.1f} | {statistics.mean(self.cpu) * 1000:.1f} | "
            f"{self.db_cpu * 1000:.1f} | "
            f"{self.queries} | {target} | {self.verdict} |"
        )


def staff_account():
    """A support staff member with TOTP and confirmed recovery codes (created once)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from lifeline.accounts.mfa.models import RecoveryCodesConfirmation

    user, _created = get_user_model().objects.get_or_create(
        username=STAFF_USERNAME, defaults={"is_staff": True, "email": "staff@scale.example"}
    )
    user.groups.add(Group.objects.get_or_create(name="support")[0])
    if not Authenticator.objects.filter(user=user).exists():
        TOTP.activate(user, generate_totp_secret())
        codes = RecoveryCodes.activate(user)
        RecoveryCodesConfirmation.objects.create(authenticator=codes.instance)
    return user


def staff_client(user):
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "username": user.username, "reauthenticated": True},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)  # as allauth records it
    session.save()
    return client


def first_attr(modules: list[str], name: str) -> object | None:
    """``name`` from the first of ``modules`` that imports (modules move between releases)."""
    import importlib

    for module in modules:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
    return None


def count_queries(fn: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def slowest_queries(fn: Callable[[], object], top: int = 3) -> list[tuple[float, str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    timed = sorted(((float(q["time"]), q["sql"]) for q in captured), reverse=True)
    return timed[:top]


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cur.fetchall())


def measure(
    name: str,
    target_ms: float | None,
    request: Callable[[int], object],
    n: int,
    *,
    before: Callable[[], None] | None = None,
    warmup: int = 3,
) -> Result:
    for i in range(warmup):
        if before:
            before()
        request(-1 - i)
    wall: list[float] = []
    cpu: list[float] = []
    status = 0
    pid = backend_pid()
    db0 = backend_cpu(pid)
    for i in range(n):
        if before:
            before()
        w0, c0 = time.perf_counter(), time.process_time()
        response = request(i)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        status = getattr(response, "status_code", 0)
    db_cpu = (backend_cpu(pid) - db0) / n
    if before:
        before()
    queries = count_queries(lambda: request(n))
    return Result(name, target_ms, wall, cpu, queries, status, db_cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("-n", type=int, default=50, help="requests per page")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--only", default="", help="comma-separated: queue,case,metrics,status,login"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="pyinstrument profile of 10 requests of each page over target and of the cold "
        "metrics (pyinstrument from a separate venv on PYTHONPATH, not a project dependency)",
    )
    args = parser.parse_args()
    setup_django(args.db)

    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    from lifeline.recovery import crypto

    RecoveryRequest = apps.get_model("recovery", "RecoveryRequest")
    figures_key = first_attr(
        ["lifeline.recovery.services.metrics", "lifeline.recovery.staff.metrics"], "FIGURES_KEY"
    )

    rng = random.Random(15)
    user_count = get_user_model().objects.count()
    case_count = RecoveryRequest.objects.count()
    open_cases = list(
        RecoveryRequest.objects.filter(state="open", contact_verified_at__isnull=False)
        .order_by("?")
        .values_list("public_id", "contact_verified_at")[: 3 * args.n + 20]
    )
    print(f"{user_count:,} users, {case_count:,} recovery cases, {len(open_cases)} open sampled")
    staff = staff_client(staff_account())

    def desk_queue(_i: int):
        return staff.get("/desk/")

    def desk_case(i: int):
        return staff.get(f"/desk/cases/{open_cases[i % len(open_cases)][0]}/")

    def desk_metrics(_i: int):
        return staff.get("/desk/metrics/")

    requester_clients: dict[int, tuple[Client, str]] = {}

    def requester(i: int) -> tuple[Client, str]:
        if i not in requester_clients:
            public_id, verified = open_cases[(i + args.n) % len(open_cases)]
            client = Client(HTTP_HOST=HOST, REMOTE_ADDR=f"10.1.{i % 250}.{(i // 250) % 250 + 1}")
            token = crypto.status_token(str(public_id), verified.isoformat())
            entered = client.get(f"/recovery/status/{public_id}/{token}/")
            assert entered.status_code == 302, entered.status_code
            requester_clients[i] = (client, f"/recovery/status/{public_id}/")
        return requester_clients[i]

    for i in range(-3, args.n + 1):
        requester(i)  # entering the status link is not what is timed

    def status_page(i: int):
        client, url = requester(i)
        return client.get(url)

    users = rng.sample(range(11, user_count - 1), 2 * args.n + 10)

    def login(password: str, offset: int) -> Callable[[int], object]:
        def post(i: int):
            client = Client(HTTP_HOST=HOST, REMOTE_ADDR=f"10.2.{offset}.{i % 250 + 1}")
            n = users[(i + offset) % len(users)]
            return client.post("/account/login/", {"login": f"user{n}", "password": password})

        return post

    plan: list[tuple[str, Callable[[], Result]]] = [
        ("queue", lambda: measure("desk queue `/desk/`", 150, desk_queue, args.n)),
        ("case", lambda: measure("desk case page", 250, desk_case, args.n)),
        ("metrics", lambda: measure("desk metrics (cached figures)", 250, desk_metrics, args.n)),
        (
            "metrics",
            lambda: measure(
                "desk metrics (cache emptied first)",
                None,
                desk_metrics,
                max(5, args.n // 10),
                before=lambda: cache.delete(figures_key) if figures_key else cache.clear(),
                warmup=1,
            ),
        ),
        ("status", lambda: measure("requester status page", 100, status_page, args.n)),
        (
            "login",
            lambda: measure(
                "login POST, right password", None, login(PASSWORD, 10), max(10, args.n // 2)
            ),
        ),
        (
            "login",
            lambda: measure(
                "login POST, wrong password",
                None,
                login("not-the-password", 60),
                max(10, args.n // 2),
            ),
        ),
    ]
    only = set(args.only.split(",")) if args.only else None
    results = [run() for key, run in plan if only is None or key in only]
    print()
    print(
        "| page | n | p50 ms | p95 ms | max ms | Python CPU ms/request | PostgreSQL CPU "
        "ms/request | queries | target p95 | |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for result in results:
        print(result.row())
    print()
    print("statuses:", {r.name: r.status for r in results})
    wrong = {r.name: r.status for r in results if r.status != (302 if "right" in r.name else 200)}
    if wrong:
        sys.exit(f"unexpected statuses {wrong}: the timings are not of the pages")
    if args.explain:
        pages = {
            "desk queue `/desk/`": lambda: desk_queue(0),
            "desk case page": lambda: desk_case(0),
            "desk metrics (cached figures)": lambda: desk_metrics(0),
            "requester status page": lambda: status_page(0),
        }
        for result in results:
            if result.name in pages:
                print(f"\n### {result.name}: slowest queries\n")
                for seconds, sql in slowest_queries(pages[result.name]):
                    print(f"{float(seconds) * 1000:.1f} ms: {sql[:600]}\n")
                    if result.verdict == "MISSED":
                        print(explain(sql), "\n")
    if args.profile:
        targets = {
            "desk queue `/desk/`": lambda: desk_queue(0),
            "desk case page": lambda: desk_case(1),
            "requester status page": lambda: status_page(1),
        }
        for result in results:
            if result.name in targets and result.verdict == "MISSED":
                profile(result.name, targets[result.name])
        profile(
            "desk metrics, cache emptied first",
            lambda: desk_metrics(0),
            before=lambda: cache.delete(figures_key) if figures_key else cache.clear(),
        )


def profile(name: str, fn: Callable[[], object], *, before: Callable[[], None] | None = None):
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    for _ in range(10):
        if before:
            before()
        profiler.start()
        fn()
        profiler.stop()
    print(f"\n### profile: {name} (10 requests)\n")
    text = profiler.output_text(unicode=False, color=False, flat=True)
    print("\n".join(text.splitlines()[:40]))  # the functions with the most self time


if __name__ == "__main__":
    main()
