"""What every file import shares: reading CSV rows, the report, and describing it.

Every row is checked first; any bad row stops the whole import unless
``skip_bad`` is set, in which case the good rows go in and the bad are reported.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pos.i18n import _
from pos.services.codes import InputError


@dataclass(frozen=True)
class RowError:
    """A bad row: its line number in the file and why."""

    line: int
    reason: str

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


class FileFormatError(InputError):
    """The file as a whole cannot be read (encoding, header)."""


def read_rows(
    data: bytes,
    columns: tuple[str, ...],
    report: ImportReport,
    optional: tuple[str, ...] = (),
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV (BOM allowed) as dicts with their line numbers.

    Every one of ``columns`` must be in the header; ``optional`` columns may be,
    and a row has a key for each of them only when the header has it.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            _("The file is not UTF-8 (byte {at}); save it as UTF-8 CSV").format(at=exc.start)
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
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
    end = reader.line_num
    for record in reader:
        line, end = end + 1, reader.line_num  # a quoted cell may span lines: report the first
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


def describe(report: ImportReport) -> Iterator[str]:
    """Lines for the terminal: warnings, errors, then what was done."""
    yield from report.warnings
    yield from (str(error) for error in report.errors)
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
