"""Attack: make log redaction burn CPU with a long, crafted request path.

Every request's access-log line goes through lifeline.ops.logs. Its key=value pattern was
quadratic: 46 ms on 1k characters, 9.6 s on 16k, so one anonymous GET with a 4,000-character
path cost about 3 s of CPU and eight at once stalled the site. Two controls, each tested
without timing anything absolutely: a hard cap on what any pattern sees, and patterns whose
work grows linearly (64 KB costs about 8 times 8 KB, never the 64 times of a quadratic one).
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable

import pytest

from lifeline.ops import logs

KB = 1024

# Inputs built to make a backtracking pattern rescan: long runs that almost match.
ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "digits then a letter": lambda n: "1" * (n - 1) + "x",
    "grouped digits then a letter": lambda n: ("12345 " * (n // 6)) + "x",
    "one long word": lambda n: "a" * n,
    "dashed word": lambda n: "a-" * (n // 2),
    "keyword, no equals sign": lambda n: "key" * (n // 3),
    "chained key=": lambda n: "token=" * (n // 6),
    "unclosed quoted value": lambda n: 'password="' + '\\"' * (n // 2),
    "unclosed quotes, repeated": lambda n: "secret='x " * (n // 10),
    "almost a signed value": lambda n: "ab:cdef:" * (n // 8),
    "bearer and spaces": lambda n: "Bearer " + " " * n,
    "emailed-link segments": lambda n: "/key/" * (n // 5),
    "recovery link prefix": lambda n: "/verify/" + "0" * n,
    "mixed symbols": lambda n: ("ab1:-_/=& 'k\"ey" * (n // 16 + 1))[:n],
}


def best_time(work: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def run_every_pattern(text: str, times: int) -> None:
    for _ in range(times):
        for rule in logs._RULES:
            rule.pattern.sub(rule.replacement, text)


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_every_pattern_does_linear_work_on_adversarial_input(name):
    """Every pattern on 64 KB, against every pattern on 8 KB eight times: the same text.

    Linear patterns take about as long for both (ratio ~1); a quadratic one takes about 8
    times longer on the single 64 KB text (the old pattern: seconds against milliseconds).
    The bound 2.5 (that is, time(64 KB) / time(8 KB) < 20) leaves room for a noisy machine
    and still fails a quadratic pattern by far. Times are compared, never bounded.
    """
    small, large = ADVERSARIAL[name](8 * KB), ADVERSARIAL[name](64 * KB)
    t_small = best_time(lambda: run_every_pattern(small, 2 * 8))
    t_large = best_time(lambda: run_every_pattern(large, 2))
    ratio = t_large / max(t_small, 1e-9)
    assert ratio < 2.5, f"{name!r}: 64 KB took {ratio:.1f} times 8 x 8 KB"


def test_a_megabyte_path_is_capped_before_any_pattern_runs(monkeypatch):
    seen: list[int] = []
    real = logs.apply_patterns

    def spy(text: str) -> str:
        seen.append(len(text))
        return real(text)

    monkeypatch.setattr(logs, "apply_patterns", spy)
    path = "/simple/" + "a" * (1024 * KB) + "/token=abcdef/"
    line = logs.redact_text(f"GET {path} 404")
    assert seen and max(seen) <= logs.MAX_TEXT + 64
    assert len(line) <= logs.MAX_TEXT + 64
    assert "characters cut]" in line
    # Head and tail survive, still redacted.
    assert line.startswith("GET /simple/") and line.endswith("/token=[REDACTED] 404")


def test_a_long_path_request_is_logged_capped(client):
    """The real request path: a 64 KB URL is answered, and its log line is short."""
    root = logging.getLogger()
    (handler,) = [h for h in root.handlers if h.get_name() == "console"]
    stream = io.StringIO()
    old_stream, old_formatter = handler.stream, handler.formatter
    handler.setStream(stream)
    handler.setFormatter(logs.JsonFormatter())
    try:
        response = client.get("/" + "a" * (64 * KB) + "/")
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(old_formatter)
    assert response.status_code == 404
    (access,) = [
        r
        for r in map(json.loads, stream.getvalue().splitlines())
        if r["logger"] == "lifeline.access"
    ]
    assert "characters cut]" in access["path"]
    assert len(access["path"]) <= logs.MAX_TEXT + 64
