"""The progress bar of every long command: imports, ``pos backup``, ``pos suggestions
rebuild`` and ``pos sync`` catch-up.

One line on standard error — what is under way, a bar, rows done of all, the rate
and the time left — drawn only when standard error is a terminal: a pipe, a log
file or a test sees nothing. ::

    with Progress(unit=_("sales")) as progress:
        progress.start(_("Importing"), total)   # total None: not known (no bar, no time left)
        for batch in batches:
            ...
            progress.advance(len(batch))        # or progress.show(label, done, total)
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.text import Text

from pos.i18n import _


class RateColumn(ProgressColumn):
    """Rows (or other units) a second."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self._unit = unit

    def render(self, task: Task) -> Text:
        """``12,345 rows/s``, or nothing before the rate is known."""
        speed = task.finished_speed or task.speed
        if speed is None:
            return Text("")
        return Text(
            _("{rate} {unit}/s").format(rate=f"{speed:,.0f}", unit=self._unit),
            style="progress.data.speed",
        )


class Progress:
    """One progress bar on standard error (or ``console``), silent when not a terminal.

    The import code calls it through ``pos.transfer.import_common.Progress``
    (:meth:`start`, :meth:`advance`); commands that know where they are call
    :meth:`show`. :meth:`close` (or leaving the ``with`` block) ends the line.
    """

    def __init__(self, unit: str | None = None, console: Console | None = None) -> None:
        self._console = console or Console(stderr=True)
        self._on = self._console.is_terminal
        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(unit or _("rows")),
            TimeRemainingColumn(),
            console=self._console,
            transient=False,
            disable=not self._on,
        )
        self._task: TaskID | None = None
        self._started = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def drawn(self) -> bool:
        """True when the bar is drawn (standard error is a terminal)."""
        return self._on

    def start(self, label: str, total: int | None) -> None:
        """A new stage of ``total`` rows (None: not known) begins, from none done."""
        if not self._on:
            return
        if not self._started:
            self._bar.start()
            self._started = True
        if self._task is not None:
            self._bar.stop_task(self._task)
            self._bar.update(self._task, visible=False)
        self._task = self._bar.add_task(label, total=total)

    def advance(self, rows: int) -> None:
        """``rows`` more are done."""
        if self._task is not None:
            self._bar.advance(self._task, rows)

    def show(self, label: str, done: int, total: int | None) -> None:
        """``done`` of ``total`` under ``label`` (a new label starts a new stage)."""
        if not self._on:
            return
        if self._task is None or self._bar.tasks[-1].description != label:
            self.start(label, total)
        assert self._task is not None
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        """End the bar's line (nothing was drawn when not a terminal)."""
        if self._started:
            self._bar.refresh()
            self._bar.stop()
            self._started = False
