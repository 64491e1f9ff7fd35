"""The string dtype used for every text column: Arrow-backed, so string kernels run in C++."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

TEXT = pd.StringDtype("pyarrow")


def arrow_text(values: pd.Series) -> pa.Array:
    """A column as one contiguous Arrow string array (nulls kept)."""
    is_arrow_text = isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"
    array = pa.array(values.array if is_arrow_text else values.astype(TEXT).array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def text_chunks(values: pd.Series) -> pa.ChunkedArray:
    """A column as Arrow string chunks, without copying when it is Arrow-backed already."""
    array = pa.array(values.astype(TEXT))
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])
