""" "Saving…": the cart in progress is not stored yet (the database is busy)."""

from __future__ import annotations

from pos.app.widgets.plain import Static
from pos.i18n import _


class SaveStatus(Static):
    """One line shown only while the cart in progress waits to be stored."""

    DEFAULT_CSS = """
    SaveStatus { height: auto; padding: 0 1; display: none; }
    SaveStatus.-on { display: block; background: $warning 25%; color: $text; }
    """

    def show(self, pending: bool) -> None:
        """Show "saving…" while ``pending``; hide it once the cart is stored."""
        self.set_class(pending, "-on")
        self.update(_("Saving…") if pending else "")

    @property
    def text(self) -> str:
        """The line shown (empty when hidden)."""
        return str(self.render()) if self.has_class("-on") else ""
