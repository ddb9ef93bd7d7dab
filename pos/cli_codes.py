"""The exit codes of every ``pos`` command."""

EXIT_OK = 0
"""Done."""
EXIT_FAILED = 1
"""The command ran and failed: bad data, a missing database, a refused action."""
EXIT_USAGE = 2
"""The command line itself is wrong (argparse uses 2 as well)."""
