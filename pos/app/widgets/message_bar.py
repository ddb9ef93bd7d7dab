"""One line telling the cashier what just happened, or what went wrong."""

from __future__ import annotations

from pos.app.widgets.plain import Static


class MessageBar(Static):
    """Shows the latest message; errors stand out and ring the bell."""

    DEFAULT_CSS = """
    MessageBar { height: auto; min-height: 1; padding: 0 1; }
    MessageBar.-error { background: $error 30%; color: $text; text-style: bold; }
    MessageBar.-info { color: $text-muted; }
    MessageBar.-success { background: $success 25%; color: $text; }
    MessageBar.-warning { background: $warning 30%; color: $text; text-style: bold; }
    """

    def info(self, text: str) -> None:
        """A neutral message."""
        self._show(text, "-info")

    def success(self, text: str) -> None:
        """Something done."""
        self._show(text, "-success")

    def warning(self, text: str) -> None:
        """Something done that the cashier must act on."""
        self._show(text, "-warning")

    def error(self, text: str) -> None:
        """Something refused: nothing changed."""
        self._show(text, "-error")
        self.app.bell()

    def _show(self, text: str, kind: str) -> None:
        self.set_classes(kind)
        self.update(text)

    @property
    def text(self) -> str:
        """The message shown."""
        return str(self.render())
