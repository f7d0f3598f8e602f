"""``lifeline serve``: the web server, the task worker and the scheduler under one command.

Ctrl-C (SIGINT) or SIGTERM stops all three. Used by ``make run``; production runs
gunicorn, ``lifeline db_worker`` (or ``rqworker``) and ``lifeline tick`` from cron instead
(docs/deploy.md).

The web server is gunicorn with the production configuration (``gunicorn.conf.py``: threaded
workers that keep connections alive), one worker with 8 threads, reloading on code changes when
DEBUG is on. Django's ``runserver`` closed every connection and answered read errors under
concurrent clients: ``uv`` resolving 20 packages against it took 1.14 s instead of 0.16 s
(docs/benchmarks.md). Static files are served by whitenoise inside the app, as in production.

Unless ``LIFELINE_BASE_URL`` is set, all three get the address being served as their base
URL: the web server and the worker both render emails, and every link in them must point
where the index actually answers (``PORT=8201 make run`` → http://localhost:8201).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


def served_base_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches ``runserver host:port`` at.

    A wildcard bind (0.0.0.0, ::) is reached at localhost; WebAuthn needs a name, not
    127.0.0.1, but an explicit address is kept as given.
    """
    if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 - naming the bind, not binding
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def child_environment(host: str, port: int, environ: dict[str, str]) -> dict[str, str]:
    """The environment of the server, worker and scheduler: an explicit LIFELINE_BASE_URL
    wins; otherwise the one derived from the address served."""
    child_env = dict(environ)
    if not child_env.get("LIFELINE_BASE_URL"):
        child_env["LIFELINE_BASE_URL"] = served_base_url(host, port)
    return child_env


def gunicorn_command(host: str, port: int, *, reload: bool) -> list[str]:
    """gunicorn for development: the production configuration, on ``host:port``."""
    config = Path(settings.BASE_DIR) / "gunicorn.conf.py"
    command = [sys.executable, "-m", "gunicorn"]
    if config.is_file():
        command += ["--config", str(config)]
    command += [
        "--bind",
        f"{host}:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        os.environ.get("GUNICORN_WORKERS", "1"),
        "--threads",
        os.environ.get("GUNICORN_THREADS", "8"),
        "--graceful-timeout",
        "5",
    ]
    if reload:
        command.append("--reload")
    return [*command, "lifeline.wsgi:application"]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM if ``serve`` itself dies (even by SIGKILL)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Command(BaseCommand):
    help = "Run the development web server, the background worker and the scheduler together."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "localhost"))
        parser.add_argument("--tick-seconds", type=int, default=60)

    def handle(self, *args: Any, port: int, host: str, tick_seconds: int, **options: Any) -> None:
        cli = [sys.executable, "-m", "lifeline"]
        children: list[subprocess.Popen] = []
        env = child_environment(host, port, dict(os.environ))
        # gunicorn.conf.py names its metrics directory after the bind: one per served port.
        env["GUNICORN_BIND"] = f"{host}:{port}"

        def start(args: list[str]) -> None:
            child = subprocess.Popen(  # noqa: S603
                args, env=env, preexec_fn=_die_with_parent
            )
            children.append(child)

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        # Installed explicitly: a shell starting us in the background ignores SIGINT, and
        # Python then never raises KeyboardInterrupt on Ctrl-C.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, stop)
        try:
            if settings.LIFELINE_TASKS_BACKEND == "db":
                start([*cli, "db_worker", "--interval", "1"])
            start([*cli, "tick", "--loop", str(tick_seconds)])
            start(gunicorn_command(host, port, reload=settings.DEBUG))
            self.stdout.write(
                f"Lifeline is running at {served_base_url(host, port)}/  (Ctrl-C stops it); "
                f"links in emails point to {env['LIFELINE_BASE_URL']}/"
            )
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not orphan a child
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
