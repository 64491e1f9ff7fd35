"""What the writers of the ``--out`` folder share: Arrow text joined and read as bytes,
the temporary name a file is written under, and the progress bar of a file."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .._progress import bar as progress_bar
from .._progress import writing
from ..columnar.bytes import contiguous, data, offsets


def _join(*parts: Any) -> pa.Array:
    """Arrow's ``binary_join_element_wise`` (the last part is the separator) over
    ``large_string`` arrays and scalars: null where any array is null."""
    typed = [
        pa.scalar(p, pa.large_string()) if isinstance(p, str) else p.cast(pa.large_string())
        for p in parts
    ]
    return pc.binary_join_element_wise(*typed)


def _bytes_of(values: pa.Array) -> memoryview:
    """The bytes of a string array's rows, one after another."""
    values = contiguous(values)
    ends = offsets(values)
    return data(values)[ends[0] : ends[-1]].data


_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]{12}\.tmp$")


def _progress(total: int, path: Path, show: bool) -> contextlib.AbstractContextManager[Any]:
    """The bar of a file being written, named as the file will be (not its temporary
    name), shown once the write has taken two seconds."""
    found = _TEMPORARY.match(path.name)
    return progress_bar(total, writing(found["name"] if found else path.name), show)
