# ruff: noqa: E501, RUF001, RUF002 - tables and log lines print multiplication signs and dashes
"""Benchmark: upload throughput, one ``twine upload`` call with 200 files, Lifeline vs devpi.

    .venv/bin/python bench/upload.py [--files 200] [--repeats 2] [--targets ...]

Each round makes 200 new files (100 new projects × a wheel and an sdist, tiny real files) per
server and uploads them with one twine call, as a release pipeline does, with the credentials
twine uses in real life: Lifeline an API token (``__token__``), devpi its user and password.
The servers run on the loaded benchmark data (bench/load.py). Rounds are interleaved.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import time

import servers
from common import BENCH, ROOT, load_average, log, package_set, stop
from load import PORTS


def twine() -> str:
    project_twine = ROOT / ".venv" / "bin" / "twine"  # in the dev lock (the client tests)
    return str(project_twine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=1000, help="Size of the loaded set.")
    parser.add_argument("--set-files", type=int, default=20, help="Files per project of the set.")
    parser.add_argument("--files", type=int, default=200, help="Files per twine call.")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--targets", default="lifeline-sqlite,lifeline-pg,devpi")
    args = parser.parse_args()
    from common import package_set as _set

    base_set = _set(args.projects, args.set_files)
    size = f"{args.projects}x{args.set_files}"
    wanted = args.targets.split(",")
    started = {}
    results: dict[str, list[dict]] = {}
    try:
        if "lifeline-sqlite" in wanted:
            started["lifeline-sqlite"] = servers.lifeline_production(
                tag=f"sqlite-{size}", port=PORTS["sqlite"], db="sqlite", dists=base_set
            )
        if "lifeline-pg" in wanted:
            started["lifeline-pg"] = servers.lifeline_production(
                tag=f"pg-{size}", port=PORTS["pg"], db="pg", dists=base_set
            )
        if "devpi" in wanted:
            started["devpi"] = servers.devpi(tag=size, port=PORTS["devpi"], dists=base_set)
        stamp = time.strftime("%H%M%S")
        for round_ in range(args.repeats):
            for name, server in started.items():
                prefix = f"up{stamp}-r{round_}-{name.split('-')[-1]}"
                dists = package_set(args.files // 2, 2, prefix=prefix)
                files = [str(d.path) for d in dists]
                cmd = [
                    twine(),
                    "upload",
                    "--non-interactive",
                    "--disable-progress-bar",
                    "--repository-url",
                    server.upload_url,
                    "-u",
                    server.upload_user,
                    "-p",
                    server.upload_password,
                    *files,
                ]
                load = load_average()
                t0 = time.perf_counter()
                done = subprocess.run(
                    cmd,
                    capture_output=True,
                    text=True,
                    env={"PATH": "/usr/bin:/bin", "HOME": str(BENCH)},
                )
                seconds = time.perf_counter() - t0
                if done.returncode != 0:
                    raise SystemExit(
                        f"{name}: twine failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
                    )
                rate = len(files) / seconds
                results.setdefault(name, []).append(
                    {"seconds": seconds, "rate": rate, "load": load}
                )
                log(
                    f"round {round_ + 1} {name:16} {len(files)} files in {seconds:6.1f}s = {rate:5.1f}/s (load before {load})"
                )
                shutil.rmtree(dists[0].path.parent, ignore_errors=True)
    finally:
        for server in started.values():
            stop(server.proc)
    print(
        f"\nOne `twine upload` of {args.files} files ({args.files // 2} new projects × wheel + sdist), "
        f"medians of {args.repeats} interleaved rounds\n"
    )
    print("| server | seconds | uploads/s | per round |")
    print("|---|---:|---:|---|")
    for name, rows in results.items():
        secs = statistics.median(r["seconds"] for r in rows)
        print(
            f"| {name} | {secs:.1f} | {args.files / secs:.1f} | "
            f"{', '.join(f'{r["rate"]:.1f}/s (load {r["load"].split()[0]})' for r in rows)} |"
        )


if __name__ == "__main__":
    main()
