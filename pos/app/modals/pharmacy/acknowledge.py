"""A guidance or safety prompt: F9 acknowledges; a scan arriving meanwhile is kept, not lost.

Several medicines whose guidance is still to be told are shown together, one
section each (usage, dose, precautions), scrolling on a small screen: one F9
acknowledges every one shown.

A barcode scanner types digits, letters and Enter: none of them may acknowledge
a prompt. What is typed while the prompt is open is held and handed back when
it closes, so the register adds it then.

A warning only a pharmacist may acknowledge stays until one does: the pharmacist
logged in presses F9, or F9 opens :class:`PharmacistModal` for a pharmacist's id
and PIN (a cashier's F9 alone never clears it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen

from pos.app.modals.common import describe_binding, localize_bindings
from pos.app.modals.form import FormModal
from pos.app.widgets.cjk_text import CjkText
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label, Static
from pos.i18n import N_, _, ngettext

Sign = Callable[[str, str], str | None]
"""(pharmacist id, PIN) → why it was refused, or None when the pharmacist signed."""


@dataclass
class PromptResult:
    """How a prompt closed, and the scans that arrived while it was open."""

    acknowledged: bool
    held_scans: list[str] = field(default_factory=list)


class AcknowledgeModal(ModalScreen[PromptResult]):
    """Show ``text`` (or several ``sections``); F9 acknowledges, Esc goes back to the cart."""

    DEFAULT_CSS = """
    AcknowledgeModal .prompt-section { text-style: bold; }
    AcknowledgeModal .prompt-text { padding: 0 0 1 0; }
    AcknowledgeModal .prompt-lead { padding: 0 0 1 0; }
    """

    BINDINGS = [
        Binding("f9", "answer(True)", N_("Acknowledge"), id="acknowledge", priority=True),
        Binding("escape", "answer(False)", N_("Back to cart"), id="back-to-cart", priority=True),
    ]

    def __init__(
        self, title: str, text: str, warning: bool = False, pharmacist: str | None = None
    ) -> None:
        """``pharmacist``: ``"here"`` (one is logged in) or ``"sign"`` (F9 asks for one)."""
        super().__init__()
        if pharmacist is not None:  # the footer says who may press F9, as the help line does
            describe_binding(self, "acknowledge", N_("Pharmacist signs"))
        localize_bindings(self)
        self.title_text = title
        self.text = text
        self.sections: tuple[tuple[str, str], ...] = ()
        """(title, text) of each medicine shown, when there are several."""
        self.warning = warning
        self.pharmacist = pharmacist
        self.typed = ""
        self.held: list[str] = []

    @classmethod
    def several(cls, sections: Sequence[tuple[str, str]]) -> AcknowledgeModal:
        """The guidance of several medicines, (title, text) each, on one screen: F9 for all."""
        title = ngettext(
            "Medication guidance: {n} medicine", "Medication guidance: {n} medicines", len(sections)
        ).format(n=len(sections))
        modal = cls(title, "\n\n".join(text for _title, text in sections))
        modal.sections = tuple(sections)
        return modal

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="modal-box" + (" warning-box" if self.warning else "")):
            yield Label(self.title_text, classes="modal-title")
            if self.sections:  # what F9 does first: the texts below may scroll out of sight
                yield Label(
                    _(
                        "Tell the customer about each, then press F9 for all of them. "
                        "Esc goes back to the cart."
                    ),
                    id="prompt-help",
                    classes="prompt-lead",
                )
                for title, text in self.sections:
                    yield Label(title, classes="prompt-section")
                    yield Static(CjkText(text), classes="prompt-text")
            else:
                yield Static(CjkText(self.text), id="prompt-text")
                yield Label(self.help_text(), id="prompt-help")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def help_text(self) -> str:
        """What F9 does here, and who may press it."""
        if self.pharmacist == "sign":
            return _(
                "Only a pharmacist may acknowledge this: F9 asks for their id and PIN. "
                "Esc goes back to the cart."
            )
        if self.pharmacist == "here":
            return _("The pharmacist checks it, then F9. Esc goes back to the cart.")
        return _("Tell the customer, then press F9. Esc goes back to the cart.")

    async def on_key(self, event: events.Key) -> None:
        """Hold what a scanner types: Enter ends a code; nothing here acknowledges."""
        if event.key == "enter":
            if self.typed.strip():
                self.held.append(self.typed.strip())
            self.typed = ""
        elif event.character is not None and event.is_printable:
            self.typed += event.character
        else:
            return
        event.stop()
        event.prevent_default()

    async def action_answer(self, acknowledged: bool) -> None:
        """Close with the answer and the held scans."""
        if self.typed.strip():
            self.held.append(self.typed.strip())
        await self.dismiss(PromptResult(acknowledged, self.held))


class PharmacistModal(FormModal):
    """A pharmacist acknowledges a warning with their id and PIN; F12 signs, Esc cancels."""

    BINDINGS = [
        Binding("f12", "sign", N_("Sign"), id="sign-warning", priority=True),
        Binding("escape", "close", N_("Cancel"), id="close", priority=True),
    ]

    def __init__(self, title: str, text: str, sign: Sign) -> None:
        super().__init__()
        localize_bindings(self)
        self.title_text = title
        self.text = text
        self.sign = sign

    def compose(self) -> ComposeResult:
        with Vertical(id="pharmacist-form", classes="modal-box warning-box"):
            yield Label(_("Pharmacist's acknowledgement"), classes="modal-title")
            yield Label(self.title_text)
            yield Static(CjkText(self.text), id="pharmacist-warning")
            for field_id, label, placeholder, secret in (
                ("pharmacist-id", _("Pharmacist"), _("pharmacist's user id"), False),
                ("pharmacist-pin", _("PIN"), _("pharmacist's PIN"), True),
            ):
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield OrderedInput(placeholder=placeholder, password=secret, id=field_id)
            yield Label(
                _("Recorded with the sale: who acknowledged, and when. F12 signs, Esc cancels"),
                id="form-status",
            )
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        self.query_one("#pharmacist-id", OrderedInput).focus()

    async def action_sign(self) -> None:
        """Acknowledge if the pharmacist's id and PIN are right."""
        await self.settle_fields()
        error = self.sign(self.value("pharmacist-id"), self.value("pharmacist-pin"))
        if error:
            self.query_one("#pharmacist-pin", OrderedInput).value = ""
            self.fail(error)
            return
        await self.dismiss(True)

    async def action_close(self) -> None:
        """Back to the cart; the warning is still to be acknowledged."""
        await self.dismiss(False)
