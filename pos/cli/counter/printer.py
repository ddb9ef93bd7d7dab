"""``pos printer test``: print a test page; :func:`print_now` sends a receipt straight to
the configured printer (also for ``pos reprint``)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from pos.cli.common import EXIT_FAILED, EXIT_OK, Commands
from pos.config import Settings
from pos.i18n import _

if TYPE_CHECKING:
    import printer

NAME = "printer"


def printer_options(common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The parent parser of the commands that print: ``common`` and ``--printer``."""
    with_printer = argparse.ArgumentParser(add_help=False, parents=[common])
    with_printer.add_argument(
        "--printer", metavar="URI", default=argparse.SUPPRESS, help="receipt printer URI"
    )
    return with_printer


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos printer test``."""
    printers = commands.add_parser(NAME, help="the receipt printer")
    what = printers.add_subparsers(dest="what", metavar="WHAT", required=True)
    what.add_parser(
        "test",
        parents=[printer_options(common)],
        help="print a test page (Chinese and English, a QR code, the URI and encoding)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos printer test``."""
    import printer

    page = printer.test_page(settings.printer.uri, settings.printer.encoding)
    return print_now(page, settings)


def print_now(receipt: printer.Receipt, settings: Settings) -> int:
    """Send ``receipt`` straight to the configured printer (``none``: show it).

    "Printed" only when the printer answered its status OK; otherwise the reason.
    """
    import printer

    config = settings.printer
    uri = printer.parse_printer_uri(config.uri)
    if isinstance(uri, printer.NoPrinter):
        print(printer.preview(receipt, printer.columns_for(config.paper_width)))
        return EXIT_OK
    data, substituted = printer.render(
        receipt, config.paper_width, config.encoding, config.chinese_commands
    )
    if substituted:
        print(
            _("The printer cannot print {chars}: a substitute is printed instead").format(
                chars=" ".join(substituted)
            ),
            file=sys.stderr,
        )
    try:
        printer.send(uri, data, config.timeout)  # returns once the printer confirmed it
    except printer.PrinterError as exc:
        print(_("Not printed: {error}").format(error=exc), file=sys.stderr)
        return EXIT_FAILED
    if isinstance(uri, printer.FileUri):
        print(_("Written to {uri} (a file cannot confirm printing)").format(uri=config.uri))
    else:
        print(_("Printed on {uri}").format(uri=config.uri))
    return EXIT_OK
