#!/usr/bin/env bash
# Every index benchmark in sequence (`make bench`); results in var/bench/results/.
# BENCH_MIXED_SECONDS (default 300) sets the mixed load's duration.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OUT=var/bench/results
mkdir -p "$OUT"
# Every script of the run measures this commit, even if HEAD moves while it runs.
BENCH_COMMIT=$(git rev-parse --short=12 "${BENCH_COMMIT:-HEAD}")
export BENCH_COMMIT
{ echo "nproc: $(nproc)"; echo "uptime: $(uptime)"; echo "commit: $BENCH_COMMIT"; } | tee "$OUT/machine.txt"
$PY bench/load.py
$PY bench/simple_index.py --json "$OUT/simple.json" \
    --variant "max-requests-2000:GUNICORN_MAX_REQUESTS=2000" | tee "$OUT/simple.md"
$PY bench/resolve.py | tee "$OUT/resolve.md"
$PY bench/upload.py | tee "$OUT/upload.md"
$PY bench/mixed.py --duration "${BENCH_MIXED_SECONDS:-300}" --json "$OUT/mixed.json" | tee "$OUT/mixed.md"
