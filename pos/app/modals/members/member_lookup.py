"""F2: find a member by phone, last four digits, card number, name or pinyin initials."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from pos.app.modals.common import localize_bindings
from pos.app.widgets.cjk_text import cut
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import DataTable, Label, Static
from pos.app.widgets.scan_hold import ScanHeld
from pos.i18n import N_, _
from pos.register.api import InputError, ascii_digits, tier_name
from pos.register.service import RegisterService
from pos.register.views import MemberView

MemberAction = Callable[[int], str | None]
"""Acts on the chosen member; returns why it could not, or None."""


NAME_WIDTH = 10
"""Cells of the name column (five Chinese characters; a longer name is cut with "…")."""


class MemberLookupModal(ModalScreen[bool]):
    """Type to search; ↑/↓ choose; Enter attaches; F5 enrols; F4 edits; F8 detaches."""

    HOLDS_SCANS: ClassVar[bool] = True
    """A scan while this is open is held for the cart (pos.app.widgets.scan_hold), and the
    lookup closes: the checkout takes the code as at its scan field, so a member card handed
    over at F2 attaches its member, and a product scanned meanwhile goes into the cart."""

    BINDINGS = [
        Binding("enter", "attach", N_("Attach"), id="attach-member", priority=True),
        Binding("f5", "enrol", N_("Enrol"), id="enrol-from-lookup", priority=True),
        Binding("f4", "edit", N_("Edit"), id="edit-member", priority=True),
        Binding("f8", "detach", N_("Detach"), id="detach-member", priority=True),
        Binding("escape", "close", N_("Close"), id="close", priority=True),
        Binding("up", "cursor(-1)", N_("Up"), id="member-up", show=False, priority=True),
        Binding("down", "cursor(1)", N_("Down"), id="member-down", show=False, priority=True),
    ]

    def __init__(
        self,
        register: RegisterService,
        attach: MemberAction,
        enrol: Callable[[str], Awaitable[None]],
        edit: Callable[[int], Awaitable[None]],
        detach: Callable[[], str | None],
    ) -> None:
        super().__init__()
        localize_bindings(self)
        self.register = register
        self.attach = attach
        self.enrol = enrol
        self.edit = edit
        self.detach = detach
        self.results: list[MemberView] = []
        self.shown_query: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="member-box", classes="modal-box"):
            yield Label(_("Find a member"), classes="modal-title")
            yield OrderedInput(
                placeholder=_("phone, last 4 digits, card number, name or pinyin initials"),
                id="member-query",
            )
            yield Label(_("Type to search"), id="member-status")  # in view at any size
            results: DataTable[str | Text] = DataTable(id="member-results", cursor_type="row")
            results.can_focus = False
            yield results
            yield Static("", id="member-detail")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # 58 cells and 12 of padding: every column whole inside the box at 80 columns
        for title, key, width in (
            (_("Name"), "name", NAME_WIDTH), (_("Phone"), "phone", 11), (_("Tier"), "tier", 8),
            (_("Points"), "points", 6), (_("Last visit"), "last", 10), (_("Card no."), "card", 13),
        ):  # fmt: skip
            table.add_column(title, key=key, width=width)
        self.query_one(OrderedInput).focus()

    @property
    def status(self) -> Label:
        """The line between the query and the results."""
        return self.query_one("#member-status", Label)

    @on(Input.Changed, "#member-query")
    def query_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    def run_search(self, query: str) -> None:
        """Show the members matching ``query`` (once per query)."""
        if query == self.shown_query:
            return
        self.shown_query = query
        digits = ascii_digits(query)
        if digits is not None and len(digits) not in (4, 11, 13):
            self.show_results([], _("Keep typing: a full phone, its last 4 digits or a card"))
            return
        try:
            found = self.register.find_members(query)
        except InputError as exc:
            self.show_results([], str(exc))
            return
        if not query.strip():
            message = _("Type to search")
        elif not found:
            message = _("No member found: F5 enrols a new one")
        else:
            message = _("{n} found: ↑/↓ to choose, Enter to attach").format(n=len(found))
        self.show_results(found, message)

    def show_results(self, found: list[MemberView], message: str) -> None:
        """Fill the table with ``found`` and say ``message``."""
        self.results = found
        table = self.query_one(DataTable)
        table.clear()
        for member in found:
            table.add_row(
                cut(member.name, NAME_WIDTH),
                member.masked_phone,
                tier_name(member.tier),
                Text(str(member.points), justify="right"),
                member.last_visit.isoformat() if member.last_visit else "",
                member.card_no,
                key=str(member.id),
            )
        self.status.update(message)
        self.show_detail()

    def show_detail(self) -> None:
        """Recent purchases and notes of the highlighted member."""
        detail = self.query_one("#member-detail", Static)
        member = self.chosen
        if member is None:
            detail.update("")
            return
        lines = [
            _("Recent purchases: {items}").format(
                items="、".join(member.recent_purchases) or _("none yet")
            )
        ]
        if member.birthday:
            lines.append(_("Birthday: {day}").format(day=member.birthday.isoformat()))
        if member.allergies:
            lines.append(_("Allergies: {items}").format(items=member.allergies))
        if member.conditions:
            lines.append(_("Conditions: {items}").format(items=member.conditions))
        detail.update("\n".join(lines))

    @property
    def chosen(self) -> MemberView | None:
        """The highlighted member, with details."""
        if not self.results:
            return None
        table = self.query_one(DataTable)
        member = self.results[min(table.cursor_row, len(self.results) - 1)]
        if not member.recent_purchases:
            member = self.register.member(member.id)
            self.results[table.cursor_row] = member
        return member

    @on(ScanHeld)
    def card_scanned(self) -> None:
        """A scanner typed a code here (HOLDS_SCANS): close; the checkout adds it."""
        self.dismiss(False)  # not awaited: a screen cannot await its own dismissal here

    async def action_cursor(self, step: int) -> None:
        """Move the highlighted member."""
        field = self.query_one(OrderedInput)
        await field.settle()
        self.run_search(field.value)
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))
            self.show_detail()

    async def action_attach(self) -> None:
        """Attach the highlighted member to the sale and close."""
        field = self.query_one(OrderedInput)
        await field.settle()
        self.run_search(field.value)
        member = self.chosen
        if member is None:
            self.app.bell()
            return
        error = self.attach(member.id)
        if error:
            self.status.update(error)
            self.app.bell()
            return
        await self.dismiss(True)

    async def action_enrol(self) -> None:
        """Enrol a new member (the typed phone, if it is one, is filled in)."""
        field = self.query_one(OrderedInput)
        await field.settle()
        phone = field.value.strip() if len(field.value.strip()) == 11 else ""
        await self.dismiss(False)
        await self.enrol(phone)

    async def action_edit(self) -> None:
        """Change the highlighted member's details (at the member's request)."""
        await self.query_one(OrderedInput).settle()
        member = self.chosen
        if member is None:
            self.app.bell()
            return
        await self.dismiss(False)
        await self.edit(member.id)

    async def action_detach(self) -> None:
        """Sell to a walk-in customer: the member leaves the sale."""
        await self.query_one(OrderedInput).settle()
        error = self.detach()
        if error:
            self.status.update(error)
            self.app.bell()
            return
        await self.dismiss(False)

    async def action_close(self) -> None:
        """Close without changing the sale."""
        await self.query_one(OrderedInput).settle()
        await self.dismiss(False)
