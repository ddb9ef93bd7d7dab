"""The printer's state: ready, or how many receipts wait and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos.app.widgets.plain import Static
from pos.i18n import _, ngettext

if TYPE_CHECKING:  # the register is imported once ready (pos.app.boot)
    from pos.register.api import PrinterStatus


class PrinterStatusBar(Static):
    """One line about the receipt printer; it stands out while receipts wait."""

    DEFAULT_CSS = """
    PrinterStatusBar { height: auto; padding: 0 1; color: $text-muted; }
    PrinterStatusBar.-failing { background: $error 30%; color: $text; text-style: bold; }
    """

    def show(self, status: PrinterStatus) -> None:
        """Show ``status``."""
        if status.uri == "none":
            text = _("Printer: none (receipts on screen only, F7)")
        elif status.error and status.waiting:
            text = ngettext(
                "Printer: {n} receipt waiting: {error}. F11 retries",
                "Printer: {n} receipts waiting: {error}. F11 retries",
                status.waiting,
            ).format(n=status.waiting, error=status.error)
        elif status.waiting:
            text = ngettext(
                "Printer: printing {n} receipt…", "Printer: printing {n} receipts…", status.waiting
            ).format(n=status.waiting)
        else:
            text = _("Printer: ready")
        self.set_class(bool(status.error and status.waiting), "-failing")
        self.update(text)

    @property
    def text(self) -> str:
        """The line shown."""
        return str(self.render())
