# ruff: noqa: E501 - tables and log lines print multiplication signs and dashes
"""Start Lifeline and its peers on the same package set, loaded the way each is fed in real use.

* Lifeline (production): ``gunicorn -c gunicorn.conf.py`` with ``LIFELINE_PRODUCTION=1``,
  DEBUG off, on SQLite or on PostgreSQL + Redis; loaded through its upload API (/legacy/, what
  twine speaks) with an API token made by ``lifeline createuser`` and ``lifeline token``.
* Lifeline (``make run``): ``lifeline serve`` with ``LIFELINE_DEBUG=1``, as ``make run`` starts
  it, on the SQLite data of the production run.
* devpi-server (no devpi-web), its own server, files uploaded through its upload API.
* pypiserver under gunicorn (2 workers) on a directory holding the same files.
* nginx serving, as static files, the pages Lifeline rendered (the same bytes): the ceiling.

Data is kept under ``var/bench/data/`` and reused while it is complete (``--reload`` drops it).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import threading
import urllib.request
from pathlib import Path

from common import (
    BENCH,
    JSON_ACCEPT,
    PG_ADMIN_URL,
    PY,
    REDIS_URL,
    ROOT,
    Dist,
    Server,
    ensure_apt,
    ensure_venv,
    fetch,
    lifeline_src,
    log,
    start,
    upload_all,
    venv_bin,
    wait_for,
)

DATA = BENCH / "data"
UPLOADER = "benchuploader"


def _secrets() -> dict[str, str]:
    path = BENCH / "secrets.json"
    if not path.exists():
        from cryptography.fernet import Fernet  # the project venv runs the benchmarks

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "SECRET_KEY": secrets.token_urlsafe(50),
                    "LIFELINE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
                    "password": secrets.token_urlsafe(16),
                }
            )
        )
    return json.loads(path.read_text())


def lifeline_env(*, tag: str, port: int, db: str, production: bool = True) -> dict[str, str]:
    """The environment of one Lifeline: ``db`` is "sqlite" or "pg" (PostgreSQL + Redis)."""
    # GUNICORN_* from the caller pass through (e.g. GUNICORN_MAX_REQUESTS for a before/after).
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIFELINE_")}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    var = DATA / f"lifeline-{tag}"
    var.mkdir(parents=True, exist_ok=True)
    src = lifeline_src()
    env.update(
        PYTHONPATH=str(src),
        BENCH_CWD=str(src),
        DJANGO_SETTINGS_MODULE="lifeline.settings",
        LIFELINE_VAR_DIR=str(var),
        LIFELINE_BASE_URL=f"http://127.0.0.1:{port}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        # The uploader has no second factor (enrolling one is not what is measured).
        LIFELINE_REQUIRE_2FA="0",
        # Behind the TLS proxy production has; here the benchmark speaks plain HTTP.
        LIFELINE_SSL_REDIRECT="0",
        # The mixed load logs in from many addresses through a trusted proxy header.
        LIFELINE_TRUSTED_PROXY_COUNT="1",
    )
    if production:
        s = _secrets()
        env.update(
            LIFELINE_PRODUCTION="1",
            SECRET_KEY=s["SECRET_KEY"],
            LIFELINE_ENCRYPTION_KEYS=s["LIFELINE_ENCRYPTION_KEYS"],
            LIFELINE_SUPPORT_EMAIL="support@bench.invalid",
        )
    else:
        env["LIFELINE_DEBUG"] = "1"
    if db == "pg":
        env["DATABASE_URL"] = f"{PG_ADMIN_URL}/lifeline_bench_{tag.replace('-', '_')}"
        env["REDIS_URL"] = f"{REDIS_URL}/11"
    return env


def _manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        [str(PY), "-m", "lifeline", *args],
        env=env,
        cwd=env["BENCH_CWD"],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _reset_lifeline(env: dict[str, str], db: str) -> None:
    var = Path(env["LIFELINE_VAR_DIR"])
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    if db == "pg":
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(
                ["psql", PG_ADMIN_URL + "/postgres", "-q", "-c", sql],
                check=True,
                capture_output=True,
            )


def lifeline_production(
    *,
    tag: str,
    port: int,
    db: str,
    dists: list[Dist],
    reload: bool = False,
    name: str = "",
    overrides: dict[str, str] | None = None,
) -> Server:
    """A loaded Lifeline under the real gunicorn.conf.py; the marker records what it holds.

    ``overrides`` are extra environment variables (a variant such as GUNICORN_MAX_REQUESTS);
    ``name`` tells the variant apart in the results and the log file name."""
    env = lifeline_env(tag=tag, port=port, db=db)
    env.update(overrides or {})
    name = name or f"lifeline-{tag}"
    marker = DATA / f"lifeline-{tag}.loaded"
    want = f"{len(dists)} {dists[-1].path.parent.name}"
    fresh = reload or not marker.exists() or marker.read_text() != want
    if fresh:
        marker.unlink(missing_ok=True)
        _reset_lifeline(env, db)
        _manage(env, "migrate", "--no-input", "-v0")
        password = _secrets()["password"]
        _manage(
            env,
            "createuser",
            "--username",
            UPLOADER,
            "--email",
            "bench@bench.invalid",
            "--password-stdin",
            "--verified",
            stdin=password + "\n",
        )
        token = _manage(env, "token", "create", "--user", UPLOADER, "--name", "bench")
        (DATA / f"lifeline-{tag}.token").write_text(token)
    else:
        _manage(env, "migrate", "--no-input", "-v0")  # HEAD may have moved since the load
    # Production serves hashed static files from the manifest collectstatic writes (pages with
    # a template, such as the login form, need it).
    _manage(env, "collectstatic", "--no-input", "-v0")
    token = (DATA / f"lifeline-{tag}.token").read_text().strip()
    logfile = DATA / "logs" / f"{name}.log"
    src = Path(env["BENCH_CWD"])
    proc = start(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(src / "gunicorn.conf.py")],
        env,
        logfile,
        cwd=src,
    )
    base = f"http://127.0.0.1:{port}"
    server = Server(
        name=name,
        base=base,
        simple="/simple/{}/",
        proc=proc,
        upload_url=f"{base}/legacy/",
        upload_user="__token__",
        upload_password=token,
        index_url=f"{base}/simple/",
        extra={"env": env, "log": str(logfile)},
    )
    wait_for(base + "/simple/", proc=proc)
    if fresh:
        seconds = upload_all(server.upload_url, "__token__", token, dists)
        log(
            f"{server.name}: loaded {len(dists)} files in {seconds:.0f}s ({len(dists) / seconds:.0f}/s)"
        )
        marker.write_text(want)
    return server


def lifeline_serve(*, tag: str, port: int) -> Server:
    """``make run``'s server (``lifeline serve``, DEBUG on) on the data of lifeline-``tag``."""
    env = lifeline_env(tag=tag, port=port, db="sqlite", production=False)
    env["PORT"] = str(port)
    # The load queued one notification email per upload (no worker ran in production mode);
    # ``serve`` starts a worker, which would spend the benchmark sending 20,000 of them.
    _manage(
        env,
        "shell",
        "-c",
        "from django_tasks_db.models import DBTaskResult; "
        "print(DBTaskResult.objects.filter(status='READY').delete())",
    )
    logfile = DATA / "logs" / "lifeline-serve.log"
    proc = start(
        [str(PY), "-m", "lifeline", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env,
        logfile,
        cwd=Path(env["BENCH_CWD"]),
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/simple/", proc=proc)
    return Server(
        name="lifeline-make-run",
        base=base,
        simple="/simple/{}/",
        proc=proc,
        index_url=f"{base}/simple/",
        extra={"log": str(logfile)},
    )


def devpi(*, tag: str, port: int, dists: list[Dist], reload: bool = False) -> Server:
    ensure_venv("devpi")
    server_dir = DATA / f"devpi-{tag}"
    marker = DATA / f"devpi-{tag}.loaded"
    want = f"{len(dists)} {dists[-1].path.parent.name}"
    fresh = reload or not marker.exists() or marker.read_text() != want
    password = _secrets()["password"]
    if fresh:
        marker.unlink(missing_ok=True)
        shutil.rmtree(server_dir, ignore_errors=True)
        subprocess.run(
            [
                str(venv_bin("devpi", "devpi-init")),
                "--serverdir",
                str(server_dir),
                "--root-passwd",
                password,
            ],
            check=True,
            capture_output=True,
        )
    logfile = DATA / "logs" / f"devpi-{tag}.log"
    proc = start(
        [
            str(venv_bin("devpi", "devpi-server")),
            "--serverdir",
            str(server_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--offline-mode",
        ],
        None,
        logfile,
        cwd=DATA,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/+api", proc=proc)
    server = Server(
        name="devpi",
        base=base,
        simple="/root/bench/+simple/{}/",
        proc=proc,
        upload_url=f"{base}/root/bench/",
        upload_user="root",
        upload_password=password,
        index_url=f"{base}/root/bench/+simple/",
        extra={"log": str(logfile)},
    )
    if fresh:
        client = str(venv_bin("devpi", "devpi"))
        cdir = ["--clientdir", str(DATA / f"devpi-client-{tag}")]
        subprocess.run([client, "use", base, *cdir], check=True, capture_output=True)
        subprocess.run(
            [client, "login", "root", "--password", password, *cdir],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [client, "index", "-c", "bench", "bases=", "volatile=False", *cdir],
            check=True,
            capture_output=True,
        )
        # Loading sends devpi's login token, not Basic auth: devpi hashes the password on every
        # Basic-authenticated request (about 0.8 s here), which would take hours for 20,000.
        login = urllib.request.Request(
            base + "/+login",
            method="POST",
            data=json.dumps({"user": "root", "password": password}).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        with urllib.request.urlopen(login) as response:
            devpi_token = json.loads(response.read())["result"]["password"]
        header = base64.b64encode(f"root:{devpi_token}".encode()).decode()
        seconds = upload_all(server.upload_url, "X-Devpi-Auth", header, dists)
        log(f"devpi: loaded {len(dists)} files in {seconds:.0f}s ({len(dists) / seconds:.0f}/s)")
        marker.write_text(want)
    return server


def pypiserver(*, port: int, dists: list[Dist]) -> Server:
    ensure_venv("pypiserver")
    packages = dists[0].path.parent  # the generated directory itself: the same files
    logfile = DATA / "logs" / "pypiserver.log"
    proc = start(
        [
            str(venv_bin("pypiserver", "gunicorn")),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            f"pypiserver:app(root='{packages}')",
        ],
        None,
        logfile,
        cwd=DATA,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/simple/", proc=proc, timeout=120)
    return Server(
        name="pypiserver",
        base=base,
        simple="/simple/{}/",
        proc=proc,
        index_url=f"{base}/simple/",
        extra={"log": str(logfile)},
    )


NGINX_CONF = """
worker_processes 2;
daemon off;
user root;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fcgi; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
  types {{ text/html html; application/vnd.pypi.simple.v1+json json; }}
  map $http_accept $simple_index {{
    default index.html;
    "~application/vnd\\.pypi\\.simple\\.v1\\+json" index.json;
  }}
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location /simple/ {{ try_files $uri$simple_index =404; }}
  }}
}}
"""


def nginx(*, port: int, source: Server, project_names: list[str]) -> Server:
    """nginx serving the exact bytes ``source`` renders, HTML and JSON, as static files."""
    binary = ensure_apt("nginx", "nginx-light")
    work = DATA / "nginx"
    shutil.rmtree(work, ignore_errors=True)
    root = work / "root"
    lock = threading.Lock()

    def save(name: str) -> None:
        for accept, filename in ((None, "index.html"), (JSON_ACCEPT, "index.json")):
            status, _headers, body = fetch(source.base + source.page(name), accept)
            assert status == 200, (name, status)
            with lock:
                (root / "simple" / name).mkdir(parents=True, exist_ok=True)
            (root / "simple" / name / filename).write_bytes(body)

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(save, project_names))
    conf = work / "nginx.conf"
    conf.write_text(NGINX_CONF.format(work=work, port=port, root=root))
    logfile = DATA / "logs" / "nginx.log"
    proc = start([binary, "-c", str(conf), "-p", str(work)], None, logfile, cwd=DATA)
    base = f"http://127.0.0.1:{port}"
    wait_for(base + f"/simple/{project_names[0]}/", proc=proc)
    return Server(name="nginx-static", base=base, simple="/simple/{}/", proc=proc)
