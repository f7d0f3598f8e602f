# ruff: noqa: E501, RUF001 - tables and log lines print multiplication signs and dashes
"""Benchmark: resolving 20 packages with ``uv pip install --dry-run`` and ``pip install --dry-run``.

    .venv/bin/python bench/resolve.py [--runs 10] [--targets ...]

Against the loaded benchmark data (bench/load.py): 20 projects of the set, each with 10
releases of a wheel and an sdist, resolved to their newest wheel, no cache, no configuration
files. Timed with hyperfine (``apt-get install -y hyperfine``), which runs each command
``--runs`` times after a warm-up and reports the median. uv is the project's (.venv/bin/uv);
pip is a current pip in var/bench/tools.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess

import servers
from common import BENCH, ROOT, ensure_apt, ensure_venv, load_average, log, names, package_set, stop
from load import PORTS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--targets", default="lifeline-sqlite,lifeline-pg,lifeline-make-run,devpi")
    args = parser.parse_args()
    hyperfine = ensure_apt("hyperfine", "hyperfine")
    tools = ensure_venv("tools")
    target = BENCH / "resolve-target"
    if not (target / "bin" / "python").exists():
        subprocess.run([str(ROOT / ".venv" / "bin" / "uv"), "venv", "-q", str(target)], check=True)
    dists = package_set(args.projects, args.files)
    size = f"{args.projects}x{args.files}"
    wanted = args.targets.split(",")
    packages = " ".join(names(args.projects)[:20])
    started = {}
    try:
        if "lifeline-sqlite" in wanted or "lifeline-make-run" in wanted:
            started["lifeline-sqlite"] = servers.lifeline_production(
                tag=f"sqlite-{size}", port=PORTS["sqlite"], db="sqlite", dists=dists
            )
        if "lifeline-pg" in wanted:
            started["lifeline-pg"] = servers.lifeline_production(
                tag=f"pg-{size}", port=PORTS["pg"], db="pg", dists=dists
            )
        if "lifeline-make-run" in wanted:
            started["lifeline-make-run"] = servers.lifeline_serve(
                tag=f"sqlite-{size}", port=PORTS["make-run"]
            )
        if "devpi" in wanted:
            started["devpi"] = servers.devpi(tag=size, port=PORTS["devpi"], dists=dists)
        commands, labels = [], []
        uv = ROOT / ".venv" / "bin" / "uv"
        for name, server in started.items():
            if name not in wanted:
                continue
            labels.append(f"uv {name}")
            commands.append(
                f"{uv} pip install --dry-run --no-cache --no-config -q --python {target}/bin/python "
                f"--index-url {server.index_url} {packages}"
            )
            labels.append(f"pip {name}")
            commands.append(
                f"PIP_CONFIG_FILE=/dev/null {tools}/bin/pip install --dry-run --no-cache-dir "
                f"--ignore-installed -q --disable-pip-version-check --index-url {server.index_url} {packages}"
            )
        out = BENCH / "resolve.json"
        cmd = [
            hyperfine,
            "-N" if False else "--shell=bash",
            "--warmup",
            "1",
            "--runs",
            str(args.runs),
            "--export-json",
            str(out),
        ]
        for label, command in zip(labels, commands, strict=True):
            cmd += ["-n", label, command]
        log(f"load before: {load_average()}")
        log(shlex.join(cmd[:8]) + " ...")
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        load_after = load_average()
    finally:
        for server in started.values():
            stop(server.proc)
    results = {r["command"]: r for r in json.loads(out.read_text())["results"]}
    versions = [
        subprocess.run([*tool, "--version"], capture_output=True, text=True).stdout.split()[:2]
        for tool in ([str(ROOT / ".venv" / "bin" / "uv")], [str(tools / "bin" / "pip")])
    ]
    print(
        f"\nResolving 20 packages ({packages.split()[0]} … {packages.split()[-1]}), hyperfine "
        f"--warmup 1 --runs {args.runs}, {' and '.join(' '.join(v) for v in versions)}, "
        f"load average after: {load_after}\n"
    )
    print("| client | server | median s | mean ± sd s | min s | vs devpi |")
    print("|---|---|---:|---:|---:|---:|")
    for client in ("uv", "pip"):
        devpi = results.get(f"{client} devpi", {}).get("median")
        for label, r in results.items():
            if label.startswith(client + " "):
                ratio = f"{r['median'] / devpi:.2f}×" if devpi else "–"
                print(
                    f"| {client} | {label.split(' ', 1)[1]} | {r['median']:.3f} | "
                    f"{r['mean']:.3f} ± {r['stddev']:.3f} | {r['min']:.3f} | {ratio} |"
                )
    print("\n(vs devpi: the time relative to devpi's; below 1 is faster.)")


if __name__ == "__main__":
    main()
