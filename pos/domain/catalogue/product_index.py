"""Product search from memory: the catalogue's search keys, held by the register.

``LIKE '%…%'`` cannot use an index, so the SQL search (:func:`catalogue.search_statement`)
reads every product: about 25 ms at 50,000 products. This index holds the keys that
search matches (name, English name, pinyin initials and full pinyin, SKU), each column
joined into one string so that Python finds a substring at C speed, and answers with
exactly the SQL search's products in its order:

- matching is SQLite's ``LIKE``: ASCII letters compare case-insensitively, everything
  else exactly (so keys and queries are folded with :func:`fold`, not ``str.lower``);
- barcode prefixes are still asked of the database (an index range for digits);
- ranking and order are those of the SQL statement (rank, name length, SKU).

The index is read lazily, on the first search (about 0.2 s and a few MB at 50,000
products), and read again when the catalogue changed: every search first reads the
product count, the highest id and the newest ``updated_at`` (three index lookups).
"""

from __future__ import annotations

import heapq
import re
import string
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from pos.models import Barcode, Product

_SEP = "\x00"
_SAMPLE = 65_536
"""Characters of a column read to judge how many of its keys hold a needle."""
_PREFIX_END = "\U0010ffff"

_product, _barcode = Product.__table__, Barcode.__table__
_KEYS = (
    select(
        _product.c.id,
        _product.c.sku,
        _product.c.name,
        _product.c.name_en,
        _product.c.pinyin_initials,
        _product.c.pinyin_full,
    )
    .where(_product.c.active.is_(True))
    .order_by(_product.c.id)
)
_VERSION = select(
    select(func.count()).select_from(_product).scalar_subquery(),
    select(func.max(_product.c.id)).scalar_subquery(),
    select(func.max(_product.c.updated_at)).scalar_subquery(),
)
# ``code LIKE 'text%'`` within the one or two index ranges it can match: the text up to
# its first ASCII letter is matched exactly, that letter in either case.
_code = _barcode.c.code
_BARCODES = select(_barcode.c.product_id).where(
    ((_code >= bindparam("upper")) & (_code < bindparam("upper_end")))
    | ((_code >= bindparam("lower")) & (_code < bindparam("lower_end"))),
    _code.like(bindparam("pattern"), escape="\\"),
)


def fold(text: str) -> str:
    """ASCII letters in lower case, nothing else changed: how SQLite's ``LIKE`` compares."""
    if text.isascii():
        return text.lower()
    # bytes.lower() changes ASCII letters only; UTF-8 bytes of other characters are >= 0x80.
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


class _Column:
    """One folded key of every product, joined into one string (``\\0`` between keys)."""

    def __init__(self, values: list[str]) -> None:
        self.starts = array("l", accumulate((len(value) + 1 for value in values), initial=1))
        self.text = _SEP + _SEP.join(values) + _SEP
        self.values = values if any(_SEP in value for value in values) else None
        """Kept only when a key holds the separator (then searched one by one)."""
        self.ascii = self.text.isascii()

    def rows(self, needle: str, prefix: bool = False) -> list[int]:
        """Rows whose key contains ``needle`` (starts with it, with ``prefix``)."""
        containing, starting = self.matches(needle, prefix)
        return starting if prefix else containing

    def matches(self, needle: str, prefix: bool = False) -> tuple[list[int], list[int]]:
        """Rows whose key contains ``needle`` (none with ``prefix``), and those it starts."""
        if self.values is not None:
            starting = [row for row, value in enumerate(self.values) if value.startswith(needle)]
            if prefix:
                return [], starting
            return [row for row, value in enumerate(self.values) if needle in value], starting
        if _SEP in needle or (self.ascii and not needle.isascii()):
            return [], []  # no key holds it
        # Held by a quarter of the keys or more ("g" by most full pinyin), judged by the
        # text's first part: one pass over the keys costs less than each match's row.
        keys, sample = len(self.starts) - 1, min(len(self.text), _SAMPLE)
        held = self.text.count(needle, 0, sample) * len(self.text) / sample
        if not prefix and keys and held * 4 > keys:
            values = self.text[1:-1].split(_SEP)
            containing = [row for row, value in enumerate(values) if needle in value]
            return containing, [row for row in containing if values[row].startswith(needle)]
        # One match per key: the pattern takes the rest of the key with it, so the match
        # found in a key is its first, at the key's start if the key starts with it.
        pattern = re.compile(("\\x00" if prefix else "") + re.escape(needle) + "[^\\x00]*")
        starts, skip = self.starts, 1 if prefix else 0
        containing, starting = [], []
        for match in pattern.finditer(self.text):
            position = match.start() + skip
            row = bisect_right(starts, position) - 1
            if starts[row] == position:
                starting.append(row)
            if not prefix:
                containing.append(row)
        return containing, starting


@dataclass
class _Keys:
    """The search keys of the active products, in one order."""

    ids: array[int]
    """Ascending, so that a product's row is found by bisection."""
    skus: list[str]
    place: array[int]
    """Each row's place when ordered by name length, then SKU."""
    name: _Column
    english: _Column
    initials: _Column
    full: _Column
    sku: _Column

    def rows_of(self, product_ids: Iterable[int]) -> Iterable[int]:
        """The rows of those of ``product_ids`` that are in the index."""
        for product_id in product_ids:
            row = bisect_left(self.ids, product_id)
            if row < len(self.ids) and self.ids[row] == product_id:
                yield row


class ProductIndex:
    """The catalogue's search keys in memory; :meth:`search` finds what the SQL search finds."""

    def __init__(self) -> None:
        self._keys: _Keys | None = None
        self._version: tuple[object, ...] | None = None
        self._lock = threading.Lock()

    def search(self, session: Session, query: str, limit: int = 50) -> list[int]:
        """Ids of the active products matching ``query``, best first (see the module docstring)."""
        text = query.strip()
        if not text:
            return []
        keys = self._current(session)
        lowered = text.lower()
        key = "".join(ch for ch in lowered if ch.isalnum())
        folded, folded_lower, upper = fold(text), fold(lowered), text.upper()
        # The SQL's rank: exact SKU 8, initials or name starting with the query 4 each,
        # English name starting with it 2, initials holding it 2; then shorter names, then
        # SKUs. The best ranked rows first, then the rest by their place in (name length,
        # SKU) order.
        rank: dict[int, int] = {}

        def ranks(rows: list[int], points: int) -> None:
            for row in rows:
                rank[row] = rank.get(row, 0) + points

        names, name_starts = keys.name.matches(folded)
        english, english_starts = keys.english.matches(folded_lower)
        skus = keys.sku.rows(fold(upper), prefix=True)
        found: set[int] = set(names)
        found.update(english, skus, keys.rows_of(self._barcode_products(session, text)))
        ranks([row for row in skus if keys.skus[row] == upper], 8)
        ranks(name_starts, 4)
        ranks(english_starts, 2)
        if key.isascii() and key:
            initials, initials_starts = keys.initials.matches(key)
            found.update(initials, keys.full.rows(key))
            ranks(initials_starts, 4)
            ranks(initials, 2)
        elif key:  # an empty key ranks every row the same
            ranks([row for row in keys.initials.rows(fold(key), prefix=True) if row in found], 4)
        place = keys.place
        ranked = heapq.nsmallest(limit, rank, key=lambda row: (-rank[row], place[row]))
        rest = heapq.nsmallest(limit - len(ranked), found.difference(rank), key=place.__getitem__)
        return [keys.ids[row] for row in ranked + rest]

    def prepare(self, session: Session) -> None:
        """Read the keys now (a worker after the first screen), not at the first search."""
        self._current(session)

    def _current(self, session: Session) -> _Keys:
        """The keys, read again if the catalogue changed since they were read."""
        version = tuple(session.connection().execute(_VERSION).one())
        with self._lock:
            if self._keys is None or version != self._version:
                self._keys = _read(session)
                self._version = version
            return self._keys

    @staticmethod
    def _barcode_products(session: Session, text: str) -> list[int]:
        """Products with a barcode starting with ``text`` (``LIKE 'text%'``)."""
        letter = next((i for i, ch in enumerate(text) if ch in string.ascii_letters), None)
        if letter is None:
            upper = lower = text
        else:
            upper = text[:letter] + text[letter].upper()
            lower = text[:letter] + text[letter].lower()
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = session.connection().execute(
            _BARCODES,
            {
                "upper": upper,
                "upper_end": upper + _PREFIX_END,
                "lower": lower,
                "lower_end": lower + _PREFIX_END,
                "pattern": escaped + "%",
            },
        )
        return list(rows.scalars())


def _read(session: Session) -> _Keys:
    rows = session.connection().execute(_KEYS).all()
    skus: list[str] = [row[1] for row in rows]
    return _Keys(
        ids=array("q", (row[0] for row in rows)),
        skus=skus,
        place=_places([row[2] for row in rows], skus),
        name=_Column([fold(row[2]) for row in rows]),
        english=_Column([fold(row[3]) for row in rows]),
        initials=_Column([fold(row[4]) for row in rows]),
        full=_Column([fold(row[5]) for row in rows]),
        sku=_Column([fold(row[1]) for row in rows]),
    )


def _places(names: Sequence[str], skus: Sequence[str]) -> array[int]:
    """Each row's place in the order of (name length, SKU)."""
    order = sorted(range(len(names)), key=lambda row: (len(names[row]), skus[row]))
    place = array("l", [0]) * len(names)
    for position, row in enumerate(order):
        place[row] = position
    return place
