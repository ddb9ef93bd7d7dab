"""The checkout's footer: Textual's, composed again only when the keys it shows change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Shown = tuple[tuple[str, str, str, str, bool, str], ...]
"""(key, keycap, description, action, enabled, tooltip) of each key the footer shows."""


class KeyFooter(Footer):
    """Textual's footer rebuilds its keys at every change of the screen's bindings (each
    focus change, each screen pushed): on the way to the first screen five times, eleven
    keys each time, the same keys. This one rebuilds only when what it shows changed.

    Each key is made in the footer's (compact or not) style before it is mounted: Textual's
    keys are born compact and restyled to the footer's on mount, two style passes per key
    (a fifth of the first screen's style work)."""

    def __init__(self, *, show_command_palette: bool = True) -> None:
        super().__init__(show_command_palette=show_command_palette)
        self.shown: Shown | None = None
        """The keys last composed (None: not yet)."""

    def keys(self, screen: Screen[object]) -> Shown:
        """The keys ``screen``'s bindings make this footer show."""
        return tuple(
            (binding.key, self.app.get_key_display(binding), binding.description, binding.action,
             enabled, tooltip)
            for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        )  # fmt: skip

    def compose(self) -> ComposeResult:
        # The screen's keys are known once the footer is on it: they are in the first frame
        # (Textual's footer waits for the first bindings change and fills in a frame later).
        self.set_reactive(Footer._bindings_ready, True)
        self.shown = self.keys(self.screen)
        for widget in super().compose():
            if isinstance(widget, FooterKey):  # born in the footer's style: no restyle on mount
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        if (
            self.shown is not None
            and self.is_attached
            and screen is self.screen
            and self.keys(screen) == self.shown
        ):
            return  # the same keys: nothing to rebuild
        super().bindings_changed(screen)
