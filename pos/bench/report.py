"""Benchmark results: one row per measurement, as a table, JSON and the docs page."""

from __future__ import annotations

import json
import math
import os
import platform
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pos

DOCS_PAGE = Path(pos.__file__).resolve().parent.parent / "docs" / "benchmarks.md"
COLUMNS = ("measurement", "median", "p95", "p99", "ratio", "target", "met", "note")


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile ``share`` (0–1) of ``samples``."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


@dataclass
class Result:
    """One measurement: timings in ms (or a single ``value`` in ``unit``), its target."""

    key: str
    name: str
    target: str
    samples_ms: list[float] = field(default_factory=list)
    ratio: float | None = None
    value: float | None = None
    unit: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def median_ms(self) -> float | None:
        """The median time, if there are timings."""
        return statistics.median(self.samples_ms) if self.samples_ms else None

    @property
    def p95_ms(self) -> float | None:
        """The 95th percentile time."""
        return percentile(self.samples_ms, 0.95) if self.samples_ms else None

    @property
    def p99_ms(self) -> float | None:
        """The 99th percentile time."""
        return percentile(self.samples_ms, 0.99) if self.samples_ms else None

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready values (summaries, not every sample)."""
        return {
            "key": self.key,
            "name": self.name,
            "count": len(self.samples_ms),
            "median_ms": self.median_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "ratio": self.ratio,
            "value": self.value,
            "unit": self.unit,
            "target": self.target,
            "met": self.met,
            "note": self.note,
        }

    def cells(self) -> list[str]:
        """The row of the table."""
        if self.samples_ms:
            median, p95, p99 = (_ms(v) for v in (self.median_ms, self.p95_ms, self.p99_ms))
        elif self.value is not None:
            median, p95, p99 = f"{self.value:g} {self.unit}".strip(), "", ""
        else:
            median = p95 = p99 = "—"
        ratio = f"{self.ratio:.1f}×" if self.ratio is not None else ""
        met = {True: "yes", False: "NO", None: "—"}[self.met]
        return [self.name, median, p95, p99, ratio, self.target, met, self.note]


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.3f} ms" if value < 1 else f"{value:.1f} ms"


@dataclass
class Report:
    """Everything one ``pos bench run`` measured, on which data and machine."""

    results: list[Result]
    scale: dict[str, int]
    machine: dict[str, Any]
    quick: bool
    generated: dict[str, Any] | None = None
    """What ``pos bench generate`` recorded beside the database (time, seed, counts)."""
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def table(self) -> str:
        """The results as a Markdown table."""
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        for result in self.results:
            cells = [cell.replace("|", "\\|").replace("\n", " ") for cell in result.cells()]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values."""
        return {
            "started": self.started,
            "quick": self.quick,
            "scale": self.scale,
            "machine": self.machine,
            "generated": self.generated,
            "results": [result.as_dict() for result in self.results],
        }


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM, Python and SQLite versions of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb: float | None = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "system": f"{platform.system()} {platform.release()}",
        "load": round(os.getloadavg()[0], 2),
    }


def write_json(report: Report, path: Path) -> None:
    """Write the report as JSON."""
    path.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")


def write_docs(report: Report, path: Path | None = None, section: str | None = None) -> Path:
    """Rewrite the results page (``docs/benchmarks.md`` by default); its path.

    With ``section`` (a run of ``--only NAME``), only that section of the page is
    written — replaced if there, else added before "Reproduce" — and the rest kept.
    """
    path = path or DOCS_PAGE
    if section is not None and path.exists():
        return _write_section(report, path, section)
    path.parent.mkdir(parents=True, exist_ok=True)
    info = report.machine
    scale = ", ".join(f"{table} {count:,}" for table, count in report.scale.items())
    lines = [
        "# Benchmarks",
        "",
        "Written by `pos bench run` (do not edit by hand). Targets are those of issue 8.",
        "",
        f"Run at {report.started} on: {info['cpu']}, {info['cores']} cores, "
        f"{info['ram_gb']} GB RAM, {info['system']}, Python {info['python']}, "
        f"SQLite {info['sqlite']}.",
        "",
        f"Database: {scale}.",
    ]
    if "load" in info:
        lines += [
            "",
            f"Load average (1 min) at the start {info['load']:g}"
            + (f", at the end {info['load_end']:g}" if "load_end" in info else "")
            + f" on {info['cores']} cores: above about 1, other processes shared the CPU "
            "during the run and the tail latencies (p95, p99) are noisy.",
        ]
    generated = report.generated
    if generated:
        lines += [
            "",
            f"`pos bench generate` built it in {generated['seconds']:.0f} s "
            f"(seed {generated['seed']}; members {generated['members']:,}, products "
            f"{generated['products']:,}, sales {generated['sales']:,}).",
        ]
    lines += [
        "",
        report.table(),
        "",
        "Times are wall-clock milliseconds per operation after a warm-up; ratio is the",
        "median over the floor's median: for lookups the same query in plain `sqlite3`,",
        "the two timed in turns on each argument; for screen figures a bare Textual app",
        "(an Input and a DataTable, Enter appends a row) measured the same way in the same",
        'run (its rows are marked "floor"). Lookups run inside one open session, as in a',
        "register action.",
        "",
        "## Reproduce",
        "",
        "```sh",
        ".venv/bin/pos bench generate --db /tmp/bench.db",
        ".venv/bin/pos bench run --db /tmp/bench.db --json /tmp/bench.json",
        "```",
        "",
    ]
    path.write_text("\n".join(lines))
    return path


def _write_section(report: Report, path: Path, section: str) -> Path:
    """Put ``report``'s rows in the page's section ``section`` (between two markers)."""
    begin, end = f"<!-- {section}: begin -->", f"<!-- {section}: end -->"
    info = report.machine
    block = "\n".join(
        [
            begin,
            f"## Rows of `pos bench run --only {section}`",
            "",
            f"Run at {report.started}; load average (1 min) at the start {info.get('load', 0):g}"
            + (f", at the end {info['load_end']:g}" if "load_end" in info else "")
            + f" on {info['cores']} cores.",
            "",
            report.table(),
            end,
        ]
    )
    page = path.read_text()
    if begin in page and end in page:
        page = page[: page.index(begin)] + block + page[page.index(end) + len(end) :]
    elif "## Reproduce" in page:
        at = page.index("## Reproduce")
        page = page[:at] + block + "\n\n" + page[at:]
    else:
        page = page.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(page)
    return path


class ProgressLine:
    """A one-line progress report on stderr: counts and rate, redrawn with ``\\r``."""

    def __init__(self, label: str, total: int, stream: Any = None) -> None:
        self.label, self.total = label, total
        self.stream = stream or sys.stderr
        self.start = self.last = time.perf_counter()

    def update(self, done: int, final: bool = False) -> None:
        """Redraw (at most five times a second, and always at the end)."""
        now = time.perf_counter()
        if not final and now - self.last < 0.2:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        end = "\n" if final else ""
        self.stream.write(
            f"\r{self.label}: {done:,}/{self.total:,} ({rate:,.0f}/s, {now - self.start:.1f} s)"
            + end
        )
        self.stream.flush()
