"""``pos.transfer.imports``: the products CSV contract, on a real SQLite file."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.models import (
    Barcode,
    BarcodeKind,
    DrugClass,
    Product,
    ProductIngredient,
)
from pos.transfer.imports import (
    PRODUCT_COLUMNS,
    FileFormatError,
    RowError,
    import_products,
)
from tests.catalogue_csv import (
    EAN8,
    EAN13_A,
    EAN13_B,
    EAN13_C,
    UPCA,
    barcodes_of,
    count,
    error_lines,
    load_products,
    product,
    product_row,
    products_csv,
    to_csv,
    wrong_check,
)

# -- products: good files --------------------------------------------------


def test_good_file_creates_products_with_all_fields(sessions: sessionmaker[Session]) -> None:
    report = load_products(
        sessions,
        products_csv(
            product_row(
                sku="T001",
                barcodes=f"{EAN13_A}|{EAN8}|{UPCA}|int:ABC123",
                category="Pain_Fever",
                price="12.5",
                member_price="12.00",
                drug_class="otc_a",
                ingredients="Acetaminophen|caffeine",
            ),
            product_row(sku="T002", barcodes="", price="3", drug_class="rx", ingredients=""),
        ),
    )

    assert report.errors == []
    assert report.applied is True
    assert (report.created, report.updated) == (2, 0)
    first = product(sessions, "T001")
    assert first.name == "测试药片"
    assert (first.name_en, first.spec, first.manufacturer, first.unit) == (
        "Test Tablets",
        "10片",
        "测试制药",
        "盒",
    )
    assert first.category == "pain_fever"
    assert (first.price_fen, first.member_price_fen) == (1250, 1200)
    assert first.drug_class is DrugClass.OTC_A
    assert barcodes_of(first) == [
        (EAN13_A, BarcodeKind.EAN13),
        (EAN8, BarcodeKind.EAN8),
        (UPCA, BarcodeKind.UPCA),
        ("ABC123", BarcodeKind.INTERNAL),
    ]
    assert [i.ingredient for i in first.ingredients] == ["acetaminophen", "caffeine"]
    second = product(sessions, "T002")
    assert (second.price_fen, second.member_price_fen) == (300, None)
    assert second.drug_class is DrugClass.RX
    assert second.barcodes == []
    assert second.ingredients == []


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12.5", 1250), ("12.50", 1250), ("12", 1200), ("0.05", 5), ("0", 0)],
)
def test_price_in_yuan_with_up_to_two_decimals(
    sessions: sessionmaker[Session], text: str, fen: int
) -> None:
    report = load_products(sessions, products_csv(product_row(price=text)))

    assert report.errors == []
    assert product(sessions, "T001").price_fen == fen


@pytest.mark.parametrize("drug_class", ["rx", "otc_a", "otc_b", "none"])
def test_each_drug_class_is_accepted(sessions: sessionmaker[Session], drug_class: str) -> None:
    report = load_products(sessions, products_csv(product_row(drug_class=drug_class)))

    assert report.errors == []
    assert product(sessions, "T001").drug_class is DrugClass(drug_class)


def test_pinyin_keys_are_stored(sessions: sessionmaker[Session]) -> None:
    load_products(sessions, products_csv(product_row(name="999感冒灵颗粒")))

    found = product(sessions, "T001")
    assert "gmlkl" in found.pinyin_initials
    assert "ganmaoling" in found.pinyin_full


def test_bom_is_accepted(sessions: sessionmaker[Session]) -> None:
    data = b"\xef\xbb\xbf" + products_csv(product_row())

    report = load_products(sessions, data)

    assert report.errors == []
    assert report.created == 1
    assert product(sessions, "T001").price_fen == 1250


def test_extra_column_is_ignored_with_a_warning(sessions: sessionmaker[Session]) -> None:
    data = to_csv((*PRODUCT_COLUMNS, "supplier_note"), [*product_row(), "call Mr Wang"])

    report = load_products(sessions, data)

    assert report.errors == []
    assert report.created == 1
    assert len(report.warnings) == 1
    assert "supplier_note" in report.warnings[0]
    assert product(sessions, "T001").name == "测试药片"


def test_columns_may_come_in_any_order(sessions: sessionmaker[Session]) -> None:
    header = list(reversed(PRODUCT_COLUMNS))
    data = to_csv(header, list(reversed(product_row(price="7.80"))))

    report = load_products(sessions, data)

    assert report.errors == []
    assert product(sessions, "T001").price_fen == 780


def test_empty_lines_are_skipped_and_still_counted(sessions: sessionmaker[Session]) -> None:
    text = (
        ",".join(PRODUCT_COLUMNS) + "\n"
        + ",".join(product_row(sku="T001")) + "\n"
        + "\n"
        + ",,,,,,,,,,,\n"
        + ",".join(product_row(sku="T002", barcodes=EAN13_B, price="abc")) + "\n"
        + "\n"
    )  # fmt: skip

    report = load_products(sessions, text.encode("utf-8"), skip_bad=True)

    assert error_lines(report) == [5]
    assert report.created == 1
    assert count(sessions, Product) == 1


# -- products: re-import ---------------------------------------------------


def test_reimport_updates_by_sku_without_duplicating(sessions: sessionmaker[Session]) -> None:
    load_products(
        sessions,
        products_csv(
            product_row(
                barcodes=f"{EAN13_A}|{EAN13_B}",
                price="12.50",
                member_price="11",
                ingredients="acetaminophen|caffeine",
            )
        ),
    )

    report = load_products(
        sessions,
        products_csv(
            product_row(
                barcodes=f"{EAN13_B}|{EAN13_C}",
                name="测试药片（新）",
                price="13.00",
                member_price="",
                ingredients="ibuprofen",
            )
        ),
    )

    assert report.errors == []
    assert (report.created, report.updated) == (0, 1)
    assert count(sessions, Product) == 1
    found = product(sessions, "T001")
    assert found.name == "测试药片（新）"
    assert (found.price_fen, found.member_price_fen) == (1300, None)
    assert [code for code, _kind in barcodes_of(found)] == [EAN13_B, EAN13_C]
    assert [i.ingredient for i in found.ingredients] == ["ibuprofen"]
    assert count(sessions, Barcode) == 2
    assert count(sessions, ProductIngredient) == 1


def test_barcode_dropped_on_reimport_can_go_to_another_product(
    sessions: sessionmaker[Session],
) -> None:
    load_products(sessions, products_csv(product_row(sku="T001", barcodes=EAN13_A)))
    load_products(sessions, products_csv(product_row(sku="T001", barcodes=EAN13_B)))

    report = load_products(sessions, products_csv(product_row(sku="T002", barcodes=EAN13_A)))

    assert report.errors == []
    assert barcodes_of(product(sessions, "T002")) == [(EAN13_A, BarcodeKind.EAN13)]


def test_reimport_of_the_same_file_changes_nothing(sessions: sessionmaker[Session]) -> None:
    data = products_csv(product_row(sku="T001"), product_row(sku="T002", barcodes=EAN13_B))
    load_products(sessions, data)

    report = load_products(sessions, data)

    assert (report.created, report.updated) == (0, 2)
    assert count(sessions, Product) == 2
    assert count(sessions, Barcode) == 2


# -- products: bad rows ----------------------------------------------------

BAD_PRODUCT_ROWS = {
    "wrong check digit": (product_row(barcodes=wrong_check(EAN13_A)), "check digit"),
    "wrong check digit ean8": (product_row(barcodes=wrong_check(EAN8)), "check digit"),
    "wrong check digit upca": (product_row(barcodes=wrong_check(UPCA)), "check digit"),
    "bad length 9": (product_row(barcodes="123456789"), "8, 12 or 13 digits"),
    "bad length 14": (product_row(barcodes="69300000000011"), "8, 12 or 13 digits"),
    "letters in barcode": (product_row(barcodes="69300000A0011"), "Not a barcode"),
    "second barcode bad": (
        product_row(barcodes=f"{EAN13_A}|{wrong_check(EAN13_B)}"),
        wrong_check(EAN13_B),
    ),
    "empty internal code": (product_row(barcodes="int:"), "internal code"),
    "negative price": (product_row(price="-1.00"), "negative"),
    "negative member_price": (product_row(member_price="-1"), "negative"),
    "three decimals": (product_row(price="12.345"), "not a price"),
    "letters in price": (product_row(price="abc"), "not a price"),
    "comma decimal": (product_row(price="1,5"), "not a price"),
    "empty price": (product_row(price=""), "not a price"),
    "malformed member_price": (product_row(member_price="1.2.3"), "member_price"),
    "member_price above price": (
        product_row(price="10.00", member_price="10.01"),
        "member_price is higher",
    ),
    "bad drug_class": (product_row(drug_class="prescription"), "drug_class"),
    "empty name": (product_row(name=""), "name is empty"),
    "blank name": (product_row(name="   "), "name is empty"),
    "sku with space": (product_row(sku="T 001"), "bad sku"),
    "empty sku": (product_row(sku=""), "bad sku"),
    "sku starting with dash": (product_row(sku="-T001"), "bad sku"),
    "too few fields": (product_row()[:-1], "11 fields, the header has 12"),
    "too many fields": ([*product_row(), "x"], "13 fields, the header has 12"),
}


@pytest.mark.parametrize(
    ("row", "reason"), list(BAD_PRODUCT_ROWS.values()), ids=list(BAD_PRODUCT_ROWS)
)
def test_bad_product_row_is_reported_and_nothing_imported(
    sessions: sessionmaker[Session], row: list[str], reason: str
) -> None:
    good = product_row(sku="G001", barcodes=EAN13_C)

    report = load_products(sessions, products_csv(good, row))

    assert report.applied is False
    assert error_lines(report) == [3]
    assert reason in report.errors[0].reason
    assert count(sessions, Product) == 0
    assert count(sessions, Barcode) == 0


@pytest.mark.parametrize(
    ("row", "reason"), list(BAD_PRODUCT_ROWS.values()), ids=list(BAD_PRODUCT_ROWS)
)
def test_bad_product_row_is_skipped_with_skip_bad(
    sessions: sessionmaker[Session], row: list[str], reason: str
) -> None:
    good = product_row(sku="G001", barcodes=EAN13_C)

    report = load_products(sessions, products_csv(good, row), skip_bad=True)

    assert report.applied is True
    assert error_lines(report) == [3]
    assert report.created == 1
    with sessions() as session:
        assert list(session.scalars(select(Product.sku))) == ["G001"]


def test_duplicate_sku_in_file(sessions: sessionmaker[Session]) -> None:
    report = load_products(
        sessions,
        products_csv(product_row(sku="T001"), product_row(sku="T001", barcodes=EAN13_B)),
    )

    assert report.errors == [RowError(3, "sku T001 already on line 2")]
    assert report.applied is False
    assert count(sessions, Product) == 0


def test_barcode_used_twice_in_file(sessions: sessionmaker[Session]) -> None:
    report = load_products(
        sessions,
        products_csv(product_row(sku="T001"), product_row(sku="T002", barcodes=EAN13_A)),
    )

    assert report.errors == [RowError(3, f"barcode {EAN13_A} already on line 2")]
    assert report.applied is False
    assert count(sessions, Product) == 0


def test_internal_code_used_twice_in_file(sessions: sessionmaker[Session]) -> None:
    report = load_products(
        sessions,
        products_csv(
            product_row(sku="T001", barcodes="int:X1"),
            product_row(sku="T002", barcodes="int:X1"),
        ),
    )

    assert error_lines(report) == [3]
    assert count(sessions, Product) == 0


def test_same_barcode_twice_in_one_row_is_a_bad_row(sessions: sessionmaker[Session]) -> None:
    report = load_products(sessions, products_csv(product_row(barcodes=f"{EAN13_A}|{EAN13_A}")))

    assert error_lines(report) == [2]
    assert count(sessions, Product) == 0


def test_barcode_owned_by_another_sku_in_db(sessions: sessionmaker[Session]) -> None:
    load_products(sessions, products_csv(product_row(sku="T001", barcodes=EAN13_A)))

    report = load_products(
        sessions,
        products_csv(
            product_row(sku="T002", barcodes=EAN13_B, price="5"),
            product_row(sku="T003", barcodes=f"{EAN13_C}|{EAN13_A}"),
        ),
    )

    assert error_lines(report) == [3]
    assert EAN13_A in report.errors[0].reason
    assert "T001" in report.errors[0].reason
    assert report.applied is False
    with sessions() as session:
        assert list(session.scalars(select(Product.sku))) == ["T001"]
    assert barcodes_of(product(sessions, "T001")) == [(EAN13_A, BarcodeKind.EAN13)]


def test_failed_reimport_leaves_existing_product_unchanged(
    sessions: sessionmaker[Session],
) -> None:
    load_products(sessions, products_csv(product_row(sku="T001", price="12.50")))

    report = load_products(
        sessions,
        products_csv(
            product_row(sku="T001", price="99.00"),
            product_row(sku="T002", barcodes=EAN13_B, price="abc"),
        ),
    )

    assert report.applied is False
    assert product(sessions, "T001").price_fen == 1250


def test_every_bad_row_is_reported_in_line_order(sessions: sessionmaker[Session]) -> None:
    load_products(sessions, products_csv(product_row(sku="OLD", barcodes=EAN13_C)))

    report = load_products(
        sessions,
        products_csv(
            product_row(sku="T001", barcodes=EAN13_C),  # line 2: owned by OLD in the DB
            product_row(sku="T002", barcodes=EAN13_A, price="1,5"),  # line 3
            product_row(sku="T003", barcodes=EAN13_B),  # line 4: good
            product_row(sku="T004", barcodes="", drug_class="x"),  # line 5
            product_row(sku="T003", barcodes=""),  # line 6: duplicate sku
        ),
    )

    assert error_lines(report) == [2, 3, 5, 6]
    assert report.applied is False
    assert count(sessions, Product) == 1


def test_skip_bad_imports_the_good_rows_and_reports_the_rest(
    sessions: sessionmaker[Session],
) -> None:
    report = load_products(
        sessions,
        products_csv(
            product_row(sku="T001", barcodes=EAN13_A),
            product_row(sku="T002", barcodes=wrong_check(EAN13_B)),
            product_row(sku="T003", barcodes=EAN13_C),
            product_row(sku="T004", barcodes="", name=""),
        ),
        skip_bad=True,
    )

    assert report.applied is True
    assert error_lines(report) == [3, 5]
    assert (report.created, report.updated) == (2, 0)
    with sessions() as session:
        assert sorted(session.scalars(select(Product.sku))) == ["T001", "T003"]


# -- products: the file as a whole ------------------------------------------


def test_missing_column_in_header_is_a_file_error(sessions: sessionmaker[Session]) -> None:
    header = [name for name in PRODUCT_COLUMNS if name != "drug_class"]
    data = to_csv(header, product_row()[:-2] + product_row()[-1:])

    with sessions.begin() as session, pytest.raises(FileFormatError, match="drug_class"):
        import_products(session, data)
    assert count(sessions, Product) == 0


def test_non_utf8_bytes_are_a_file_error(sessions: sessionmaker[Session]) -> None:
    data = (",".join(PRODUCT_COLUMNS) + "\n" + ",".join(product_row())).encode("gbk")

    with sessions.begin() as session, pytest.raises(FileFormatError, match="UTF-8"):
        import_products(session, data)
    assert count(sessions, Product) == 0


def test_empty_file_is_a_file_error(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session, pytest.raises(FileFormatError):
        import_products(session, b"")


def test_header_only_imports_nothing(sessions: sessionmaker[Session]) -> None:
    report = load_products(sessions, products_csv())

    assert report.errors == []
    assert report.created == 0
    assert count(sessions, Product) == 0


# -- products: the optional restricted and trace_required columns ----------

SAFETY_HEADER = (*PRODUCT_COLUMNS, "restricted", "trace_required")


def safety_csv(*rows: tuple[list[str], str, str]) -> bytes:
    """A products file with the optional columns: (row, restricted, trace_required)."""
    return to_csv(SAFETY_HEADER, *([*row, restricted, trace] for row, restricted, trace in rows))


def flags(sessions: sessionmaker[Session], sku: str) -> tuple[str, bool]:
    found = product(sessions, sku)
    return found.restricted, found.trace_required


def test_restricted_and_trace_required_are_stored(sessions: sessionmaker[Session]) -> None:
    report = load_products(
        sessions,
        safety_csv(
            (product_row(sku="T001"), "ephedrine", "yes"),
            (product_row(sku="T002", barcodes=EAN13_B), "", "no"),
            (product_row(sku="T003", barcodes=EAN13_C), "Ephedrine_2", ""),
            (product_row(sku="T004", barcodes=""), "", "YES"),
        ),
    )

    assert report.errors == [] and report.warnings == []
    assert flags(sessions, "T001") == ("ephedrine", True)
    assert flags(sessions, "T002") == ("", False)
    assert flags(sessions, "T003") == ("ephedrine_2", False)
    assert flags(sessions, "T004") == ("", True)


def test_without_the_columns_new_products_get_the_defaults(
    sessions: sessionmaker[Session],
) -> None:
    load_products(sessions, products_csv(product_row()))

    assert flags(sessions, "T001") == ("", False)


def test_without_the_columns_reimport_leaves_the_flags_alone(
    sessions: sessionmaker[Session],
) -> None:
    load_products(sessions, safety_csv((product_row(), "ephedrine", "yes")))
    report = load_products(sessions, products_csv(product_row(name="新名字")))

    assert report.updated == 1
    assert product(sessions, "T001").name == "新名字"
    assert flags(sessions, "T001") == ("ephedrine", True)


def test_with_the_columns_reimport_can_clear_the_flags(sessions: sessionmaker[Session]) -> None:
    load_products(sessions, safety_csv((product_row(), "ephedrine", "yes")))
    load_products(sessions, safety_csv((product_row(), "", "")))

    assert flags(sessions, "T001") == ("", False)


def test_only_one_optional_column_may_be_given(sessions: sessionmaker[Session]) -> None:
    load_products(sessions, safety_csv((product_row(), "ephedrine", "yes")))
    data = to_csv((*PRODUCT_COLUMNS, "trace_required"), [*product_row(), "no"])
    load_products(sessions, data)

    assert flags(sessions, "T001") == ("ephedrine", False)


BAD_SAFETY_VALUES = {
    "restricted with space": ("ephedrine class", "yes", "restricted must be a rule name"),
    "restricted with dash": ("ephedrine-class", "", "restricted must be a rule name"),
    "restricted chinese": ("麻黄碱", "", "restricted must be a rule name"),
    "restricted too long": ("x" * 33, "", "restricted must be a rule name"),
    "trace_required true": ("", "true", "trace_required must be yes, no or empty"),
    "trace_required 1": ("", "1", "trace_required must be yes, no or empty"),
    "trace_required 是": ("ephedrine", "是", "trace_required must be yes, no or empty"),
}


@pytest.mark.parametrize(
    ("restricted", "trace", "reason"),
    list(BAD_SAFETY_VALUES.values()),
    ids=list(BAD_SAFETY_VALUES),
)
def test_bad_restricted_or_trace_required_is_a_bad_row(
    sessions: sessionmaker[Session], restricted: str, trace: str, reason: str
) -> None:
    data = safety_csv(
        (product_row(sku="G001", barcodes=EAN13_C), "", ""), (product_row(), restricted, trace)
    )
    report = load_products(sessions, data)

    assert error_lines(report) == [3]
    assert reason in report.errors[0].reason
    assert count(sessions, Product) == 0
