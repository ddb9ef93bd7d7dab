"""The follow-up calls (回访) to make, the most overdue first: choose one, call, record how
it went.

For pharmacists and managers: phones are shown in full here (and only here) to a
user allowed to call; a cashier sees the list masked and cannot record calls.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen

from pos.app.modals.common import localize_bindings
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import DataTable, Label
from pos.i18n import N_, _, ngettext
from pos.register.api import FollowUpView, InputError, outcome_name, reason_name
from pos.register.customers.care import MemberCare

OUTCOME_KEYS = (
    ("f2", "reached", N_("Reached")),
    ("f3", "not_reached", N_("Not reached")),
    ("f4", "doing_well", N_("Doing well")),
    ("f5", "side_effect", N_("Side effect")),
    ("f6", "wants_refill", N_("Wants refill")),
    ("f8", "do_not_call", N_("Do not call")),
)


def _reason(task: FollowUpView) -> str:
    """The reason, with the calls already made: ``未接通`` twice reads ``续药到期 ×2``."""
    name = reason_name(task.reason)
    return f"{name} ×{task.attempts}" if task.attempts else name


class FollowUpModal(ModalScreen[str | None]):
    """↑/↓ choose a call; F2–F8 record its outcome; F9 plans the refills due; Esc closes.

    A side effect reported closes the list with the member's card, so the adverse-reaction
    form opens for them."""

    BINDINGS = [
        *(
            Binding(key, f"outcome('{code}')", label, id=f"follow-up-{code}", priority=True)
            for key, code, label in OUTCOME_KEYS
        ),
        Binding("f9", "plan", N_("Plan refills"), id="follow-up-plan", priority=True),
        Binding("escape", "close", N_("Close"), id="close-follow-ups", priority=True),
        Binding("up", "cursor(-1)", N_("Up"), id="follow-up-up", show=False, priority=True),
        Binding("down", "cursor(1)", N_("Down"), id="follow-up-down", show=False, priority=True),
    ]

    def __init__(self, care: MemberCare) -> None:
        super().__init__()
        localize_bindings(self)
        self.care = care
        self.tasks: list[FollowUpView] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box", id="follow-up-box"):
            yield Label(_("Follow-up calls"), classes="modal-title")
            table: DataTable[str] = DataTable(id="follow-up-table", cursor_type="row")
            table.can_focus = False
            yield table
            with Horizontal(classes="form-row"):
                yield Label(_("Note"), classes="form-label")
                yield OrderedInput(placeholder=_("what was said, optional"), id="follow-up-note")
            with Horizontal(classes="form-row"):
                yield Label(_("Call again on"), classes="form-label")
                yield OrderedInput(placeholder=_("YYYY-MM-DD, optional"), id="follow-up-retry")
            yield Label("", id="follow-up-status")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # The form is 100 columns wide at most (95 % of a narrower screen); of its inside,
        # each of the 6 columns takes 2 for padding, and "About" the rest (10 at 80 columns).
        inside = min(100, self.app.size.width * 95 // 100) - 4
        about = max(10, inside - 12 - 50)
        for title, width in (
            (_("Due"), 10), (_("Card no."), 13), (_("Name"), 6), (_("Phone"), 11),
            (_("Reason"), 10), (_("About"), about),
        ):  # fmt: skip
            table.add_column(title, width=width)
        self.reload()
        if not self.care.may_call():
            self.say(_("Only a pharmacist or a manager calls members: phones are masked"))

    def reload(self) -> None:
        """Read the calls due again."""
        table = self.query_one(DataTable)
        table.clear()
        self.tasks = self.care.follow_ups(include_later=True)  # due first, then coming
        for task in self.tasks:
            table.add_row(
                task.due_on.isoformat(), task.card_no, task.name, task.phone,
                _reason(task), task.detail, key=str(task.id),
            )  # fmt: skip
        if not self.tasks:
            self.say(_("No follow-up call to make"))

    def say(self, text: str) -> None:
        """Show ``text`` under the list."""
        self.query_one("#follow-up-status", Label).update(text)

    def action_cursor(self, step: int) -> None:
        """Move the chosen call."""
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    async def action_outcome(self, outcome: str) -> None:
        """Record the chosen call's outcome."""
        note = self.query_one("#follow-up-note", OrderedInput)
        retry = self.query_one("#follow-up-retry", OrderedInput)
        await note.settle()
        await retry.settle()
        if not self.tasks:
            self.app.bell()
            return
        task = self.tasks[self.query_one(DataTable).cursor_row]
        try:
            done = self.care.record_follow_up(task.id, outcome, retry.value, note.value)
        except InputError as exc:
            self.say(str(exc))
            self.app.bell()
            return
        note.value = ""
        retry.value = ""
        self.reload()
        if done:
            self.say(
                _("{card}: {outcome}").format(card=task.card_no, outcome=outcome_name(outcome))
            )
        else:
            self.say(_("{card}: call again later").format(card=task.card_no))
        if outcome == "side_effect":
            await self.dismiss(task.card_no)

    def action_plan(self) -> None:
        """Add the calls of members whose refill is due."""
        created = self.care.plan_refills()
        self.reload()
        self.say(
            ngettext("{n} refill call added", "{n} refill calls added", created).format(n=created)
        )

    async def action_close(self) -> None:
        """Close the list."""
        await self.dismiss(None)
