"""``pos run`` (and ``pos`` alone): start the register."""

from __future__ import annotations

import argparse

from pos.cli.common import Commands
from pos.config import Settings

NAME = "run"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos run``."""
    run = commands.add_parser(NAME, parents=[common], help="start the register (the default)")
    run.add_argument(
        "--printer", metavar="URI", default=argparse.SUPPRESS, help="receipt printer URI"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Start the register; Textual is imported only now."""
    from pos.startup import quiet_collector

    with quiet_collector():
        from pos.app import run_register

    return run_register(settings)
