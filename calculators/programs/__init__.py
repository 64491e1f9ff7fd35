"""One module per program; each declares its rules, labels, columns and lists, and
registers itself on import. Siblings never import each other."""

from __future__ import annotations

# The one registration order: the order of the command line's choices and of the reason
# codes; the first program to register a list gives its option's help.
from . import carbon, housing, tech, transport

# isort: split
from . import coal, elderly_care, equipment

# isort: split
from . import buyback, consumption

__all__ = [
    "buyback",
    "carbon",
    "coal",
    "consumption",
    "elderly_care",
    "equipment",
    "housing",
    "tech",
    "transport",
]
