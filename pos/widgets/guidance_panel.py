"""Medication guidance for the highlighted line, where the cashier can read it out."""

from __future__ import annotations

from rich.text import Text

from pos.i18n import _
from pos.register.views import CartLineView
from pos.widgets.plain import Static


class GuidancePanel(Static):
    """Usage, dose, precautions and advice of one drug line; never takes the focus."""

    DEFAULT_CSS = """
    GuidancePanel {
        height: auto;
        max-height: 10;
        border: round $warning;
        padding: 0 1;
        display: none;
    }
    GuidancePanel.-given { border: round $success; }
    """

    def show(self, line: CartLineView | None) -> None:
        """Show ``line``'s guidance, or hide when it has none."""
        guidance = line.guidance if line is not None else None
        if line is None or guidance is None:
            self.display = False
            return
        self.display = True
        self.set_class(line.guidance_given, "-given")
        if line.guidance_given:
            self.border_title = _("Guidance: {name} ✓ said").format(name=line.name)
        else:
            self.border_title = _("Guidance: {name}, tell the customer, then F9").format(
                name=line.name
            )
        text = Text()
        for label, value, style in (
            (_("Usage"), guidance.usage, "bold"),
            (_("Dose"), guidance.dosage, "bold"),
            (_("Precautions"), guidance.precautions, "yellow"),
            (_("Advice"), guidance.advice, "green"),
        ):
            if value:
                if text:
                    text.append("\n")
                text.append(f"{label}: ", style=style)
                text.append(value)
        self.update(text)
