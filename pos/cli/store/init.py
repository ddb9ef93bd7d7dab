"""``pos init [--demo]``: create or upgrade a store database."""

from __future__ import annotations

import argparse

from pos.cli.common import EXIT_OK, Commands
from pos.config import Settings

NAME = "init"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos init``."""
    init = commands.add_parser(NAME, parents=[common], help="create or upgrade a store database")
    init.add_argument("--demo", action="store_true", help="load the demo store into it")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos init``."""
    from pos.store.bootstrap import init_store

    message = init_store(settings, demo=args.demo)
    print(message)
    return EXIT_OK
