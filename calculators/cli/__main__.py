"""``python -m calculators.cli``: the ``relend`` command."""

from __future__ import annotations

import sys

from .app import main

sys.exit(main())
