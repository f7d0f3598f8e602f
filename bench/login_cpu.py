"""Password login CPU against one bare Argon2 verify with the same parameters.

    .venv/bin/python bench/login_cpu.py --db postgresql://postgres@127.0.0.1:5432/lifeline_scale
        [-n 20]

Run it on a database made by bench/scale_generate.py (every account's password is
:data:`PASSWORD`, one real Argon2 hash with the production parameters), e.g. once with
``--users 1000`` and once with the default million.

Two login paths are measured, each for a successful login, a wrong password and an unknown
username, a different account (and client address) for every attempt so no rate limit is hit:

* ``backend``: ``django.contrib.auth.authenticate(request, username=..., password=...)`` with
  the production backend list (``lifeline.accounts.auth_backend.LoginBackend``), the call
  allauth's login form makes, with Django's login-failed signal and its receivers;
* ``POST``: the allauth login form POSTed through Django's test ``Client`` with the production
  middleware (DEBUG off): rate limits, the session, events, the redirect.

The baseline is ``argon2.PasswordHasher.from_parameters(hasher.params()).verify`` with the
parameters of Django's ``Argon2PasswordHasher`` as configured. CPU is this process's CPU
(``time.process_time``, every thread: Argon2 runs its lanes in threads) PLUS the CPU of the
PostgreSQL backend serving this connection (``/proc/<pid>/stat``, 10 ms ticks, so it is
averaged over all attempts): a sequential scan costs the database, not Python. Medians over
``-n`` rounds, each round running every kind of attempt once (interleaved).

With ``--redis URL`` the default cache (allauth's rate limits) and Lifeline's rate-limit
counters live in Redis, as in the production configuration of docs/deploy.md; the Redis
server's CPU (``INFO cpu``, the whole server: run it on an otherwise idle Redis) is added to
the total. Without it they live in the database cache, the embedded default.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/lifeline_scale"
PASSWORD = "scale-bench-password-1"  # noqa: S105 - bench/scale_generate.py's shared password
HOST = "localhost"
TICK = os.sysconf("SC_CLK_TCK")


def setup_django(url: str, redis_url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = redis_url
    os.environ["LIFELINE_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifeline.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("LIFELINE_ACCESS_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def backend_cpu(pid: int) -> float:
    """CPU seconds used so far by the PostgreSQL backend process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def redis_cpu(redis_url: str) -> float:
    """CPU seconds the Redis server has used so far (0 without Redis)."""
    if not redis_url:
        return 0.0
    import redis

    info = redis.Redis.from_url(redis_url).info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def measure_interleaved(
    attempts: list[Callable[[int], object]], n: int, pg_pid: int | None, redis_url: str = ""
) -> list[dict[str, float]]:
    """Run every attempt once per round, ``n`` rounds, so that all of them meet the same
    machine: Argon2's CPU time moves by 10-15% from one minute to the next here, which a
    baseline measured once at the start would read as a ratio."""
    for fn in attempts:
        fn(-1)  # warm-up
    cpu: list[list[float]] = [[] for _ in attempts]
    wall: list[list[float]] = [[] for _ in attempts]
    server = [0.0 for _ in attempts]
    for i in range(n):
        for k, fn in enumerate(attempts):
            pg0 = backend_cpu(pg_pid) if pg_pid else 0.0
            redis0 = redis_cpu(redis_url)
            c0, w0 = time.process_time(), time.perf_counter()
            fn(i)
            cpu[k].append(time.process_time() - c0)
            wall[k].append(time.perf_counter() - w0)
            if k:  # the bare verify talks to no server
                server[k] += (backend_cpu(pg_pid) - pg0 if pg_pid else 0.0) + (
                    redis_cpu(redis_url) - redis0
                )
    return [
        {
            "cpu": statistics.median(cpu[k]),
            "pg": server[k] / n,
            "wall": statistics.median(wall[k]),
        }
        for k in range(len(attempts))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--redis", default="", help="e.g. redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    setup_django(args.db, args.redis)

    import argon2
    from django.contrib.auth import authenticate, get_user_model
    from django.contrib.auth.hashers import get_hasher
    from django.db import connection
    from django.test import Client, RequestFactory

    hasher = get_hasher("argon2")
    params = hasher.params()
    bare_hasher = argon2.PasswordHasher.from_parameters(params)
    encoded = get_user_model().objects.filter(username="user11").values_list("password", flat=True)
    stored = encoded.get()
    assert stored.startswith("argon2$"), "run bench/scale_generate.py first"
    raw_hash = stored[len("argon2") :]  # Django prefixes the algorithm name
    users = get_user_model().objects.count()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pg_pid = cur.fetchone()[0]
    factory = RequestFactory(HTTP_HOST=HOST)

    def bare(_i: int) -> object:
        return bare_hasher.verify(raw_hash, PASSWORD)

    def account(i: int, offset: int) -> str:
        return f"user{11 + (i + 1 + offset * 97) % (users - 20)}"

    def via_backend(kind: str, offset: int) -> Callable[[int], object]:
        def attempt(i: int) -> object:
            request = factory.post("/account/login/", REMOTE_ADDR=f"10.3.{offset}.{i % 250 + 1}")
            login = f"nobody-{offset}-{i}" if kind == "unknown" else account(i, offset)
            password = PASSWORD if kind == "right" else "not-the-password"
            user = authenticate(request, username=login, password=password)
            assert (user is not None) == (kind == "right"), (kind, login)
            return user

        return attempt

    def via_post(kind: str, offset: int) -> Callable[[int], object]:
        # One client, so one handler and one middleware chain, as in a server's worker (a new
        # Client per attempt would re-run every middleware's start-up: whitenoise alone scans
        # the static files, ~25 ms). Its cookies are cleared, so every attempt is a new browser.
        client = Client(HTTP_HOST=HOST)

        def attempt(i: int) -> object:
            client.cookies.clear()
            login = f"nobody-{offset}-{i}" if kind == "unknown" else account(i, offset)
            password = PASSWORD if kind == "right" else "not-the-password"
            response = client.post(
                "/account/login/",
                {"login": login, "password": password},
                REMOTE_ADDR=f"10.4.{offset}.{i % 250 + 1}",
            )
            assert response.status_code == (302 if kind == "right" else 200), (
                kind,
                response.status_code,
            )
            return response

        return attempt

    names = ["bare argon2 verify"]
    attempts: list[Callable[[int], object]] = [bare]
    for offset, kind in enumerate(("right", "wrong", "unknown"), start=1):
        names.append(
            f"backend, {kind} password" if kind != "unknown" else "backend, unknown username"
        )
        attempts.append(via_backend(kind, offset))
    for offset, kind in enumerate(("right", "wrong", "unknown"), start=11):
        names.append(
            f"form POST, {kind} password" if kind != "unknown" else "form POST, unknown username"
        )
        attempts.append(via_post(kind, offset))
    rows = list(zip(names, measure_interleaved(attempts, args.n, pg_pid, args.redis), strict=True))
    base = rows[0][1]

    cache = "Redis" if args.redis else "the database cache"
    print(f"{users:,} users; rate limits in {cache}; Argon2 parameters: {params}")
    print()
    print(
        "| attempt | median CPU ms (Python) | PostgreSQL (+ Redis) CPU ms | total CPU ms "
        "| x bare verify | median wall ms |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, m in rows:
        total = m["cpu"] + m["pg"]
        print(
            f"| {name} | {m['cpu'] * 1000:.1f} | {m['pg'] * 1000:.1f} | {total * 1000:.1f} | "
            f"{total / base['cpu']:.2f} | {m['wall'] * 1000:.1f} |"
        )


if __name__ == "__main__":
    main()
