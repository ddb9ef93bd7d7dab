"""Crash reports: what went wrong and where, never the values the code was holding.

Local variables and exception messages can hold a customer's phone, name or
allergies, so a report keeps only the exception's type and the stack (file,
line, function and the source line): enough to find the fault, nothing personal.
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from pos.config import APP_NAME


def default_log_dir() -> Path:
    """Where crash reports go: the user log directory."""
    return Path(platformdirs.user_log_dir(APP_NAME))


def describe(error: BaseException) -> str:
    """The exception's type and stack, without its message or any variable's value."""
    lines = []
    current: BaseException | None = error
    while current is not None:
        kind = type(current)
        lines.append(f"{kind.__module__}.{kind.__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
        current = current.__cause__ or current.__context__
        if current is not None:
            lines.append("caused by / while handling:")
    return "\n".join(lines) + "\n"


def write_report(error: BaseException, folder: Path, now: datetime | None = None) -> Path:
    """Write a report of ``error`` to a new file in ``folder`` (0600); return its path."""
    moment = now or datetime.now(UTC)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"crash-{moment:%Y%m%d-%H%M%S}-{os.getpid()}"
    path = folder / f"{stem}.txt"
    counter = 1
    while path.exists():
        counter += 1
        path = folder / f"{stem}-{counter}.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f"pharmacy-pos crash report, {moment.isoformat()}\n\n")
        handle.write(describe(error))
    return path
