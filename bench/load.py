"""Generate the package set and load it into Lifeline (SQLite, PostgreSQL + Redis) and devpi.

    .venv/bin/python bench/load.py [--projects 1000] [--files 20] [--reload]

The other benchmarks call the same functions and reuse what is loaded (var/bench/data/); this
script only does the slow part ahead, the three loads at the same time.
"""

from __future__ import annotations

import argparse
import os
import threading
import time

import servers
from common import log, package_set, set_size, stop

_BASE = int(os.environ.get("BENCH_PORT_BASE", "8710"))  # ports _BASE+1 … _BASE+6
PORTS = {
    "sqlite": _BASE + 1,
    "pg": _BASE + 2,
    "make-run": _BASE + 3,
    "devpi": _BASE + 4,
    "pypiserver": _BASE + 5,
    "nginx": _BASE + 6,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    t0 = time.time()
    dists = package_set(args.projects, args.files)
    log(f"package set: {set_size(dists)} ({time.time() - t0:.0f}s)")
    size = f"{args.projects}x{args.files}"
    started = []
    failed: list[BaseException] = []

    def run(make) -> None:
        try:
            started.append(make())
        except BaseException as error:  # reported below; the other loads go on
            failed.append(error)
            raise

    jobs = [
        lambda: servers.lifeline_production(
            tag=f"sqlite-{size}", port=PORTS["sqlite"], db="sqlite", dists=dists, reload=args.reload
        ),
        lambda: servers.lifeline_production(
            tag=f"pg-{size}", port=PORTS["pg"], db="pg", dists=dists, reload=args.reload
        ),
        lambda: servers.devpi(tag=size, port=PORTS["devpi"], dists=dists, reload=args.reload),
    ]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for server in started:
        stop(server.proc)
    if failed:
        raise SystemExit(f"{len(failed)} of {len(jobs)} loads failed (tracebacks above)")
    log(f"loaded in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
