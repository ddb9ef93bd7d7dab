"""The ``pos`` command line: every command, its help and its messages."""
