"""CPU cost of log redaction per access-log record, and on hostile inputs.

    .venv/bin/python bench/redaction.py                      # this checkout
    git show <rev>:lifeline/ops/logs.py > /tmp/old_logs.py
    .venv/bin/python bench/redaction.py --against /tmp/old_logs.py

Each request's access log costs one ``redact_text`` of the path (the middleware) plus the
``RedactFilter`` on the record. Figures are best-of-3 means per record, in microseconds; with
``--against`` both versions run in the same process, so the ratio is what to compare.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
PATHS = {
    "GET /simple/requests/": "/simple/requests/",
    "GET /account/confirm-email/<key>/": "/account/confirm-email/MTI:1tQxYz:Hk3vB9sLmN0pQrSt/",
    "GET with a 4,000-character path": "/" + "a" * 4000,
}


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def per_record(logs: ModuleType, path: str) -> float:
    """Seconds per access-log record: the middleware's redact_text plus the filter."""
    redact_filter = logs.RedactFilter()

    def one() -> None:
        record = logging.LogRecord(
            "lifeline.access", logging.INFO, __file__, 1, "%s %s %s", ("GET", path, 200), None
        )
        extra = {"method": "GET", "path": path, "status": 200, "duration_ms": 3.1}
        extra |= {"view": "simple_project", "client_ip": "203.0.113.9", "user_id": None}
        record.__dict__.update(extra)
        logs.redact_text(path)
        redact_filter.filter(record)

    start = time.perf_counter()
    one()
    first = time.perf_counter() - start
    runs = max(1, min(2000, int(0.5 / max(first, 1e-6))))  # about half a second per try
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(runs):
            one()
        best = min(best, (time.perf_counter() - start) / runs)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="an older lifeline/ops/logs.py to compare")
    args = parser.parse_args()
    current = load(ROOT / "lifeline" / "ops" / "logs.py", "logs_current")
    older = load(args.against, "logs_older") if args.against else None
    print(f"{'record':36s} {'this checkout':>14s}" + (f" {'older':>14s}  ratio" if older else ""))
    for label, path in PATHS.items():
        now = per_record(current, path)
        line = f"{label:36s} {now * 1e6:12.1f}µs"
        if older is not None:
            then = per_record(older, path)
            line += f" {then * 1e6:12.1f}µs  {then / now:,.0f}x"
        print(line)


if __name__ == "__main__":
    main()
