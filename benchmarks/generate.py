"""Synthetic loan ledgers for benchmarks: valid ids, realistic dates and amounts, some bad rows.

Usage: ``python benchmarks/generate.py ROWS OUT.csv [--seed N]``
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np
import pandas as pd
from stdnum.cn import uscc

REGIONS = ("110108", "310115", "440300", "320500", "330100", "420100", "510100", "650100")


def borrower_pool(size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` distinct unified social credit codes with valid check characters."""
    regions = rng.choice(REGIONS, size)
    serials = rng.choice(10**9, size, replace=False)
    bases = [f"91{r}{s:09d}" for r, s in zip(regions, serials, strict=True)]
    return np.array([b + uscc.calc_check_digit(b) for b in bases], dtype=object)


def ledger(rows: int, *, seed: int = 7, borrowers: int | None = None, bad_share: float = 0.01):
    """A tech ledger for 2022Q2 and the eligible list (about 80% of the borrowers).

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray)
        The ledger, every cell text as read from a CSV, and the eligible ids.
    """
    rng = np.random.default_rng(seed)
    pool = borrower_pool(borrowers or max(rows // 5, 10), rng)
    eligible = pool[rng.random(len(pool)) < 0.8]
    start = np.datetime64("2022-03-15")
    disbursed = start + rng.integers(0, 120, rows).astype("timedelta64[D]")
    term_days = rng.choice([90, 181, 183, 365, 730, 1095], rows)
    matures = disbursed + term_days.astype("timedelta64[D]")
    fen = rng.integers(10_000_00, 50_000_000_00, rows)
    principal = pd.Series(fen // 100).astype(str) + "." + pd.Series(fen % 100).map("{:02d}".format)
    frame = pd.DataFrame(
        {
            "loan_id": pd.Series(np.arange(rows)).map("L{:09d}".format),
            "borrower_id": pool[rng.integers(0, len(pool), rows)],
            "principal": principal,
            "currency": np.where(rng.random(rows) < 0.02, "USD", "CNY"),
            "disbursement_date": np.datetime_as_string(disbursed),
            "maturity_date": np.datetime_as_string(matures),
        }
    )
    bad = rng.random(rows) < bad_share
    frame.loc[bad, "principal"] = "-1.00"
    return frame, eligible


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    frame, eligible = ledger(args.rows, seed=args.seed)
    frame.to_csv(args.out, index=False)
    pd.Series(eligible, name="borrower_id").to_csv(args.out + ".eligible.csv", index=False)
    print(f"{dt.datetime.now():%H:%M:%S} wrote {args.rows} rows to {args.out}")


if __name__ == "__main__":
    main()
