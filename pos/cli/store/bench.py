"""``pos bench generate|run``: build a chain-scale database and time the register on it.

A developer tool: its messages are plain English. The benchmark modules are
imported when a command runs, so ``pos --help`` stays quick.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from pos.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Commands
from pos.config import Settings

NAME = "bench"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos bench generate|run`` to the command's subparsers."""
    bench = commands.add_parser(NAME, help="benchmarks: generate a large store, time it")
    what = bench.add_subparsers(dest="what", metavar="WHAT", required=True)
    generate = what.add_parser(
        "generate", parents=[common], help="fill a new database with chain-scale data"
    )
    generate.add_argument("--members", type=int, default=1_260_000, metavar="N")
    generate.add_argument("--products", type=int, default=50_000, metavar="N")
    generate.add_argument("--sales", type=int, default=1_000_000, metavar="N")
    generate.add_argument("--seed", type=int, default=8, metavar="S")
    run = what.add_parser(
        "run", parents=[common], help="time lookups, search, scans, sales, suggestions, start"
    )
    run.add_argument("--json", metavar="FILE", type=Path, help="also write the results as JSON")
    run.add_argument(
        "--quick", action="store_true", help="few repetitions (CI smoke); docs are not written"
    )
    run.add_argument(
        "--only",
        metavar="PART",
        action="append",
        help="measure only PART (repeatable): lookups, search, scans, sale_commit, rebuild, "
        "suggest, daily_report, cold_start, rss, chain_push, imports; their rows replace "
        "their own section of the docs page",
    )
    run.add_argument(
        "--docs",
        metavar="FILE",
        type=Path,
        help="where to write the results page (default: docs/benchmarks.md of the source tree)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos bench …``."""
    if not args.db:
        print("pos bench needs --db PATH", file=sys.stderr)
        return EXIT_USAGE
    path = settings.database_path
    if args.what == "generate":
        return _generate(args, path, settings)
    if not path.exists():
        print(f"No database at {path}: run 'pos bench generate' first", file=sys.stderr)
        return EXIT_FAILED
    from pos.startup import quiet_collector

    with quiet_collector():  # imported as `pos run` imports the register
        from pos.bench.report import write_docs, write_json
        from pos.bench.run import MEASURES, run_all

    unknown = sorted(set(args.only or ()) - {name for name, _measure in MEASURES})
    if unknown:
        print(f"--only: no such part: {', '.join(unknown)}", file=sys.stderr)
        return EXIT_USAGE
    report = run_all(path, settings, quick=args.quick, only=args.only)
    print(report.table())
    if args.json:
        write_json(report, args.json)
        print(f"Results written to {args.json}")
    if not args.quick:
        section = "-".join(args.only) if args.only else None
        docs = write_docs(report, args.docs, section=section)
        print(f"Results page written to {docs}")
    return EXIT_OK


def _generate(args: argparse.Namespace, path: Path, settings: Settings) -> int:
    from pos.bench.generate import generate

    for name in ("members", "products", "sales"):
        if getattr(args, name) < 0:
            print(f"--{name} must not be negative", file=sys.stderr)
            return EXIT_USAGE
    if args.products < 1 and args.sales:
        print("sales need products: give --products 1 or more", file=sys.stderr)
        return EXIT_USAGE
    start = time.perf_counter()
    try:
        counts = generate(
            path, args.members, args.products, args.sales, args.seed, settings.store.timezone
        )
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    elapsed = time.perf_counter() - start
    rows = ", ".join(f"{table} {count:,}" for table, count in counts.rows.items())
    record = {"seconds": round(elapsed, 1), "seed": args.seed, "rows": counts.rows}
    record |= {name: getattr(args, name) for name in ("members", "products", "sales")}
    sidecar = path.with_name(path.name + ".generate.json")
    sidecar.write_text(json.dumps(record, indent=2) + "\n")
    print(f"Generated {path} in {elapsed:.1f} s: {rows}")
    return EXIT_OK
