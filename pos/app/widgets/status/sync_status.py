"""Head office sync: items waiting, last sync, offline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos.app.widgets.plain import Static
from pos.i18n import _, ngettext

if TYPE_CHECKING:  # the register is imported once ready (pos.app.boot)
    from pos.register.api import SyncStatus


class SyncStatusBar(Static):
    """One line about the chain sync; hidden when no head office is configured."""

    DEFAULT_CSS = """
    SyncStatusBar { height: auto; padding: 0 1; color: $text-muted; display: none; }
    SyncStatusBar.-on { display: block; }
    SyncStatusBar.-offline { background: $warning 25%; color: $text; }
    """

    def show(self, status: SyncStatus, last_sync: str = "") -> None:
        """Show ``status``; ``last_sync`` is the last good sync in the store's time."""
        self.set_class(status.configured, "-on")
        offline = bool(status.error)
        if offline:
            text = ngettext(
                "HQ: offline, {n} item waiting", "HQ: offline, {n} items waiting", status.waiting
            ).format(n=status.waiting)
        elif status.waiting:
            text = ngettext(
                "HQ: {n} item waiting to send", "HQ: {n} items waiting to send", status.waiting
            ).format(n=status.waiting)
        elif last_sync:
            text = _("HQ: in sync ({time})").format(time=last_sync)
        else:
            text = _("HQ: not synced yet")
        if offline and last_sync:
            text += " · " + _("last sync {time}").format(time=last_sync)
        self.set_class(offline, "-offline")
        self.update(text)

    @property
    def text(self) -> str:
        """The line shown."""
        return str(self.render())
