"""``pos bench generate``: a chain-scale store database with realistic data.

Products have Chinese names composed from brands, modifiers and base products
(pinyin keys computed once per part), valid EAN-13 barcodes with prefix 69x and
lots with expiries. Members have unique mainland mobiles, EAN-13 card numbers
with prefix 29 and name initials. Past sales hold 1–5 lines, with a few strong
pairs (a cold remedy and vitamin C …) so that mining finds rules.

Rows go in through Core ``insert`` in batches of 10,000 on the generator's own
engine, with ``PRAGMA synchronous=OFF`` for that engine only.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, event, func, insert, select
from stdnum import ean

from pos.bench.report import ProgressLine
from pos.bench.vocabulary import (
    BASES,
    BRANDS,
    GIVEN,
    MODIFIERS,
    PAIRS,
    PHONE_PREFIXES,
    SPECS,
    SURNAMES,
    TENDERS,
    UNITS,
)
from pos.domain.catalogue import pinyin
from pos.domain.members.members import CARD_PREFIX, is_card_no, normalize_phone
from pos.models import (
    Barcode,
    Base,
    Lot,
    Member,
    Payment,
    Product,
    ProductIngredient,
    Sale,
    SaleLine,
    SaleLineLot,
)
from pos.store.db import make_engine, open_database

BATCH = 10_000
SALES_PER_TRANSACTION = 200_000
REGISTERS = ("01", "02", "03", "04")


@dataclass
class Counts:
    """How many rows of each kind were written."""

    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, count: int) -> None:
        """Count ``count`` more rows of ``table``."""
        self.rows[table] = self.rows.get(table, 0) + count


class _Keys:
    """Pinyin initials and full pinyin, computed once per distinct part."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, str]] = {}

    def __call__(self, *parts: str) -> tuple[str, str]:
        initials, full = [], []
        for part in parts:
            keys = self._cache.get(part)
            if keys is None:
                keys = self._cache[part] = (pinyin.initials(part), pinyin.full(part))
            initials.append(keys[0])
            full.append(keys[1])
        return "".join(initials), "".join(full)


def ean13(body: str) -> str:
    """``body`` (12 digits) with its EAN-13 check digit."""
    return body + ean.calc_check_digit(body)


@dataclass(frozen=True)
class Item:
    """What a sale line needs of a product (its first lot included)."""

    id: int
    sku: str
    name: str
    spec: str
    barcode: str
    price_fen: int
    lot_id: int
    lot_number: str
    expiry: date


def _flush(
    connection: Connection, model: type[Base], rows: list[dict[str, Any]], counts: Counts
) -> None:
    """Insert ``rows`` into ``model``'s table in one executemany, and empty the list."""
    if rows:
        connection.execute(insert(model), rows)
        counts.add(str(model.__tablename__), len(rows))
        rows.clear()


def generate_products(
    connection: Connection, count: int, rng: random.Random, today: date, counts: Counts
) -> tuple[list[Item], dict[str, list[int]]]:
    """Products, barcodes, ingredients and lots; the sale items and product indexes by base."""
    keys = _Keys()
    codes = rng.sample(range(10**10), count + count // 10 + 1)
    tables: dict[str, type[Base]] = {
        model.__name__: model for model in (Product, Barcode, ProductIngredient, Lot)
    }
    batches: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
    items: list[Item] = []
    by_base: dict[str, list[int]] = {}
    lot_id = 0
    now = datetime.now(UTC)
    progress = ProgressLine("products", count)
    for index in range(count):
        product_id = index + 1
        brand, brand_en = BRANDS[rng.randrange(len(BRANDS))]
        modifier, modifier_en = MODIFIERS[rng.randrange(len(MODIFIERS))]
        base = BASES[index % len(BASES)] if index < len(BASES) else rng.choice(BASES)
        base_name, base_en, category, ingredients, drug_class, low, high = base
        initials, full = keys(brand, modifier, base_name)
        name = f"{brand}{modifier}{base_name}"
        spec = rng.choice(SPECS)
        price = rng.randrange(low * 100, high * 100 + 1, 10)
        sku = f"B{product_id:07d}"
        batches["Product"].append(
            {
                "id": product_id, "sku": sku, "name": name,
                "name_en": " ".join(part for part in (brand_en, modifier_en, base_en) if part),
                "spec": spec, "manufacturer": f"{brand}制药有限公司", "unit": rng.choice(UNITS),
                "category": category, "price_fen": price,
                "member_price_fen": price * 9 // 10 if rng.random() < 0.3 else None,
                "drug_class": drug_class, "pinyin_initials": initials, "pinyin_full": full,
                "active": True, "restricted": "", "trace_required": drug_class == "rx",
                "updated_at": now,
            }
        )  # fmt: skip
        barcode = ean13(f"69{codes[index]:010d}")
        batches["Barcode"].append(
            {"code": barcode, "product_id": product_id, "kind": "ean13", "position": 0}
        )
        if index % 10 == 0:
            second = ean13(f"69{codes[count + index // 10]:010d}")
            batches["Barcode"].append(
                {"code": second, "product_id": product_id, "kind": "ean13", "position": 1}
            )
        for position, ingredient in enumerate(filter(None, ingredients.split("|"))):
            batches["ProductIngredient"].append(
                {"product_id": product_id, "ingredient": ingredient, "position": position}
            )
        first: tuple[int, str, date] | None = None
        for lot_no in range(rng.choice((1, 1, 2, 3))):
            lot_id += 1
            expiry = today + timedelta(days=rng.randrange(60, 900))
            number = f"L{expiry:%y%m}{lot_no:02d}{product_id % 1000:03d}"
            batches["Lot"].append(
                {
                    "id": lot_id, "product_id": product_id, "lot_number": number,
                    "expiry": expiry, "quantity": rng.randrange(50, 500),
                }
            )  # fmt: skip
            first = first or (lot_id, number, expiry)
        if rng.random() < 0.05:  # an expired lot left on the shelf
            lot_id += 1
            expired = today - timedelta(days=rng.randrange(1, 200))
            batches["Lot"].append(
                {
                    "id": lot_id, "product_id": product_id, "lot_number": f"X{product_id:07d}",
                    "expiry": expired, "quantity": rng.randrange(1, 20),
                }
            )  # fmt: skip
        assert first is not None
        items.append(Item(product_id, sku, name, spec, barcode, price, *first))
        by_base.setdefault(base_name, []).append(index)
        if len(batches["Product"]) >= BATCH:
            for model_name, rows in batches.items():
                _flush(connection, tables[model_name], rows, counts)
            progress.update(index + 1)
    for model_name, rows in batches.items():
        _flush(connection, tables[model_name], rows, counts)
    progress.update(count, final=True)
    return items, by_base


def member_rows(count: int, rng: random.Random, now: datetime) -> Iterator[dict[str, Any]]:
    """Members with unique valid mobiles and card numbers, names with pinyin initials."""
    keys = _Keys()
    phones = rng.sample(range(len(PHONE_PREFIXES) * 10**8), count)
    cards = rng.sample(range(10**10), count)
    for index in range(count):
        prefix, rest = divmod(phones[index], 10**8)
        phone = f"{PHONE_PREFIXES[prefix]}{rest:08d}"
        surname = SURNAMES[rng.randrange(len(SURNAMES))]
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        enrolled = now - timedelta(days=rng.randrange(1, 3000), seconds=rng.randrange(86_400))
        visited = now - timedelta(days=rng.randrange(0, 400), seconds=rng.randrange(86_400))
        yield {
            "id": index + 1, "card_no": ean13(f"{CARD_PREFIX}{cards[index]:010d}"),
            "phone": phone, "phone_last4": phone[-4:], "name": surname + given,
            "name_initials": keys(surname, given)[0], "gender": rng.choice(("m", "f", None)),
            "birthday": date(rng.randrange(1940, 2008), rng.randrange(1, 13), rng.randrange(1, 29)),
            "tier": rng.choices(("normal", "silver", "gold", "platinum"), (70, 20, 8, 2))[0],
            "enrolled_at": enrolled, "enrolled_store": "001", "enrolled_by": None,
            "consent_terms": True, "consent_marketing": rng.random() < 0.4,
            "consent_health": False, "consents_at": enrolled, "allergies": "", "conditions": "",
            "last_visit_at": visited if rng.random() < 0.8 else None, "updated_at": enrolled,
            "erased_at": None,
        }  # fmt: skip


def check_members(rows: list[dict[str, Any]]) -> None:
    """Validate a sample the way the register does (phones, card numbers)."""
    for row in rows:
        normalize_phone(row["phone"])
        if not is_card_no(row["card_no"]):
            raise ValueError(f"generated an invalid card number {row['card_no']}")


def basket(rng: random.Random, items: int, pairs: list[tuple[int, int]], popular: int) -> list[int]:
    """Product indexes of one basket: 1–5 distinct, some strong pairs, popular products often."""
    size = rng.choices((1, 2, 3, 4, 5), (35, 30, 20, 10, 5))[0]
    chosen: list[int] = []
    if pairs and rng.random() < 0.25:
        first, second = pairs[rng.randrange(len(pairs))]
        chosen.append(first)
        if rng.random() < 0.7:
            chosen.append(second)
    while len(chosen) < size:
        pick = rng.randrange(popular) if rng.random() < 0.6 else rng.randrange(items)
        if pick not in chosen:
            chosen.append(pick)
    return chosen


SaleBatch = tuple[list[dict[str, Any]], ...]
"""Rows of the sale, sale_line, sale_line_lot and payment tables for up to BATCH sales."""


def sale_batches(
    count: int,
    rng: random.Random,
    items: list[Item],
    by_base: dict[str, list[int]],
    members: int,
    zone: ZoneInfo,
    today: date,
) -> Iterator[SaleBatch]:
    """Past sales over the 365 days before ``today`` (lines, lots, payments), in batches."""
    batch: SaleBatch = ([], [], [], [])
    sales, lines, lots, payments = batch
    pairs = [(by_base[a][0], by_base[b][0]) for a, b in PAIRS if a in by_base and b in by_base]
    popular = min(len(items), 1000)
    tender_names = [name for name, _weight in TENDERS]
    tender_weights = [weight for _name, weight in TENDERS]
    days = 365
    line_id = payment_id = done = 0
    for day_index in range(days):
        day = today - timedelta(days=days - day_index)
        start = datetime(day.year, day.month, day.day, 8, tzinfo=zone).astimezone(UTC)
        day_count = count // days + (1 if day_index < count % days else 0)
        offsets = sorted(rng.randrange(14 * 3600) for _ in range(day_count))
        seqs = dict.fromkeys(REGISTERS, 0)
        for offset in offsets:
            done += 1
            register = REGISTERS[done % len(REGISTERS)]
            seqs[register] += 1
            seq = seqs[register]
            member_id = rng.randrange(1, members + 1) if members and rng.random() < 0.4 else None
            total = 0
            for line_no, index in enumerate(basket(rng, len(items), pairs, popular), start=1):
                item = items[index]
                qty = rng.choices((1, 2, 3), (80, 15, 5))[0]
                line_id += 1
                total += qty * item.price_fen
                lines.append(
                    {
                        "id": line_id, "sale_id": done, "line_no": line_no,
                        "product_id": item.id, "sku": item.sku, "barcode": item.barcode,
                        "name": item.name, "spec": item.spec, "qty": qty,
                        "unit_price_fen": item.price_fen, "discount_fen": 0,
                        "total_fen": qty * item.price_fen, "guidance_given": True,
                        "promotion_id": None, "suggested_by": None,
                    }
                )  # fmt: skip
                lots.append(
                    {
                        "id": line_id, "sale_line_id": line_id, "lot_id": item.lot_id,
                        "lot_number": item.lot_number, "expiry": item.expiry, "qty": qty,
                    }
                )  # fmt: skip
            tender = rng.choices(tender_names, tender_weights)[0]
            split = total >= 2000 and rng.random() < 0.1
            parts = [total // 2, total - total // 2] if split else [total]
            change = 0
            for seq_no, amount in enumerate(parts, start=1):
                payment_id += 1
                tendered = None
                if tender == "cash":
                    tendered = -(-amount // 1000) * 1000
                    change += tendered - amount
                payments.append(
                    {
                        "id": payment_id, "sale_id": done, "seq": seq_no, "tender": tender,
                        "amount_fen": amount, "tendered_fen": tendered,
                    }
                )  # fmt: skip
                tender = "wechat" if tender != "wechat" else "alipay"
            sales.append(
                {
                    "id": done, "number": f"S001-{register}-{day:%Y%m%d}-{seq:04d}",
                    "store_code": "001", "register_id": register, "business_date": day,
                    "seq": seq, "cashier": None, "member": None, "member_id": member_id,
                    "points_earned": 0, "points_redeemed": 0,
                    "completed_at": start + timedelta(seconds=offset),
                    "subtotal_fen": total, "discount_fen": 0, "total_fen": total,
                    "change_fen": change,
                }
            )  # fmt: skip
            if len(sales) >= BATCH:
                yield batch
                batch = ([], [], [], [])
                sales, lines, lots, payments = batch
    if sales:
        yield batch


def write_sales(engine: Engine, batches: Iterator[SaleBatch], count: int, counts: Counts) -> None:
    """Insert the sale batches, :data:`SALES_PER_TRANSACTION` sales per transaction."""
    tables: list[type[Base]] = [Sale, SaleLine, SaleLineLot, Payment]
    progress = ProgressLine("sales", count)
    done = 0
    while True:
        written = 0
        with engine.begin() as connection:
            for batch in islice(batches, SALES_PER_TRANSACTION // BATCH):
                done += len(batch[0])
                written += 1
                for table, rows in zip(tables, batch, strict=True):
                    _flush(connection, table, rows, counts)
                progress.update(done)
        if not written:
            break
    progress.update(done, final=True)


def generate(
    path: Path, members: int, products: int, sales: int, seed: int, timezone: str
) -> Counts:
    """Create (or upgrade) the database at ``path`` and fill an empty one; the row counts."""
    migrated, _sessions = open_database(path)
    migrated.dispose()
    engine = make_engine(path)

    def fast(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-400000")
        cursor.close()

    event.listen(engine, "connect", fast)
    rng = random.Random(seed)
    zone = ZoneInfo(timezone)
    now = datetime.now(UTC)
    today = now.astimezone(zone).date()
    counts = Counts()
    try:
        with engine.begin() as connection:
            if connection.scalar(select(func.count()).select_from(Product)):
                raise ValueError(f"{path} already has products: generate into a new file")
            items, by_base = generate_products(connection, products, rng, today, counts)
        progress = ProgressLine("members", members)
        rows = member_rows(members, rng, now)
        with engine.begin() as connection:
            batch: list[dict[str, Any]] = []
            for done, row in enumerate(rows, start=1):
                batch.append(row)
                if len(batch) >= BATCH:
                    if done == BATCH:
                        check_members(batch[:1000])
                    _flush(connection, Member, batch, counts)
                    progress.update(done)
            check_members(batch[:1000])
            _flush(connection, Member, batch, counts)
        progress.update(members, final=True)
        batches = sale_batches(sales, rng, items, by_base, members, zone, today)
        write_sales(engine, batches, sales, counts)
        raw = engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    finally:
        engine.dispose()
    return counts
