"""Helpers for tests that need real services: PostgreSQL, Redis, an SMTP sink, free ports.

Tests that need PostgreSQL or Redis skip when the service is absent, except in CI
(``CI=true``), where a missing service is a failure.
"""

from __future__ import annotations

import contextlib
import os
import socket
import socketserver
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_URL = "redis://127.0.0.1:6379/15"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require(service: str, host: str, port: int) -> None:
    if _port_open(host, port):
        return
    message = f"{service} is not reachable at {host}:{port}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must provide it.")
    pytest.skip(message)


def require_postgres() -> None:
    require("PostgreSQL", PG_HOST, PG_PORT)


def require_redis() -> None:
    require("Redis", "127.0.0.1", 6379)


@contextmanager
def throwaway_postgres_db(prefix: str = "lifeline_ops") -> Iterator[str]:
    """Create a database on the local PostgreSQL, yield its name, drop it afterwards."""
    import psycopg

    require_postgres()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    dsn = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_url(name: str, port: int = PG_PORT) -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{port}/{name}"


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for Django's backend: no auth, no TLS."""

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink  # type: ignore[attr-defined]
        self._reply("220 sink ESMTP ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode("latin-1").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250-sink")
                self._reply("250 8BITMIME")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self._reply("250 ok")
            elif verb == "DATA":
                self._reply("354 end with <CRLF>.<CRLF>")
                data = bytearray()
                while True:
                    chunk = self.rfile.readline()
                    if not chunk or chunk in (b".\r\n", b".\n"):
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                sink.received(bytes(data))
                self._reply("250 queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpSink:
    """A local SMTP server on a fixed port that can be started and stopped."""

    def __init__(self, port: int | None = None, directory: str | None = None) -> None:
        self.port = port or free_port()
        self.directory = directory
        self.messages: list[EmailMessage] = []
        self._server: _Server | None = None

    def received(self, data: bytes) -> None:
        self.messages.append(message_from_bytes(data, policy=policy.default))
        if self.directory:
            path = os.path.join(self.directory, f"{len(self.messages):04d}-{uuid.uuid4().hex}.eml")
            with open(path + ".part", "wb") as fh:
                fh.write(data)
            os.replace(path + ".part", path)

    def start(self) -> SmtpSink:
        server = _Server(("127.0.0.1", self.port), _SmtpHandler)
        server.sink = self  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def mailer(self) -> dict:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "use_tls": False, "timeout": 5},
            }
        }

    def bodies(self) -> list[str]:
        return [msg.get_body(("plain",)).get_content() for msg in self.messages]


def production_env(var_dir: str, **extra: str) -> dict[str, str]:
    """The environment of a production deployment (docs/deploy.md), for subprocesses."""
    from cryptography.fernet import Fernet

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LIFELINE_", "DJANGO_", "DATABASE_", "REDIS_", "SMTP_"))
        and key not in ("SECRET_KEY", "ALLOWED_HOSTS", "PROMETHEUS_MULTIPROC_DIR")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "lifeline.settings",
            "LIFELINE_PRODUCTION": "1",
            "LIFELINE_VAR_DIR": var_dir,
            "SECRET_KEY": "prod-" + uuid.uuid4().hex + uuid.uuid4().hex,
            "LIFELINE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "pypi.example.org,localhost,127.0.0.1",
            "LIFELINE_BASE_URL": "https://pypi.example.org",
            "LIFELINE_SUPPORT_EMAIL": "support@pypi.example.org",
            "SMTP_HOST": "smtp.example.org",
            "SMTP_USER": "lifeline",
            "SMTP_PASSWORD": "smtp-password",
            # docs/deploy.md: production checks new passwords against breached ones (W002)
            "LIFELINE_BREACHED_PASSWORD_BACKEND": "hibp",
        }
    )
    env.update(extra)
    return env


class TcpProxy:
    """A TCP proxy to a service that the test can cut and restore, as if it went away.

    Cutting closes every open connection and makes new ones close straight after accept,
    the way a database that crashed or a network that partitioned looks to a client.
    """

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.up = True
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets |= {client, upstream}
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            with self._lock:
                self._sockets -= {src, dst}

    def cut(self) -> None:
        self.up = False
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self._stopped = True
        self.cut()
        self._listener.close()
