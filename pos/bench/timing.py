"""Timing and judging helpers of the benchmark: repeated timings, the ratio to plain
sqlite3 timed in turns, the target check, and where profiled time went."""

from __future__ import annotations

import cProfile
import pstats
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from pos.bench.report import Result

T = TypeVar("T")
WARMUP = 10
"""Untimed calls first: caches, statements and the page cache warm up."""


def timed(call: Callable[[T], object], args: Sequence[T]) -> list[float]:
    """Milliseconds of ``call(arg)`` for each arg, after a few untimed warm-up calls."""
    for arg in args[:WARMUP]:
        call(arg)
    samples = []
    for arg in args:
        start = time.perf_counter()
        call(arg)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def interleaved(
    first: Callable[[T], object], second: Callable[[T], object], args: Sequence[T]
) -> tuple[list[float], list[float]]:
    """Milliseconds of ``first(arg)`` and ``second(arg)``, timed in turns on each arg.

    Which of the two goes first alternates: the one that goes first reads the rows
    from disk into the page cache, and the other would find them there.
    """
    for arg in args[:WARMUP]:
        first(arg)
        second(arg)
    one: list[float] = []
    two: list[float] = []
    for index, arg in enumerate(args):
        pairs = ((first, one), (second, two))
        for call, spent in pairs if index % 2 == 0 else reversed(pairs):
            start = time.perf_counter()
            call(arg)
            spent.append((time.perf_counter() - start) * 1000)
    return one, two


def judged(
    result: Result, p99_limit: float | None = None, ratio_limit: float | None = None
) -> Result:
    """Set ``met`` from the p99 and ratio limits, and say which one failed."""
    failed = []
    if p99_limit is not None and (result.p99_ms or 0) > p99_limit:
        over = sum(sample > p99_limit for sample in result.samples_ms)
        failed.append(
            f"p99 over {p99_limit:g} ms ({over} of {len(result.samples_ms)} samples, "
            f"worst {max(result.samples_ms):.0f} ms)"
        )
    if ratio_limit is not None and (result.ratio or 0) > ratio_limit:
        failed.append(f"over {ratio_limit:g}× plain sqlite3")
    result.met = not failed
    if failed:
        result.note = "; ".join(failed) + (": " + result.note if result.note else "")
    return result


def shares(profile: cProfile.Profile, parts: Mapping[str, Sequence[str]]) -> str:
    """Where the profiled time went: "label NN%" for each part, a part being functions
    named ``FILE:NAME`` (file name suffix, function name prefix; ``~`` for built-ins),
    by cProfile cumulative time over the profile's total."""
    stats = pstats.Stats(profile)
    total = stats.total_tt or 1.0  # type: ignore[attr-defined]
    found = []
    for label, needles in parts.items():
        spent = 0.0
        for (file, _line, function), value in stats.stats.items():  # type: ignore[attr-defined]
            for needle in needles:
                suffix, name = needle.split(":", 1)
                if file.endswith(suffix) and function.startswith(name):
                    spent += value[3]
        found.append(f"{label} {100 * spent / total:.0f}%")
    return "profile: " + ", ".join(found)
