"""``python -m pos`` is the ``pos`` command."""

import sys

from pos.cli import main

sys.exit(main())
