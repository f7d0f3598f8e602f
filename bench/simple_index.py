"""Benchmark: serving /simple/<name>/ with 1,000 projects x 20 files, side by side with a peer.

    .venv/bin/python bench/simple_index.py [--projects 1000] [--files 20] [--duration 20]
        [--connections 32] [--peer-venv /tmp/peer-venv] [--peers pypiserver,devpi]

Prerequisites (the script installs nothing):
  * wrk on PATH (Debian: ``apt-get install -y wrk``);
  * for peers, a separate virtualenv outside the project's lock, e.g.
    ``python3.12 -m venv /tmp/peer-venv && /tmp/peer-venv/bin/pip install pypiserver gunicorn
    devpi-server``.

Lifeline runs under gunicorn with 2 sync workers on a fresh SQLite database in a temporary
LIFELINE_VAR_DIR, seeded directly through the ORM (1,000 projects, one release per file
version, 20 files each). pypiserver runs under the same gunicorn (2 workers) on a directory of
the same 20,000 file names. devpi-server gets the same projects and files uploaded through its
upload API. wrk requests a random project's simple page on each request (a Lua script).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = Path(sys.executable)  # the project's virtualenv python
BIN = PY.parent


def names(projects: int) -> list[str]:
    return [f"bench-project-{i:04d}" for i in range(projects)]


def file_names(name: str, files: int) -> list[tuple[str, str]]:
    """(version, filename) pairs: 10 releases x (sdist + wheel) for 20 files."""
    out = []
    for i in range(files):
        version = f"1.{i // 2}"
        snake = name.replace("-", "_")
        out.append(
            (
                version,
                f"{snake}-{version}.tar.gz"
                if i % 2 == 0
                else f"{snake}-{version}-py3-none-any.whl",
            )
        )
    return out


# --- Lifeline -------------------------------------------------------------------------------


def lifeline_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="lifeline.settings",
        LIFELINE_VAR_DIR=str(var_dir),
        LIFELINE_TASKS_BACKEND="immediate",
        PYTHONPATH=str(ROOT),
    )
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    return env


SEED = r"""
import hashlib, sys, django
django.setup()
from django.db import transaction
from django.utils import timezone
from lifeline.accounts.models import User
from lifeline.index.models import File, Project, Release, Role
sys.path.insert(0, sys.argv[3])
from simple_index import file_names, names
projects, files = int(sys.argv[1]), int(sys.argv[2])
user = User.objects.create(username="bench")
now = timezone.now()
with transaction.atomic():
    for name in names(projects):
        project = Project.objects.create(name=name, normalized_name=name)
        Role.objects.create(project=project, user=user, role="owner")
        releases, rows = {}, []
        for version, filename in file_names(name, files):
            if version not in releases:
                releases[version] = Release.objects.create(
                    project=project, version=version, canonical_version=version,
                    summary="bench", uploader=user, project_urls={"Source": "https://x.test/"})
            digest = hashlib.sha256(filename.encode()).hexdigest()
            blake = hashlib.blake2b(filename.encode(), digest_size=32).hexdigest()
            rows.append(File(
                release=releases[version], filename=filename,
                path=f"{blake[:2]}/{blake[2:4]}/{blake[4:]}/{filename}", size=1000,
                sha256_digest=digest, blake2_256_digest=blake,
                packagetype="sdist" if filename.endswith(".tar.gz") else "bdist_wheel",
                requires_python=">=3.9", upload_time=now, uploader=user,
                metadata_sha256=digest if filename.endswith(".whl") else ""))
        File.objects.bulk_create(rows)
print(File.objects.count())
"""


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # its own session: only what we started
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not come up")


# --- wrk ------------------------------------------------------------------------------------


def wrk(base: str, paths: list[str], *, duration: int, connections: int, work: Path) -> dict:
    script = work / "paths.lua"
    script.write_text(
        "math.randomseed(42)\npaths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
        "request = function()\n  return wrk.format('GET', paths[math.random(#paths)])\nend\n"
    )
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), base]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    result = {"command": " ".join(cmd), "raw": out}
    result["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    for pct in ("50", "90", "99"):
        match = re.search(rf"\s{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        result[f"p{pct}_ms"] = (
            value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
        )
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = int(errors.group(1)) if errors else 0
    return result


# --- peers ----------------------------------------------------------------------------------


def run_pypiserver(venv: Path, work: Path, projects: list[str], files: int, port: int):
    packages = work / "pypiserver-packages"
    packages.mkdir()
    for name in projects:
        for _version, filename in file_names(name, files):
            (packages / filename).write_bytes(b"x")
    cmd = [
        str(venv / "bin" / "gunicorn"),
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        f"pypiserver:app(root='{packages}')",
    ]
    return start(cmd, dict(os.environ), work / "pypiserver.log")


def run_devpi(venv: Path, work: Path, projects: list[str], files: int, port: int):
    server_dir = work / "devpi"
    subprocess.run(
        [
            str(venv / "bin" / "devpi-init"),
            "--serverdir",
            str(server_dir),
            "--root-passwd",
            "bench",
        ],
        check=True,
        capture_output=True,
    )
    proc = start(
        [
            str(venv / "bin" / "devpi-server"),
            "--serverdir",
            str(server_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--offline-mode",
        ],
        dict(os.environ),
        work / "devpi.log",
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/+api")
    auth = "Basic " + __import__("base64").b64encode(b"root:bench").decode()
    index = urllib.request.Request(
        base + "/root/bench",
        method="PUT",
        data=json.dumps({"bases": []}).encode(),
        headers={"Content-Type": "application/json", "Authorization": auth, "X-Devpi-Auth": ""},
    )
    # devpi wants its own login token; use the root user with Basic auth via the API.
    login = urllib.request.Request(
        base + "/+login",
        method="POST",
        data=json.dumps({"user": "root", "password": "bench"}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    with urllib.request.urlopen(login) as response:
        result = json.loads(response.read())["result"]
    token = __import__("base64").b64encode(f"root:{result['password']}".encode()).decode()
    index.headers["X-devpi-auth"] = token
    index.headers.pop("Authorization", None)
    urllib.request.urlopen(index).read()

    def upload(args: tuple[str, str, str]) -> None:
        name, version, filename = args
        boundary = "devpibench"
        fields = {":action": "file_upload", "name": name, "version": version}
        body = (
            b"".join(
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                ).encode()
                for k, v in fields.items()
            )
            + (
                f'--{boundary}\r\nContent-Disposition: form-data; name="content"; '
                f'filename="{filename}"\r\n\r\n'
            ).encode()
            + filename.encode()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            base + "/root/bench/",
            data=body,
            method="POST",
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-devpi-auth": token,
            },
        )
        urllib.request.urlopen(request, timeout=60).read()

    jobs = [(n, v, f) for n in projects for v, f in file_names(n, files)]
    # Register each project (devpi needs a release registration before files).
    for name in projects:
        for version in sorted({v for v, _f in file_names(name, files)}):
            body = f":action=submit&name={name}&version={version}".encode()
            request = urllib.request.Request(
                base + "/root/bench/",
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-devpi-auth": token,
                },
            )
            urllib.request.urlopen(request, timeout=60).read()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(upload, jobs))
    return proc, "/root/bench/+simple/{}/"


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="gunicorn threads per worker (>1 uses the gthread worker).",
    )
    parser.add_argument("--keep", type=Path, help="Keep the seeded Lifeline var dir here.")
    parser.add_argument("--peer-venv", type=Path)
    parser.add_argument("--peers", default="pypiserver,devpi")
    parser.add_argument("--json", type=Path, help="Write the results here as JSON.")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk).")

    work = Path(tempfile.mkdtemp(prefix="lifeline-bench-"))
    projects = names(args.projects)
    results: dict[str, dict] = {}
    procs: list[subprocess.Popen] = []
    try:
        env = lifeline_env(work / "var")
        (work / "var").mkdir()
        subprocess.run(
            [str(PY), "-m", "lifeline", "migrate", "--no-input", "-v0"],
            env=env,
            check=True,
            cwd=ROOT,
        )
        t0 = time.time()
        count = subprocess.run(
            [str(PY), "-c", SEED, str(args.projects), str(args.files), str(ROOT / "bench")],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout.strip()
        print(f"seeded {count} files in {time.time() - t0:.0f}s", file=sys.stderr)
        port = 8765
        (work / "gunicorn.conf.py").write_text("# explicit flags only\n")
        gunicorn = [
            str(BIN / "gunicorn"),
            "-c",
            str(work / "gunicorn.conf.py"),
            "--chdir",
            str(ROOT),
            "lifeline.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
        ]
        if args.threads > 1:
            gunicorn += ["-k", "gthread", "--threads", str(args.threads)]
        procs.append(start(gunicorn, env, work / "lifeline.log"))
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/simple/{projects[0]}/")
        paths = [f"/simple/{n}/" for n in projects]
        for path in paths:  # warm both workers' per-process caches evenly (as after a while)
            urllib.request.urlopen(base + path).read()
        results["lifeline"] = wrk(
            base, paths, duration=args.duration, connections=args.connections, work=work
        )
        # Revalidation (what a repeated pip install does): If-None-Match → 304.
        stop(procs.pop())

        peers = [p for p in args.peers.split(",") if p] if args.peer_venv else []
        if "pypiserver" in peers:
            proc = run_pypiserver(args.peer_venv, work, projects, args.files, port + 1)
            procs.append(proc)
            peer_base = f"http://127.0.0.1:{port + 1}"
            wait_for(f"{peer_base}/simple/{projects[0]}/", timeout=120)
            results["pypiserver"] = wrk(
                peer_base, paths, duration=args.duration, connections=args.connections, work=work
            )
            stop(procs.pop())
        if "devpi" in peers:
            t0 = time.time()
            proc, pattern = run_devpi(args.peer_venv, work, projects, args.files, port + 2)
            procs.append(proc)
            print(f"devpi seeded in {time.time() - t0:.0f}s", file=sys.stderr)
            peer_base = f"http://127.0.0.1:{port + 2}"
            devpi_paths = [pattern.format(n) for n in projects]
            wait_for(peer_base + devpi_paths[0])
            results["devpi"] = wrk(
                peer_base,
                devpi_paths,
                duration=args.duration,
                connections=args.connections,
                work=work,
            )
            stop(procs.pop())
    finally:
        for proc in procs:
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"\n{args.projects} projects x {args.files} files, wrk -t2 -c{args.connections} "
        f"-d{args.duration}s, random project per request\n"
    )
    print("| server | requests/s | p50 ms | p90 ms | p99 ms | non-2xx |")
    print("|---|---:|---:|---:|---:|---:|")
    for server, r in results.items():
        print(
            f"| {server} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | "
            f"{r['p99_ms']:.2f} | {r['non_2xx']} |"
        )
    base_rps = results["lifeline"]["rps"]
    for server, r in results.items():
        if server != "lifeline" and r["rps"]:
            print(f"\nLifeline / {server}: {base_rps / r['rps']:.1f}x")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    random.seed(42)
    hashlib.sha256()
    main()
