"""The import rows of ``pos bench run`` (``--only imports`` runs only them).

The chain's files are written from the generated database (members, products,
lots, past sales, and the members again with a bad row in every hundred); each
is imported by ``pos import`` in a child process into a new database, timed with
its peak memory (the child's ``VmHWM``), beside its floor: plain ``sqlite3``
``executemany`` of the same rows, read with the ``csv`` module, into a bare table
of as many columns, in one transaction, measured in the same run.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos.bench.report import Result

BAD_EVERY = 100
"""One members row in this many has a bad phone in the bad-rows file."""


@dataclass(frozen=True)
class Case:
    """One import to time: its kind, file, target seconds (and MB), how to check it."""

    key: str
    name: str
    kind: str
    file: str
    seconds: float
    megabytes: float | None = None
    bad: bool = False


def import_rows(path: Path, quick: bool, sales: int | None = None) -> list[Result]:
    """Every import row, on files written from the database at ``path``.

    ``quick`` takes 20,000 members, 2,000 products and lots, 2,000 sales (a smoke
    run); else every member and product, 50,000 lots, and ``sales`` sales (all by default).
    """
    folder = path.with_name(path.name + ".imports")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        limit = 20_000 if quick else None
        small = 2_000 if quick else None
        counts = {
            "members.csv": _write_members(path, folder / "members.csv", limit, bad=False),
            "members_bad.csv": _write_members(path, folder / "members_bad.csv", limit, bad=True),
            "products.csv": _write_products(path, folder / "products.csv", small),
            "stock.csv": _write_stock(path, folder / "stock.csv", small or 50_000),
            "sales.jsonl": _write_sales(path, folder / "sales.jsonl", small or sales),
        }
        cases = (
            Case("import_members", "import members", "members", "members.csv", 60, 500),
            Case("import_products", "import products", "products", "products.csv", 5),
            Case("import_lots", "import lots (stock)", "stock", "stock.csv", 5),
            Case("import_sales", "import past sales", "sales", "sales.jsonl", 60),
            Case(
                "import_bad", "import members, 1 % bad rows (nothing imported)", "members",
                "members_bad.csv", 60, 500, bad=True,
            ),
        )  # fmt: skip
        results = []
        catalogue = folder / "catalogue.db"
        for case in cases:
            target = catalogue if case.kind in ("products", "stock", "sales") else None
            results.append(_measure(case, folder, counts[case.file], target))
        return results
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _measure(case: Case, folder: Path, rows: int, database: Path | None) -> Result:
    """Import ``case`` in a child process (into ``database``, else a new one) and its floor."""
    target = f"≤ {case.seconds:g} s" + (f", ≤ {case.megabytes:g} MB" if case.megabytes else "")
    result = Result(case.key, f"{case.name}, {rows:,} rows", target, unit="s")
    database = database or folder / f"{case.key}.db"
    file = folder / case.file
    child = _child(["import", case.kind, str(file), "--db", str(database)])
    result.value = round(child["seconds"], 1)
    floor = _floor(file)
    result.ratio = child["seconds"] / floor if floor else None
    stored = _count(database, "member") if case.bad else None
    megabytes = child["peak_mb"]
    result.met = (
        child["seconds"] <= case.seconds
        and (case.megabytes is None or megabytes <= case.megabytes)
        and (child["code"] == 0) != case.bad
        and not stored
    )
    result.note = (
        f"peak {megabytes:.0f} MB; floor (sqlite3 executemany of the rows into a bare "
        f"table) {floor:.1f} s; exit {child['code']}" + (f"; {stored} stored" if case.bad else "")
    )
    return result


def _child(args: list[str]) -> dict[str, Any]:
    """Run ``pos ARGS`` in a child process: its seconds, exit code and peak memory (MB)."""
    code = f"from pos.bench.imports import child_main; child_main({args!r})"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=3600
    )
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    found["wall"] = time.perf_counter() - start
    return found


def child_main(args: list[str]) -> None:
    """In the child: ``pos init`` a new database if needed, then time ``pos ARGS``."""
    import contextlib
    import io

    from pos.cli import main

    database = Path(args[args.index("--db") + 1])
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        if not database.exists():
            main(["init", "--db", str(database)])
        if hasattr(os, "sync"):  # what the bench wrote before (its files, the new store) is
            os.sync()  # on disk: the import is timed alone, not beside the kernel writing that
        start = time.perf_counter()
        code = main(args)
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "code": code, "peak_mb": _peak_mb()}))


def _peak_mb() -> float:
    """This process's peak resident memory (``VmHWM``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _floor(file: Path) -> float:
    """Seconds to read ``file``'s rows and ``executemany`` them into a bare table."""
    floor = file.with_suffix(".floor.db")
    floor.unlink(missing_ok=True)
    start = time.perf_counter()
    with sqlite3.connect(floor) as raw:
        if file.suffix == ".jsonl":
            with file.open(encoding="utf-8") as lines:
                raw.execute("CREATE TABLE bare (line TEXT)")
                raw.executemany("INSERT INTO bare VALUES (?)", ((line,) for line in lines))
        else:
            with file.open(encoding="utf-8", newline="") as text:
                reader = csv.reader(text)
                header = next(reader)
                raw.execute(f"CREATE TABLE bare ({', '.join(f'c{i}' for i in range(len(header)))})")
                marks = ", ".join("?" * len(header))
                raw.executemany(f"INSERT INTO bare VALUES ({marks})", reader)
    seconds = time.perf_counter() - start
    floor.unlink(missing_ok=True)
    return seconds


def _count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as raw:
        return int(raw.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _write_csv(path: Path, header: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _limit(limit: int | None) -> str:
    return f" LIMIT {int(limit)}" if limit is not None else ""


def _write_members(source: Path, path: Path, limit: int | None, bad: bool) -> int:
    """The members of ``source`` as a members CSV (``bad``: a bad phone every hundred)."""
    sql = (
        "SELECT id, card_no, phone, name, coalesce(gender, ''), coalesce(birthday, ''), tier, "
        "substr(enrolled_at, 1, 10) FROM member WHERE erased_at IS NULL ORDER BY id" + _limit(limit)
    )
    with sqlite3.connect(source) as raw:
        rows = (
            (card, "12345" if bad and index % BAD_EVERY == 0 else phone, name, gender,
             birthday, tier, member_id % 5000, enrolled)
            for index, (member_id, card, phone, name, gender, birthday, tier, enrolled)
            in enumerate(raw.execute(sql), 1)
        )  # fmt: skip
        header = ["card_no", "phone", "name", "gender", "birthday", "tier", "points"]
        return _write_csv(path, [*header, "enrolled_at"], rows)


def _write_products(source: Path, path: Path, limit: int | None) -> int:
    """The products of ``source`` as a products CSV."""
    sql = (
        "SELECT sku, (SELECT group_concat(code, '|') FROM barcode b WHERE b.product_id = p.id), "
        "name, name_en, spec, manufacturer, unit, category, price_fen, member_price_fen, "
        "drug_class, (SELECT group_concat(ingredient, '|') FROM product_ingredient i "
        "WHERE i.product_id = p.id) FROM product p ORDER BY id" + _limit(limit)
    )
    with sqlite3.connect(source) as raw:
        rows = (
            (sku, codes or "", name, name_en, spec, maker, unit, category, _yuan(price),
             "" if member is None else _yuan(member), drug, ingredients or "")
            for sku, codes, name, name_en, spec, maker, unit, category, price, member, drug,
            ingredients in raw.execute(sql)
        )  # fmt: skip
        header = "sku,barcodes,name,name_en,spec,manufacturer,unit,category,price,member_price"
        return _write_csv(path, [*header.split(","), "drug_class", "ingredients"], rows)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _write_stock(source: Path, path: Path, limit: int | None) -> int:
    """Lots of ``source`` (of the products written: the first ``limit``) as a stock CSV."""
    sql = (
        "SELECT p.sku, l.lot_number, l.expiry, l.quantity FROM lot l JOIN product p "
        "ON p.id = l.product_id WHERE p.id IN (SELECT id FROM product ORDER BY id"
        + _limit(limit)
        + ") ORDER BY l.id"
        + _limit(limit)
    )
    with sqlite3.connect(source) as raw:
        return _write_csv(path, ["sku", "lot", "expiry", "quantity"], raw.execute(sql))


def _write_sales(source: Path, path: Path, limit: int | None) -> int:
    """Past sales of ``source`` as ``pos export sales`` writes them (``limit``: the first)."""
    from pos.store.db import open_database
    from pos.transfer.exports import export_sales_jsonl

    engine, sessions = open_database(source)
    count = 0
    try:
        with sessions() as session, path.open("w", encoding="utf-8") as file:
            for line in export_sales_jsonl(session):
                file.write(line)
                count += 1
                if limit is not None and count >= limit:
                    break
    finally:
        engine.dispose()
    return count
