"""What every file import shares: reading CSV rows, the report, describing it, and
committing its writes in short chunks.

Every row is checked first; any bad row stops the whole import unless
``skip_bad`` is set, in which case the good rows go in and the bad are reported.
Only then are the rows written, in transactions of about :data:`CHUNK_SECONDS`
each (:class:`Chunks`), so a register selling beside a long import waits a
moment at most. An import stopped midway can be run again: every import is
keyed (SKU, lot, card number, sale number…) and updates or skips what is stored.
"""

from __future__ import annotations

import csv
import io
import itertools
import multiprocessing
import os
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import KW_ONLY, dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Protocol

from sqlalchemy import Column, Table
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.sales.codes import InputError
from pos.i18n import _, ngettext
from pos.store.db import IMMEDIATE, indexes_away, restore_indexes

CSV_FIELD_LIMIT = 64 * 1024
"""The longest CSV cell (characters) an import reads; a longer one is a line-numbered error."""
CHUNK_SECONDS = 0.1
"""How long one chunk of an import's writes may hold the database's write lock."""
CHUNK_PAUSE = 0.02
"""The pause after each chunk's commit, in which a waiting register takes the lock."""
QUIET_CHUNK_SECONDS = 0.5
"""How long a chunk may hold the lock while no register writes (:meth:`Chunks.stretch`):
a register that starts selling waits that long at most, once."""
PARTS = min(2, os.cpu_count() or 1)
"""The most parts a big file is checked in at once (each but the first in a child
process): two where there are two processors (a third would wait for the first's joining
of the others' results)."""
BLOCK = 1024 * 1024
"""Bytes read at a time while counting quotes or line ends before a part's start."""


MAX_PRINTED_ERRORS = 100
"""Bad rows printed on the terminal; the rest are counted (all go to ``--errors FILE``)."""
ERROR_COLUMNS = ("line", "field", "value", "message")
"""The columns of an errors file (``pos import … --errors FILE``)."""


@dataclass(frozen=True)
class RowError:
    """A bad row: its line number in the file and why; the field and its (masked)
    value when one field is to blame."""

    line: int
    reason: str
    _: KW_ONLY
    field: str = ""
    value: str = ""

    def __str__(self) -> str:
        return _("line {line}: {reason}").format(line=self.line, reason=self.reason)


@dataclass
class ImportReport:
    """What an import did, or would have done."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    applied: bool = False


class Progress(Protocol):
    """Where a long import tells how far it is (``pos.cli.progress.Progress`` draws it)."""

    def start(self, label: str, total: int | None) -> None:
        """A new stage of ``total`` rows (None: not known) begins."""

    def advance(self, rows: int) -> None:
        """``rows`` more are done."""


class FieldError(InputError):
    """A field's value is wrong: the message, the field and its value (masked if personal)."""

    def __init__(self, message: str, field: str, value: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


@contextmanager
def checking(field: str, value: str, mask: Callable[[str], str] | None = None) -> Iterator[None]:
    r"""An :class:`InputError` raised inside names ``field`` and its value (``mask``\ ed)."""
    try:
        yield
    except FieldError:
        raise
    except InputError as exc:
        raise FieldError(str(exc), field, mask(value) if mask else value) from None


def row_error(line: int, exc: InputError) -> RowError:
    """The :class:`RowError` of a row that raised ``exc`` (with its field, if it names one)."""
    if isinstance(exc, FieldError):
        return RowError(line, str(exc), field=exc.field, value=exc.value)
    return RowError(line, str(exc))


def write_errors(errors: list[RowError], path: Path) -> None:
    """Every bad row to a UTF-8 CSV (BOM, for spreadsheets): line, field, value, message."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(ERROR_COLUMNS)
        writer.writerows((e.line, e.field, e.value, e.reason) for e in errors)


def printed_errors(errors: list[RowError]) -> Iterator[str]:
    """The first :data:`MAX_PRINTED_ERRORS` bad rows, then how many more there are."""
    yield from (str(error) for error in errors[:MAX_PRINTED_ERRORS])
    if len(errors) > MAX_PRINTED_ERRORS:
        more = len(errors) - MAX_PRINTED_ERRORS
        yield ngettext(
            "… and {n} more bad row (all of them: --errors FILE)",
            "… and {n} more bad rows (all of them: --errors FILE)",
            more,
        ).format(n=f"{more:,}")


class FileFormatError(InputError):
    """The file as a whole cannot be read (encoding, header)."""


class Chunks:
    """Commits a bulk writer's session every :data:`CHUNK_SECONDS` of holding the lock.

    The writer calls :meth:`checkpoint` after each row (or batch) it wrote; without
    a session (``Chunks()``) nothing is committed and the caller commits once, as the
    demo store's loader does.
    """

    def __init__(
        self,
        session: Session | None = None,
        seconds: float = CHUNK_SECONDS,
        pause: float = CHUNK_PAUSE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._seconds = seconds
        self._pause = pause
        self._clock = clock
        self._since = clock()
        self.commits = 0
        self._base = seconds
        self._longest = seconds
        self._version: object = None

    @property
    def seconds(self) -> float:
        """How long the chunk under way may hold the write lock (:meth:`stretch`)."""
        return self._seconds

    @property
    def commits_itself(self) -> bool:
        """Whether it commits the writes (else the caller commits them all at once)."""
        return self._session is not None

    @property
    def pause(self) -> float:
        """Seconds each :meth:`commit` waits after committing (the lock is free meanwhile)."""
        return self._pause if self._session is not None else 0.0

    def checkpoint(self, committed: Callable[[], None] | None = None) -> None:
        """Commit if this chunk has held the write lock long enough (``committed``: as
        :meth:`commit` calls it)."""
        if self._session is not None and self._clock() - self._since >= self._seconds:
            self.commit(committed)

    def commit(self, committed: Callable[[], None] | None = None) -> None:
        """Commit now and give a waiting writer its turn (the next chunk begins anew).

        ``committed`` is called at once after the commit, before the next chunk's
        transaction begins (not at all without a session).
        """
        if self._session is None:
            return
        self._session.commit()
        self.commits += 1
        if committed is not None:
            committed()
        time.sleep(self._pause)
        if self._longest > self._base:
            self._seconds = self._next_seconds()
        self._since = self._clock()

    def stretch(self, longest: float) -> None:
        """Let a chunk hold the lock up to ``longest`` seconds while no one else writes.

        After each commit and its pause, a chunk may hold twice as long as the one before
        (at most ``longest``) if no other connection has committed since the last
        commit; as soon as one has (a register selling saves its cart at each scan),
        chunks are back to their first length. Fewer commits, each one waiting on the
        disk, make a long import faster on a quiet store. Without a session (the caller
        commits once, :data:`UNCHUNKED`): nothing changes.
        """
        if self._session is not None:
            self._longest = max(longest, self._base)

    def _next_seconds(self) -> float:
        assert self._session is not None
        connection = self._session.connection()  # the next chunk's transaction begins
        if connection.dialect.name != "sqlite":
            return self._base
        version = (id(connection.connection.dbapi_connection), connection.exec_driver_sql(
            "PRAGMA data_version"  # changes when another connection commits
        ).scalar())  # fmt: skip
        quiet = version == self._version
        self._version = version
        return min(self._seconds * 2, self._longest) if quiet else self._base


UNCHUNKED = Chunks()
"""For a caller that commits the whole import itself."""


@contextmanager
def chunked(sessions: sessionmaker[Session]) -> Iterator[tuple[Session, Chunks]]:
    """A writing session and its :class:`Chunks`; what is left is committed at the end.

    An exception rolls back only the chunk under way: the ones before it are
    stored, and running the import again skips or updates them (imports are keyed).
    """
    with sessions(execution_options={IMMEDIATE: True}) as session:
        chunks = Chunks(session)
        yield session, chunks
        session.commit()


_MEMO = 65_536
"""Encoded values remembered per column, at most."""


def defaulted_columns(table: Table, named: set[str]) -> list[Column[Any]]:
    """The columns of ``table`` not ``named`` that have a default, which a bulk insert
    writes as the ORM would; each default must be a constant."""
    rest = [
        column
        for column in table.c
        if column.name not in named and column.default is not None and not column.primary_key
    ]
    if any(not getattr(column.default, "is_scalar", False) for column in rest):
        raise ValueError(f"{table.name}: give every column whose default is computed")
    return rest


class Inserts:
    """Bulk INSERTs of one table on the session's connection, as Core's ``insert()``
    executemany would write them, at a fraction of its cost per row.

    A row is a mapping or a tuple of the ``names`` columns' values; each value is
    encoded by its column's type for the database (once per distinct value: dates,
    times and flags repeat), and the columns not named take their default.
    """

    def __init__(self, session: Session, table: Table, names: Sequence[str]) -> None:
        self._session = session
        dialect = session.get_bind().dialect
        self._names = tuple(names)
        self._encoders = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        ]
        rest = defaulted_columns(table, set(names))
        defaults = [getattr(column.default, "arg", None) for column in rest]
        encoders = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in rest]
        self._defaults = tuple(
            value if encoder is None else encoder(value)
            for value, encoder in zip(defaults, encoders, strict=True)
        )
        columns = [*names, *(column.name for column in rest)]
        self._sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        self._memo: list[dict[Any, Any]] = [{} for _name in names]

    def insert(self, rows: Sequence[dict[str, Any] | tuple[Any, ...]]) -> None:
        """Insert ``rows`` (one executemany)."""
        if not rows:
            return
        values_of = itemgetter(*self._names)
        coded = [
            (index, encoder, memo)
            for index, (encoder, memo) in enumerate(zip(self._encoders, self._memo, strict=True))
            if encoder is not None
        ]
        for _index, _encoder, memo in coded:
            if len(memo) > _MEMO:  # times to the second hardly repeat: keep memory flat
                memo.clear()
        defaults = self._defaults
        encoded = []
        for row in rows:
            values = list(row) if isinstance(row, tuple) else list(values_of(row))
            for index, encoder, memo in coded:
                value = values[index]
                try:
                    values[index] = memo[value]
                except KeyError:
                    memo[value] = values[index] = encoder(value)
            values.extend(defaults)
            encoded.append(tuple(values))
        self._session.connection().exec_driver_sql(self._sql, encoded)


WAL_PAGES = 16_384
"""The write-ahead log's pages (64 MB) between two checkpoints while an import writes.

SQLite's own 1,000 would checkpoint at every chunk's commit: each chunk adds a row to
a page of nearly every leaf of the indexes on random keys (card, phone, name), and each
checkpoint copied all of those pages into the database again. With the log this long, a
page changed by many chunks is copied once per checkpoint; a register reading meanwhile
finds a page in the log's index (a hash table) as fast."""


@contextmanager
def write_cache(session: Session, kilobytes: int, wal_pages: int = WAL_PAGES) -> Iterator[None]:
    """The session's connection with a page cache of ``kilobytes`` and a checkpoint every
    ``wal_pages`` pages of the log, both as they were after (even when the import fails:
    the pool keeps the connection): the import's last commit checkpoints what is left.

    An import that adds rows to indexes on random keys touches a page of nearly every
    leaf in each chunk: with SQLite's own 2 MB cache those pages are read again and again,
    and with its own 1,000-page log every commit checkpoints them all into the database.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    before = int(raw.execute("PRAGMA cache_size").fetchone()[0])
    pages = int(raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
    raw.execute(f"PRAGMA cache_size = -{int(kilobytes)}")
    raw.execute(f"PRAGMA wal_autocheckpoint = {int(wal_pages)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {before}")
        raw.execute(f"PRAGMA wal_autocheckpoint = {pages}")


@contextmanager
def indexes_dropped(session: Session, chunks: Chunks, names: Sequence[str]) -> Iterator[None]:
    """The indexes ``names`` dropped while the body writes, and built again at its end.

    Adding a row to an index on a random key (a name) touches a random leaf page: a
    chunk of a big import dirties a page of nearly every leaf, written to the log and
    checkpointed again at every commit. Building the index once at the end sorts the
    keys instead, one index per chunk. The indexes come back when the body ends, even by
    an exception (the chunk under way is then rolled back first, as it would be anyway);
    a killed import leaves them to the store's next open
    (:func:`pos.store.db.indexes_away`). Meanwhile a register still finds members by
    those keys, reading the table through.

    Only for an import that commits in ``chunks``: with a caller that commits once,
    nothing is dropped (nor with no ``names``).
    """
    connection = session.connection()
    path = connection.engine.url.database
    if not names or not chunks.commits_itself or connection.dialect.name != "sqlite" or not path:
        yield
        return
    with indexes_away(Path(path)):
        for name in names:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        try:
            yield
        except BaseException:
            session.rollback()
            restore_indexes(session.connection(), names)
            session.commit()
            raise
        chunks.commit()
        for name in names:  # a chunk each: a register waiting gets its turn between them
            restore_indexes(session.connection(), (name,))
            chunks.commit()


def part_bounds(
    path: Path,
    parts: int,
    least: int,
    first_share: float,
    record_start: Callable[[BinaryIO, int], int],
) -> list[tuple[int, int]]:
    """The byte ranges ``[start, end)`` a file is checked in, each starting a record: one
    per ``least`` bytes (at least one, at most ``parts``), the first ``first_share`` as
    long as each other (this process then joins the others' results while they would still
    be checking). ``record_start`` gives the first record's start at or after an offset
    (the file open at hand)."""
    size = path.stat().st_size
    count = min(parts, max(1, size // least))
    shares = first_share + count - 1
    bounds = [0]
    with path.open("rb") as handle:
        for part in range(1, count):
            split = int(size * (first_share + part - 1) / shares)
            at = record_start(handle, max(split, bounds[-1]))
            if bounds[-1] < at < size:
                bounds.append(at)
    return list(itertools.pairwise([*bounds, size]))


def next_line(handle: BinaryIO, at: int) -> int:
    """The start of the first line after the one under way at ``at`` (for
    :func:`part_bounds`; the file's end if none)."""
    handle.seek(at)
    handle.readline()  # on to the end of the line under way
    return handle.tell()


def next_csv_record(handle: BinaryIO, at: int) -> int:
    """The start of the first CSV record after the line under way at ``at``: after the
    first line end outside a quoted cell (for :func:`part_bounds`; the file's end if none).

    A quoted cell may hold a line break; inside one, quotes are doubled (RFC 4180), so an
    odd count of ``"`` before a position says it is inside a quoted cell.
    """
    inside = count_before(handle, at, b'"') % 2 == 1
    handle.seek(at)
    for line in iter(handle.readline, b""):
        inside ^= line.count(b'"') % 2 == 1
        if not inside and line.endswith(b"\n"):
            break
    return handle.tell()


def count_before(handle: BinaryIO, at: int, byte: bytes) -> int:
    """How many times ``byte`` is in the file's first ``at`` bytes."""
    handle.seek(0)
    count, left = 0, at
    while left > 0 and (block := handle.read(min(BLOCK, left))):
        count += block.count(byte)
        left -= len(block)
    return count


class Children:
    """Child processes checking the later parts of a file while this one checks the first.

    Each runs ``work(*job)`` for one job and sends back what it returns, or the exception
    it raised (:meth:`results` raises it here). Leaving the ``with`` block ends every child
    still running (an import that fails leaves none behind).
    """

    def __init__(self, work: Callable[..., Any], jobs: Iterable[tuple[Any, ...]]) -> None:
        self._work = work
        self._jobs = list(jobs)
        self._running: list[tuple[BaseProcess, Connection]] = []

    def __enter__(self) -> Children:
        context = (
            multiprocessing.get_context("fork")  # what the work needs is not pickled
            if "fork" in multiprocessing.get_all_start_methods()
            else multiprocessing.get_context("spawn")
        )
        try:
            for job in self._jobs:
                receiver, sender = context.Pipe(duplex=False)
                child = context.Process(target=_child, args=(self._work, job, sender), daemon=True)
                child.start()
                sender.close()
                self._running.append((child, receiver))
        except BaseException:
            self.__exit__(None, None, None)  # the children started end
            raise
        return self

    def results(self) -> Iterator[Any]:
        """What each child's work returned, in the order of the jobs (each waited for)."""
        for child, receiver in self._running:
            found = receiver.recv()  # EOFError if the child died without a word
            child.join()
            if isinstance(found, BaseException):
                raise found
            yield found

    def __exit__(
        self,
        _kind: type[BaseException] | None,
        _exc: BaseException | None,
        _trace: TracebackType | None,
    ) -> None:
        for child, receiver in self._running:
            receiver.close()
            if child.is_alive():
                child.terminate()
            child.join()


def _child(work: Callable[..., Any], job: tuple[Any, ...], results: Connection) -> None:
    """In a child process: ``work(*job)``, its result (or exception) sent back."""
    try:
        results.send(work(*job))
    except BaseException as exc:  # handed to the parent, which raises it
        results.send(exc)
    finally:
        results.close()


Source = bytes | Path
"""What an import reads: the file's bytes, or its path (streamed, never read whole)."""


@dataclass(frozen=True)
class CsvPart:
    """The part of a CSV file read: its bytes ``[start, end)`` (whole records; ``end``
    None: to the file's end), and, for a part after the first, the header's columns (read
    by the first part: such a part has no header row)."""

    start: int = 0
    end: int | None = None
    header: tuple[str, ...] | None = None


WHOLE = CsvPart()
"""The whole file, its header first."""


def read_rows(
    data: Source,
    columns: tuple[str, ...],
    report: ImportReport,
    optional: tuple[str, ...] = (),
    part: CsvPart = WHOLE,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV (BOM allowed) as dicts with their line numbers.

    Every one of ``columns`` must be in the header; ``optional`` columns may be,
    and a row has a key for each of them only when the header has it. A path is
    read a line at a time: the memory used does not grow with the file. Only the rows
    of ``part`` are read, numbered by their lines in the whole file (and a bad byte by its
    offset in it).
    """
    with ExitStack() as stack:
        stream = (
            stack.enter_context(data.open("rb")) if isinstance(data, Path) else io.BytesIO(data)
        )
        before = count_before(stream, part.start, b"\n") if part.start else 0
        lines = _span(stream, part.start, part.end)
        reader = csv.reader(_decoded(lines, part.start))
        if part.header is None:
            header = _header(reader, columns, report, optional)
        else:
            header = list(part.header)
        yield from _rows(reader, header, report, before)


def csv_header(data: Source) -> tuple[str, ...]:
    """The columns of a CSV file's header row, as :func:`read_rows` reads them (for a part
    after the first: :attr:`CsvPart.header`); empty for an empty file."""
    with ExitStack() as stack:
        stream = (
            stack.enter_context(data.open("rb")) if isinstance(data, Path) else io.BytesIO(data)
        )
        records = _records(csv.reader(_decoded(_span(stream, 0, None), 0)), 0)
        return tuple(name.strip().lower() for name in next(records, []))


def _span(stream: BinaryIO, start: int, end: int | None) -> Iterator[bytes]:
    """The stream's lines from ``start`` (a line start) up to ``end`` (one too, or None)."""
    stream.seek(start)
    done = start
    for raw in stream:
        if end is not None and done >= end:
            return
        done += len(raw)
        yield raw


def _header(
    reader: Any, columns: tuple[str, ...], report: ImportReport, optional: tuple[str, ...]
) -> list[str]:
    """The header row's columns, each of ``columns`` among them (an unknown one warned of)."""
    try:
        header = [name.strip().lower() for name in next(_records(reader, 0))]
    except StopIteration:
        raise FileFormatError(_("The file is empty: a header row is needed")) from None
    missing = [name for name in columns if name not in header]
    if missing:
        raise FileFormatError(
            _("Missing column(s): {missing}; expected {expected}").format(
                missing=", ".join(missing), expected=",".join(columns)
            )
        )
    extra = [name for name in header if name not in columns and name not in optional]
    if extra:
        report.warnings.append(
            _("Ignoring unknown column(s): {extra}").format(extra=", ".join(extra))
        )
    return header


def _rows(
    reader: Any, header: list[str], report: ImportReport, before: int
) -> Iterator[tuple[int, dict[str, str]]]:
    """The records after the header's as rows (``before``: the file's lines before the
    reader's first)."""
    end = reader.line_num
    for record in _records(reader, before):
        # a quoted cell may span lines: report the first
        line, end = before + end + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            report.errors.append(
                RowError(
                    line,
                    _("{found} fields, the header has {expected}").format(
                        found=len(record), expected=len(header)
                    ),
                )
            )
            continue
        yield line, {name: cell.strip() for name, cell in zip(header, record, strict=True)}


def _decoded(lines: Iterable[bytes], offset: int) -> Iterator[str]:
    """The lines (from the file's byte ``offset``) as text; a byte that is not UTF-8 is
    named by its offset in the file."""
    for raw in lines:
        try:
            yield raw.decode("utf-8-sig" if offset == 0 else "utf-8")
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                _("The file is not UTF-8 (byte {at}); save it as UTF-8 CSV").format(
                    at=offset + exc.start
                )
            ) from None
        offset += len(raw)


def _records(reader: Any, before: int) -> Iterator[list[str]]:
    """The reader's records, with every cell at most :data:`CSV_FIELD_LIMIT` characters
    (``before``: the file's lines before the reader's first).

    A longer cell ends the reading (the reader cannot resume after it) with an
    error naming its line, whatever ``skip_bad`` says.
    """
    if csv.field_size_limit() < CSV_FIELD_LIMIT + 1:
        csv.field_size_limit(CSV_FIELD_LIMIT + 1)  # the limit itself is enforced here
    line = 0
    try:
        while True:
            line = before + reader.line_num + 1
            record: list[str] = next(reader)
            if record and max(map(len, record)) > CSV_FIELD_LIMIT:
                raise _too_long(line)
            yield record
    except StopIteration:
        return
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _too_long(line) from None
        raise FileFormatError(
            _("line {line}: not a readable CSV line: {error}").format(line=line, error=exc)
        ) from None


def _too_long(line: int) -> FileFormatError:
    return FileFormatError(
        _("line {line}: a field is longer than {limit} KB: nothing imported").format(
            line=line, limit=CSV_FIELD_LIMIT // 1024
        )
    )


def describe(report: ImportReport) -> Iterator[str]:
    """Lines for the terminal: warnings, errors, then what was done."""
    yield from report.warnings
    yield from printed_errors(report.errors)
    if report.applied:
        yield _("{created} created, {updated} updated").format(
            created=report.created, updated=report.updated
        )
    else:
        yield _("Nothing imported: {n} bad row(s); fix them or use --skip-bad").format(
            n=len(report.errors)
        )


def toml_tables(data: bytes, name: str) -> list[Any]:
    """The ``[[name]]`` tables of a UTF-8 TOML file that holds nothing else."""
    try:
        document = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            _("The file is not UTF-8 (byte {at}); save it as UTF-8").format(at=exc.start)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise FileFormatError(_("Not a TOML file: {error}").format(error=exc)) from None
    entries = document.get(name)
    extra = [key for key in document if key != name]
    if not isinstance(entries, list) or extra:
        raise FileFormatError(
            _("The file must hold [[{name}]] tables and nothing else (found {found})").format(
                name=name, found=", ".join(extra) or f"no [[{name}]]"
            )
        )
    return entries
