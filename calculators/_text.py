"""The string dtype used for every text column: Arrow-backed, so string kernels run in C++."""

from __future__ import annotations

import pandas as pd

TEXT = pd.StringDtype("pyarrow")
