# ruff: noqa: E501, RUF001 - tables and log lines print multiplication signs and dashes
"""Benchmark: `/simple/<name>/`, Lifeline side by side with devpi-server, pypiserver and nginx.

    .venv/bin/python bench/simple_index.py [--projects 1000] [--files 20] [--duration 10]
        [--repeats 3] [--connections 32] [--hot 50] [--targets ...] [--json out.json]

The same package set (tiny real sdists and wheels, bench/common.py) is loaded into every server
(bench/servers.py says how). wrk -t2 -c32 asks, on each request, for a random page among all
projects ("all") or among a hot subset of ``--hot`` projects ("hot"), as HTML or as JSON
(``Accept: application/vnd.pypi.simple.v1+json``). Every page is requested once before the
runs. Runs are interleaved (one run of every server, then the next round) because the machine
is shared: the tables give medians over ``--repeats`` rounds, with the load average read
before each run kept in the JSON output.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import servers
from common import (
    BENCH,
    JSON_ACCEPT,
    ensure_apt,
    load_average,
    log,
    median_row,
    names,
    package_set,
    set_size,
    stop,
    warm,
    wrk,
)
from load import PORTS

ALL_TARGETS = "lifeline-sqlite,lifeline-pg,lifeline-make-run,devpi,nginx-static,pypiserver"


def start_servers(args: argparse.Namespace, dists: list, found: dict) -> dict:
    """Start the servers named in ``--targets``, adding each to ``found`` as it comes up (so
    the caller stops every one that started, even when a later one fails)."""
    size = f"{args.projects}x{args.files}"
    wanted = args.targets.split(",")
    found["lifeline-sqlite"] = servers.lifeline_production(
        tag=f"sqlite-{size}", port=PORTS["sqlite"], db="sqlite", dists=dists, name="lifeline-sqlite"
    )
    for offset, variant in enumerate(args.variant):
        # NAME:KEY=VALUE[,KEY=VALUE]: the production SQLite server with these overrides.
        label, _sep, assignments = variant.partition(":")
        overrides = dict(a.split("=", 1) for a in assignments.split(",") if a)
        found[label] = servers.lifeline_production(
            tag=f"sqlite-{size}",
            port=PORTS["nginx"] + 1 + offset,
            db="sqlite",
            dists=dists,
            name=label,
            overrides=overrides,
        )
        wanted.append(label)
    if "lifeline-pg" in wanted:
        found["lifeline-pg"] = servers.lifeline_production(
            tag=f"pg-{size}", port=PORTS["pg"], db="pg", dists=dists, name="lifeline-pg"
        )
    if "lifeline-make-run" in wanted:
        found["lifeline-make-run"] = servers.lifeline_serve(
            tag=f"sqlite-{size}", port=PORTS["make-run"]
        )
    if "devpi" in wanted:
        found["devpi"] = servers.devpi(tag=size, port=PORTS["devpi"], dists=dists)
    if "nginx-static" in wanted:
        found["nginx-static"] = servers.nginx(
            port=PORTS["nginx"], source=found["lifeline-sqlite"], project_names=names(args.projects)
        )
    if "pypiserver" in wanted:
        found["pypiserver"] = servers.pypiserver(port=PORTS["pypiserver"], dists=dists)
    for name in list(found):
        if name not in wanted:
            found["_idle_" + name] = found.pop(name)  # started as a source only; stopped at the end
    return found


def found_all(started: dict) -> list:
    return list(started.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--hot", type=int, default=50, help="Size of the hot subset.")
    parser.add_argument("--targets", default=ALL_TARGETS)
    parser.add_argument(
        "--scenarios",
        default="all-html,all-json,hot-html,hot-json",
        help="Which of all-html, all-json, hot-html, hot-json to run.",
    )
    parser.add_argument("--json", type=Path, help="Also write every run here.")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="NAME:KEY=VALUE,...: also measure the production SQLite server with these "
        "environment overrides, e.g. max-requests-2000:GUNICORN_MAX_REQUESTS=2000.",
    )
    args = parser.parse_args()
    ensure_apt("wrk", "wrk")

    dists = package_set(args.projects, args.files)
    project_names = names(args.projects)
    hot = project_names[: args.hot]
    work = BENCH / "work"
    work.mkdir(parents=True, exist_ok=True)
    started: dict = {}
    runs: list[dict] = []
    try:
        start_servers(args, dists, started)
        measured = {k: v for k, v in started.items() if not k.startswith("_idle_")}
        for name, server in measured.items():
            t0 = time.time()
            for accept in (None, JSON_ACCEPT):
                if name == "pypiserver" and accept:
                    continue  # pypiserver 2.x has no JSON simple API
                if name != "pypiserver":  # its pages take ~1.5 s each and are never cached
                    warm(server, project_names, accept)
            log(f"{name}: every page requested once ({time.time() - t0:.0f}s)")
        for round_ in range(args.repeats):
            for scenario in args.scenarios.split(","):
                subset, fmt = scenario.split("-")
                for name, server in measured.items():
                    if name == "pypiserver" and (fmt == "json" or round_ > 0):
                        continue  # one HTML run: it re-reads the whole directory per request
                    result = wrk(
                        server,
                        project_names if subset == "all" else hot,
                        accept=JSON_ACCEPT if fmt == "json" else None,
                        duration=args.duration,
                        connections=args.connections,
                        work=work,
                        seed=42 + round_,
                    )
                    result.update(scenario=scenario, round=round_)
                    runs.append(result)
                    log(
                        f"round {round_ + 1} {scenario:9} {name:18} {result['rps']:8.0f}/s "
                        f"p99 {result['p99_ms']:7.1f} ms  errors {result['non_2xx'] + result['socket_errors']}"
                        f"  cpu {result['cpu_ms_per_request']:.2f} ms/req  load before {result['load_before']}"
                    )
    finally:
        for server in found_all(started):
            stop(server.proc)
        shutil.rmtree(work, ignore_errors=True)

    report(args, dists, runs)
    if args.json:
        args.json.write_text(
            json.dumps({"args": vars(args) | {"json": str(args.json)}, "runs": runs}, indent=1)
        )


def report(args: argparse.Namespace, dists: list, runs: list[dict]) -> None:
    print(
        f"\nSet: {set_size(dists)}. wrk -t2 -c{args.connections} -d{args.duration}s, "
        f"medians of {args.repeats} interleaved rounds; load average at the end: {load_average()}\n"
    )
    for scenario in args.scenarios.split(","):
        subset, fmt = scenario.split("-")
        rows = {}
        for run in runs:
            if run["scenario"] == scenario:
                rows.setdefault(run["server"], []).append(run)
        if not rows:
            continue
        medians = {name: median_row(r) for name, r in rows.items()}
        devpi = medians.get("devpi", {}).get("rps")
        ceiling = medians.get("nginx-static", {}).get("rps")
        label = "all projects" if subset == "all" else f"hot subset of {args.hot}"
        print(f"### {fmt.upper()}, {label}\n")
        print(
            "| server | req/s (median) | p50 ms | p90 ms | p99 ms | errors | × devpi | % of nginx "
            "| server CPU ms/req | devpi CPU ÷ server CPU | req/s per round |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        devpi_cpu = medians.get("devpi", {}).get("cpu_ms_per_request")
        for name, m in medians.items():
            ratio = f"{m['rps'] / devpi:.1f}×" if devpi else "–"
            share = f"{100 * m['rps'] / ceiling:.0f}%" if ceiling else "–"
            print(
                f"| {name} | {m['rps']:,.0f} | {m['p50_ms']:.1f} | {m['p90_ms']:.1f} | {m['p99_ms']:.1f} | "
                f"{m['errors']} | {ratio} | {share} | {m['cpu_ms_per_request']:.2f} | "
                f"{(devpi_cpu / m['cpu_ms_per_request']) if devpi_cpu and m['cpu_ms_per_request'] else 0:.1f}× | "
                f"{', '.join(map(str, m['rps_all']))} |"
            )
        print()


if __name__ == "__main__":
    main()
