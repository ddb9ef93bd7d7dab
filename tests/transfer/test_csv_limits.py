"""CSV cells up to 64 KB are read; a longer one is one line-numbered error, nothing imported."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.cli.common import EXIT_FAILED
from pos.models import Product
from pos.transfer.import_common import CSV_FIELD_LIMIT, FileFormatError, ImportReport, read_rows
from pos.transfer.imports import PRODUCT_COLUMNS
from pos.transfer.member_import import MEMBER_COLUMNS
from tests.catalogue_csv import (
    EAN13_A,
    EAN13_B,
    count,
    load_products,
    product_row,
    products_csv,
    to_csv,
)
from tests.helpers import empty_config


@pytest.mark.parametrize("size", [CSV_FIELD_LIMIT + 1, 200_000])  # past 64 KB, past 128 KB
def test_a_cell_over_the_limit_is_a_line_numbered_error_and_nothing_is_imported(
    sessions: sessionmaker[Session], size: int
) -> None:
    data = products_csv(
        product_row("T001", EAN13_A),  # line 2
        product_row("T002", EAN13_B, name_en="x" * size),  # line 3
    )
    with pytest.raises(FileFormatError, match=r"^line 3: a field is longer than 64 KB"):
        load_products(sessions, data, skip_bad=True)
    assert count(sessions, Product) == 0


def test_the_line_of_a_long_cell_after_a_quoted_multiline_cell(
    sessions: sessionmaker[Session],
) -> None:
    data = products_csv(
        product_row("T001", EAN13_A, name_en="two\nlines"),  # lines 2-3
        product_row("T002", EAN13_B, manufacturer="m" * (CSV_FIELD_LIMIT + 10)),  # line 4
    )
    with pytest.raises(FileFormatError, match=r"^line 4: "):
        load_products(sessions, data)


def test_a_cell_up_to_the_limit_is_read() -> None:
    long = "x" * CSV_FIELD_LIMIT
    data = to_csv(PRODUCT_COLUMNS, product_row("T001", EAN13_A, name_en=long))
    report = ImportReport()
    [(line, row)] = list(read_rows(data, PRODUCT_COLUMNS, report))
    assert line == 2 and row["name_en"] == long and report.errors == []


def test_every_csv_import_shares_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = ",".join(MEMBER_COLUMNS)
    cells = ["x" * (CSV_FIELD_LIMIT + 1)] + [""] * (len(MEMBER_COLUMNS) - 1)
    path = tmp_path / "members.csv"
    path.write_text(header + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    code = main(
        ["import", "members", str(path), "--db", str(tmp_path / "pos.db"),
         "--config", empty_config(tmp_path)]
    )  # fmt: skip
    assert code == EXIT_FAILED
    err = capsys.readouterr().err
    assert err.strip() == f"{path}: line 2: a field is longer than 64 KB: nothing imported"
