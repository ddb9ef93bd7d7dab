"""The complaints waiting (open or in hand): take one in hand, or close it."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen

from pos.app.modals.common import localize_bindings
from pos.app.modals.form import FormModal
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import DataTable, Label
from pos.i18n import N_, _
from pos.register.customers.aftercare import STATUSES, ComplaintView, category_name

Waiting = Callable[[], list[ComplaintView]]
"""The complaints not closed yet, newest first."""
Handle = Callable[[int], str | None]
"""Takes complaint ID in hand; why it could not, or None."""
Close = Callable[[int, str, str], str | None]
"""Closes complaint ID with a resolution and the customer's response; why not, or None."""


class ComplaintsModal(ModalScreen[None]):
    """Open and in-hand complaints; F4 takes the highlighted one in hand, F12 closes it."""

    BINDINGS = [
        Binding("f4", "handle", N_("In hand"), id="handle-complaint", priority=True),
        Binding("f12", "close_complaint", N_("Close complaint"), id="close-complaint"),
        Binding("escape", "back", N_("Back"), id="close", priority=True),
    ]

    def __init__(self, waiting: Waiting, handle: Handle, close: Close, timezone: str) -> None:
        super().__init__()
        localize_bindings(self)
        self.waiting = waiting
        self.handle = handle
        self.close = close
        self.zone = ZoneInfo(timezone)
        self.shown: list[ComplaintView] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="complaints-box", classes="modal-box"):
            yield Label(_("Complaints waiting"), classes="modal-title")
            yield DataTable[str](id="complaints", cursor_type="row")
            yield Label(_("F4 in hand · F12 close · Esc back"), id="complaints-status")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        table = self.query_one("#complaints", DataTable)
        table.add_columns(_("No."), _("Opened"), _("Status"), _("Category"), _("Sale"))
        self.show()
        table.focus()

    def show(self) -> None:
        """(Re)read the complaints waiting."""
        table = self.query_one("#complaints", DataTable)
        table.clear()
        self.shown = [c for c in self.waiting() if c.status != "closed"]
        for item in self.shown:
            table.add_row(
                f"#{item.id}",
                item.opened_at.astimezone(self.zone).strftime("%m-%d %H:%M"),
                _(STATUSES[item.status]),
                category_name(item.category),
                item.sale_number or "-",
            )
        if not self.shown:
            self.query_one("#complaints-status", Label).update(_("No complaint is waiting"))

    def _highlighted(self) -> ComplaintView | None:
        row = self.query_one("#complaints", DataTable).cursor_row
        return self.shown[row] if 0 <= row < len(self.shown) else None

    def _say(self, text: str) -> None:
        self.query_one("#complaints-status", Label).update(text)

    def action_handle(self) -> None:
        """Take the highlighted complaint in hand (its first response)."""
        item = self._highlighted()
        if item is None:
            return
        error = self.handle(item.id)
        self.show()
        self._say(error or _("Complaint #{id} is in hand").format(id=item.id))

    def action_close_complaint(self) -> None:
        """Close the highlighted complaint: its resolution and the customer's response."""
        item = self._highlighted()
        if item is None:
            return

        def closed(done: bool | None) -> None:
            self.show()
            if done:
                self._say(_("Complaint #{id} closed").format(id=item.id))

        self.app.push_screen(
            CloseComplaintModal(item.id, lambda text, said: self.close(item.id, text, said)),
            closed,
        )

    def action_back(self) -> None:
        """Back to the register."""
        self.dismiss(None)


class CloseComplaintModal(FormModal):
    """How complaint ID was resolved and what the customer said; F12 closes it."""

    BINDINGS = [
        Binding("f12", "save", N_("Close complaint"), id="save-close-complaint", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="close", priority=True),
    ]

    def __init__(self, complaint_id: int, close: Callable[[str, str], str | None]) -> None:
        super().__init__()
        localize_bindings(self)
        self.complaint_id = complaint_id
        self.close = close

    def compose(self) -> ComposeResult:
        with Vertical(id="close-complaint-form", classes="modal-box"):
            yield Label(
                _("Close complaint #{id}").format(id=self.complaint_id), classes="modal-title"
            )
            for field, label in (
                ("complaint-resolution", _("Resolution")),
                ("complaint-response", _("Customer's response")),
            ):
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield OrderedInput(id=field)
            yield Label(_("F12 closes the complaint · Esc cancels"), id="form-status")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        self.query_one("#complaint-resolution", OrderedInput).focus()

    async def action_save(self) -> None:
        """Close the complaint if the register accepts it."""
        await self.settle_fields()
        error = self.close(self.value("complaint-resolution"), self.value("complaint-response"))
        if error:
            self.fail(error)
            return
        await self.dismiss(True)

    async def action_cancel(self) -> None:
        """Back to the list; the complaint stays as it was."""
        await self.dismiss(False)
