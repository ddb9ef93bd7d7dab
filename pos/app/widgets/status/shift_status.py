"""The cash shift of the register: who opened it and when, or that none is open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos.app.widgets.plain import Static
from pos.i18n import _
from pos.register.api import format_fen

if TYPE_CHECKING:  # the register is imported once ready (pos.app.boot)
    from pos.register.staff.shifts import ShiftView


class ShiftStatus(Static):
    """One line about the cash shift; it stands out while no shift is open."""

    DEFAULT_CSS = """
    ShiftStatus { height: auto; padding: 0 1; color: $text-muted; }
    ShiftStatus.-none { background: $warning 30%; color: $text; text-style: bold; }
    """

    def show(self, shift: ShiftView | None) -> None:
        """Show ``shift`` (None: no shift open)."""
        if shift is None:
            text = _("No shift open: Ctrl+B opens one")
        else:
            text = _("Shift: {who} since {when}, float ¥{float}").format(
                who=shift.opened_by_name or shift.opened_by or "-",
                when=f"{shift.opened_at:%m-%d %H:%M}",
                float=format_fen(shift.float_fen),
            )
        self.set_class(shift is None, "-none")
        self.update(text)

    @property
    def text(self) -> str:
        """The line shown."""
        return str(self.render())
