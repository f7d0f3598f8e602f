# ruff: noqa: E501 - tables and log lines print multiplication signs and dashes
"""Shared pieces of the index benchmarks: the package set, the servers, wrk, uploads.

Everything lives under ``var/bench/`` (git-ignored): the generated files, each peer's own
virtualenv (never the project's lock), each server's data and logs. ``ensure_tools()`` installs
what is missing (PyPI into ``var/bench/<peer>``, Debian packages with apt-get when run as root)
or prints the exact command.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"
PY = ROOT / ".venv" / "bin" / "python"
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
JSON_ACCEPT = "application/vnd.pypi.simple.v1+json"
PEERS = {  # venv name -> packages from PyPI (devpi without devpi-web: the bare server)
    "devpi": ["devpi-server", "devpi-client"],
    "pypiserver": ["pypiserver", "gunicorn"],
    "tools": ["py-spy", "pyinstrument", "pip"],
}


_SRC_LOCK = threading.Lock()


def lifeline_src() -> Path:
    """The Lifeline code under test: a snapshot of a commit (``git archive``) in
    ``var/bench/src/<commit>``, so edits in progress in the working tree never change a run.
    The commit is ``BENCH_COMMIT`` (bench/run_all.sh pins it, so every script of one run
    measures the same code even if HEAD moves meanwhile), else HEAD; ``BENCH_SRC=worktree``
    measures the working tree instead. The snapshot appears whole or not at all (extracted
    beside it, then renamed), so threads and processes starting servers at once share it."""
    if os.environ.get("BENCH_SRC") == "worktree":
        return ROOT
    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", os.environ.get("BENCH_COMMIT") or "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    src = BENCH / "src" / commit
    src.parent.mkdir(parents=True, exist_ok=True)
    # One snapshot maker at a time: threads (the lock) and processes (flock on a file).
    with _SRC_LOCK, (src.parent / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (src / ".complete").exists():
            partial = Path(tempfile.mkdtemp(prefix=f".{commit}.", dir=src.parent))
            archive = subprocess.run(
                ["git", "archive", commit], cwd=ROOT, capture_output=True, check=True
            )
            subprocess.run(["tar", "-x", "-C", str(partial)], input=archive.stdout, check=True)
            (partial / ".complete").write_text(commit)
            shutil.rmtree(src, ignore_errors=True)  # an incomplete one from an older layout
            try:
                partial.rename(src)
            except OSError:  # another process got there first
                shutil.rmtree(partial, ignore_errors=True)
    return src


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- tools ----------------------------------------------------------------------------------


def venv_bin(name: str, program: str) -> Path:
    return BENCH / name / "bin" / program


def ensure_venv(name: str) -> Path:
    """``var/bench/<name>``: a virtualenv with the peer's packages from PyPI."""
    venv = BENCH / name
    marker = venv / ".bench-installed"
    # --upgrade: "pip" is one of the tools, and a new venv already holds the interpreter's old
    # pip (23.2 here), which a plain install would keep.
    want = "upgrade " + " ".join(PEERS[name])
    if not marker.exists() or marker.read_text() != want:
        log(f"installing {' '.join(PEERS[name])} into {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "--upgrade", *PEERS[name]], check=True
        )
        marker.write_text(want)
    return venv


def ensure_apt(program: str, package: str) -> str:
    found = shutil.which(program) or (
        f"/usr/sbin/{program}" if Path(f"/usr/sbin/{program}").exists() else None
    )
    if found:
        return found
    if os.geteuid() == 0:
        log(f"apt-get install -y {package}")
        subprocess.run(["apt-get", "install", "-y", "-q", package], check=False)
        found = shutil.which(program) or (
            f"/usr/sbin/{program}" if Path(f"/usr/sbin/{program}").exists() else None
        )
    if not found:
        raise SystemExit(f"{program} is missing: sudo apt-get install -y {package}")
    return found


def uptime() -> str:
    return Path("/proc/loadavg").read_text().split(" ")[0:3].__str__()


def load_average() -> str:
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return f"{one} {five} {fifteen}"


# --- the package set ------------------------------------------------------------------------


def names(projects: int) -> list[str]:
    return [f"bench-project-{i:04d}" for i in range(projects)]


def versions(files: int) -> list[str]:
    return [f"1.{i}" for i in range((files + 1) // 2)]


@dataclass
class Dist:
    name: str
    version: str
    path: Path

    @property
    def is_wheel(self) -> bool:
        return self.path.name.endswith(".whl")


def _metadata(name: str, version: str) -> str:
    return (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        f"Summary: Benchmark package {name}\nRequires-Python: >=3.8\n"
    )


def make_wheel(directory: Path, name: str, version: str) -> Path:
    snake = name.replace("-", "_")
    path = directory / f"{snake}-{version}-py3-none-any.whl"
    info = f"{snake}-{version}.dist-info"
    members = {
        f"{snake}/__init__.py": f"VERSION = {version!r}\n",
        f"{info}/METADATA": _metadata(name, version),
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for member, text in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{member},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    members[f"{info}/RECORD"] = "\n".join(record) + "\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in members.items():
            archive.writestr(zipfile.ZipInfo(member, (2026, 1, 1, 0, 0, 0)), text)
    return path


def make_sdist(directory: Path, name: str, version: str) -> Path:
    snake = name.replace("-", "_")
    path = directory / f"{snake}-{version}.tar.gz"
    top = f"{snake}-{version}"
    members = {
        f"{top}/PKG-INFO": _metadata(name, version),
        f"{top}/pyproject.toml": f'[project]\nname = "{name}"\nversion = "{version}"\n',
        f"{top}/{snake}/__init__.py": f"VERSION = {version!r}\n",
    }
    with tarfile.open(path, "w:gz") as archive:
        for member, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size, info.mtime = len(data), 1767225600
            archive.addfile(info, io.BytesIO(data))
    return path


def package_set(projects: int, files: int, *, prefix: str = "bench-project") -> list[Dist]:
    """N projects x M files of tiny real sdists and wheels (M/2 releases of each kind)."""
    directory = BENCH / "packages" / f"{prefix}-{projects}x{files}"
    marker = directory / ".complete"
    project_names = [f"{prefix}-{i:04d}" for i in range(projects)]
    dists: list[Dist] = []
    build = not marker.exists()
    if build:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
    for name in project_names:
        for k, version in enumerate(versions(files)):
            snake = name.replace("-", "_")
            wanted = [("sdist", directory / f"{snake}-{version}.tar.gz")]
            if 2 * k + 1 < files:
                wanted.append(("wheel", directory / f"{snake}-{version}-py3-none-any.whl"))
            for kind, path in wanted:
                if build:
                    (make_sdist if kind == "sdist" else make_wheel)(directory, name, version)
                dists.append(Dist(name, version, path))
    if build:
        marker.write_text(str(len(dists)))
    return dists


def set_size(dists: list[Dist]) -> str:
    total = sum(d.path.stat().st_size for d in dists)
    return f"{len({d.name for d in dists}):,} projects, {len(dists):,} files, {total / 1e6:.1f} MB"


# --- uploads (the legacy upload API twine speaks; Lifeline and devpi both accept it) --------


def upload_body(dist: Dist, boundary: str | None = None) -> tuple[bytes, str]:
    content = dist.path.read_bytes()
    fields = {
        ":action": "file_upload",
        "protocol_version": "1",
        "metadata_version": "2.1",
        "name": dist.name,
        "version": dist.version,
        "summary": f"Benchmark package {dist.name}",
        "requires_python": ">=3.8",
        "filetype": "bdist_wheel" if dist.is_wheel else "sdist",
        "pyversion": "py3" if dist.is_wheel else "source",
        "sha256_digest": hashlib.sha256(content).hexdigest(),
        "md5_digest": hashlib.md5(content).hexdigest(),  # noqa: S324 - what twine sends
        "blake2_256_digest": hashlib.blake2b(content, digest_size=32).hexdigest(),
    }
    boundary = boundary or secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="content"; '
        f'filename="{dist.path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(url: str, user: str, password: str, dist: Dist) -> None:
    """One upload; ``user`` "X-Devpi-Auth" sends ``password`` as devpi's login token header."""
    body, content_type = upload_body(dist)
    headers = {"Content-Type": content_type}
    if user == "X-Devpi-Auth":
        headers[user] = password
    else:
        auth = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {auth}"
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    for attempt in range(5):
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
            return
        except urllib.error.HTTPError as exc:
            text = exc.read().decode(errors="replace")[:300]
            if exc.code == 409 or "already exists" in text or "File already" in text:
                return
            if exc.code < 500 or attempt == 4:
                raise SystemExit(
                    f"upload of {dist.path.name} to {url}: {exc.code} {text}"
                ) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if attempt == 4:
                raise
        time.sleep(1 + attempt)


def upload_all(url: str, user: str, password: str, dists: list[Dist], threads: int = 6) -> float:
    """Upload every file, each project's files in order on one thread; returns seconds."""
    by_project: dict[str, list[Dist]] = {}
    for dist in dists:
        by_project.setdefault(dist.name, []).append(dist)
    t0 = time.time()
    done = [0]

    def one_project(group: list[Dist]) -> None:
        for dist in group:
            upload(url, user, password, dist)
        done[0] += 1
        if done[0] % 100 == 0:
            log(f"  {url}: {done[0]}/{len(by_project)} projects")

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one_project, by_project.values()))
    return time.time() - t0


# --- processes ------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    base: str
    simple: str  # URL path pattern of a project page, "{}" for the name
    proc: subprocess.Popen | None = None
    upload_url: str = ""
    upload_user: str = ""
    upload_password: str = ""
    index_url: str = ""
    extra: dict = field(default_factory=dict)

    def page(self, name: str) -> str:
        return self.simple.format(name)


def start(
    cmd: list[str], env: dict[str, str] | None, logfile: Path, cwd: Path = ROOT
) -> subprocess.Popen:
    logfile.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        cmd,
        env=env,
        cwd=cwd,
        stdout=logfile.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)  # its own session: only what we started
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wait_for(url: str, timeout: float = 90, proc: subprocess.Popen | None = None) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the server for {url} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 400:
                    return
        except Exception:  # not up yet
            time.sleep(0.3)
    raise SystemExit(f"{url} did not come up in {timeout:.0f}s")


def fetch(url: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def warm(server: Server, project_names: Iterable[str], accept: str | None = None) -> None:
    """One request per page, so every server starts the measurement with its pages built."""
    urls = [server.base + server.page(n) for n in project_names]
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda u: fetch(u, accept)[0], urls))
    bad = [s for s in statuses if s != 200]
    if bad:
        raise SystemExit(f"{server.name}: {len(bad)} pages did not answer 200 ({bad[:3]})")


# --- wrk ------------------------------------------------------------------------------------


def wrk(
    server: Server,
    project_names: list[str],
    *,
    accept: str | None,
    duration: int,
    connections: int,
    work: Path,
    seed: int = 42,
) -> dict:
    paths = [server.page(n) for n in project_names]
    script = work / f"wrk-{server.name}.lua"
    header = f'wrk.headers["Accept"] = {json.dumps(accept)}\n' if accept else ""
    script.write_text(
        f"math.randomseed({seed})\n{header}"
        "paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
        "request = function()\n  return wrk.format('GET', paths[math.random(#paths)])\nend\n"
    )
    cmd = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-s",
        str(script),
        server.base,
    ]
    load = load_average()
    cpu0 = tree_cpu_seconds(server.proc.pid) if server.proc else 0.0
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    cpu = (tree_cpu_seconds(server.proc.pid) if server.proc else 0.0) - cpu0
    result: dict = {"server": server.name, "load_before": load, "raw": out}
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    result["cpu_ms_per_request"] = 1000 * cpu / max(requests, 1)
    result["command"] = " ".join(cmd[:-3]) + f" -s <{len(paths)} paths> {server.base}"
    result["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    for pct in ("50", "90", "99"):
        match = re.search(rf"\s{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)\b", out)
        value, unit = float(match.group(1)), match.group(2)
        result[f"p{pct}_ms"] = (
            value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
        )
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    result["socket_errors"] = sum(int(x) for x in errors.groups()) if errors else 0
    return result


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and all its descendants.

    On a shared machine this is the steadier figure: CPU per request does not depend on how
    much of the cores other people's work leaves to the server."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        stats[int(entry.name)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        current = todo.pop()
        fields = stats.get(current)
        if fields:
            # utime + stime, plus cutime + cstime: the CPU of children already reaped (a
            # recycled gunicorn worker's time stays counted in its master's).
            total += sum(int(f) for f in fields[11:15]) / tick
        todo.extend(children.get(current, []))
    return total


def median_row(runs: list[dict]) -> dict:
    out = {"runs": len(runs)}
    for key in ("rps", "p50_ms", "p90_ms", "p99_ms", "cpu_ms_per_request"):
        out[key] = statistics.median(r[key] for r in runs)
    out["errors"] = sum(r["non_2xx"] + r["socket_errors"] for r in runs)
    out["rps_all"] = [round(r["rps"]) for r in runs]
    return out
