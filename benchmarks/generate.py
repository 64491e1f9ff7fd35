"""Synthetic tech ledgers for 2022Q2 with the dirt of real bank exports, text or typed.

Usage: ``python benchmarks/generate.py ROWS OUT.csv [--seed N]`` (writes the ledger and
``OUT.csv.eligible.csv``).

Every row is a loan of the 2022Q2 tech claim, with realistic dirt (shares of rows):

==========================  ======  ===============================================
dirt                        share   what the row holds
==========================  ======  ===============================================
``bad_check``               0.5%    a borrower id whose check character is wrong
``duplicate_id``            0.1%    a loan id another row has too (both rows count)
``nonpositive``             1%      principal 0 or negative
``missing_disbursement``    0.2%    no disbursement date
``missing_maturity``        0.2%    no maturity date
``impossible_date``         0.05%   ``2022-06-31`` as maturity (NaT when typed)
``matures_first``           0.1%    maturity on or before disbursement
``empty_loan_id``           0.05%   no loan id
``usd``                     2%      currency USD (also RMB, 人民币, ``cny``, empty: CNY)
``short_term``              ~25%    90 days, or 6 months less a day
``before_april``            ~14%    disbursed 2022-03-15 .. 2022-03-31
``after_june``              ~13%    disbursed in July
``not_listed``              ~20%    a valid borrower not on the eligible list
``resident``                5%      a valid resident id (individual borrower)
``abolished_region``        0.05%   a resident id of a region abolished before birth
==========================  ======  ===============================================

One borrower per five loans. The text form is every cell a string, as read from a
CSV; the typed form is what a notebook has: ``datetime64`` dates (``pd.to_datetime``,
unreadable ones NaT), an int64 ``principal_fen`` instead of the text ``principal``.
Deterministic by seed. Check characters are computed here by the published rules
(GB 32100-2015, GB 11643-1999), not by relend.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

QUARTER, LENDER = "2022Q2", "ICBC"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
RIC_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
RIC_CHECK = "0123456789X"
REGIONS = ("110108", "310115", "440300", "320500", "330100", "420100", "510100", "650100")
RESIDENT_REGIONS = ("110101", "310104", "440305", "330106", "510107")
ABOLISHED = "110103"  # 崇文区, abolished 2010: no one born in 2012 carries it


@dataclass(frozen=True)
class Generated:
    """A generated ledger, its eligible list, and which rows carry each kind of dirt."""

    frame: pd.DataFrame
    eligible: np.ndarray
    dirt: dict[str, np.ndarray]


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers as an ``(n, width)`` matrix of decimal digits."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values[:, None] // powers) % 10


def _text(matrix: np.ndarray) -> np.ndarray:
    """An ``(n, k)`` uint8 matrix of ASCII codes as an object array of str."""
    raw = np.ascontiguousarray(matrix, dtype=np.uint8).view(f"S{matrix.shape[1]}")[:, 0]
    return raw.astype(str).astype(object)


def usccs(regions: np.ndarray, serials: np.ndarray) -> np.ndarray:
    """Unified social credit codes ``91`` + region + 9-digit serial + check character."""
    body = np.concatenate(
        [np.tile([9, 1], (len(regions), 1)), _digits(regions, 6), _digits(serials, 9)], axis=1
    )
    check = (31 - (body * USCC_WEIGHTS).sum(axis=1) % 31) % 31
    codes = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
    return _text(np.concatenate([body + 48, codes[check][:, None]], axis=1))


def resident_ids(regions: np.ndarray, born: np.ndarray, serials: np.ndarray) -> np.ndarray:
    """Resident ids: region, birth date (``datetime64[D]``), 3-digit serial, check."""
    ymd = pd.DatetimeIndex(born)
    yyyymmdd = ymd.year.to_numpy() * 10_000 + ymd.month.to_numpy() * 100 + ymd.day.to_numpy()
    body = np.concatenate(
        [_digits(regions, 6), _digits(yyyymmdd.astype(np.int64), 8), _digits(serials, 3)], axis=1
    )
    check = (12 - (body * RIC_WEIGHTS).sum(axis=1) % 11) % 11
    codes = np.frombuffer(RIC_CHECK.encode(), dtype=np.uint8)
    return _text(np.concatenate([body + 48, codes[check][:, None]], axis=1))


def wrong_check(ids: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The ids with the last character replaced by another of the USCC alphabet
    (wrong for a USCC; for a resident id wrong too, or not a check character at all)."""
    out = ids.copy()
    for k, value in enumerate(ids):  # only the 0.5% of rows given a wrong check
        choices = [c for c in USCC_ALPHABET if c != value[-1]]
        out[k] = value[:-1] + choices[rng.integers(len(choices))]
    return out


def borrower_pool(size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` distinct valid ids: 95% unified social credit codes, 5% resident ids."""
    people = size // 20
    regions = np.array(REGIONS, dtype=np.int64)[rng.integers(0, len(REGIONS), size - people)]
    firms = usccs(regions, rng.choice(10**9, size - people, replace=False))
    home = np.array(RESIDENT_REGIONS, dtype=np.int64)[rng.integers(0, 5, people)]
    born = np.datetime64("1960-01-01") + rng.integers(0, 40 * 365, people).astype("m8[D]")
    serials = rng.choice(1000, people) if people <= 1000 else rng.integers(0, 1000, people)
    persons = resident_ids(home, born, serials)
    pool = np.unique(np.concatenate([firms, persons]))  # a serial may repeat for people
    return pool[rng.permutation(len(pool))]


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """``datetime64[D]`` plus calendar months, clamped to the month's end."""
    first = days.astype("datetime64[M]")
    offset = (days - first.astype("datetime64[D]")).astype(np.int64)
    target = first + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(int)
    return target.astype("datetime64[D]") + np.minimum(offset, length - 1).astype("m8[D]")


def generate(rows: int, *, seed: int = 7, typed: bool = False) -> Generated:
    """A dirty 2022Q2 tech ledger of ``rows`` rows (see the module docstring)."""
    rng = np.random.default_rng(seed)
    pool = borrower_pool(max(rows // 5, 40), rng)
    listed = rng.random(len(pool)) < 0.8
    eligible = pool[listed]
    pick = rng.integers(0, len(pool), rows)
    borrower = pool[pick]
    person = ~pd.Series(pool).str.startswith("91").to_numpy(dtype=bool)
    dirt: dict[str, np.ndarray] = {"resident": person[pick], "not_listed": ~listed[pick]}

    bad = rng.random(rows) < 0.005
    borrower[bad] = wrong_check(borrower[bad], rng)
    dirt["bad_check"] = bad
    gone = np.flatnonzero(rng.random(rows) < 0.0005)
    born = np.datetime64("2012-01-01") + rng.integers(0, 365, len(gone)).astype("m8[D]")
    borrower[gone] = resident_ids(
        np.full(len(gone), int(ABOLISHED)), born, rng.integers(0, 1000, len(gone))
    )
    dirt["abolished_region"] = np.zeros(rows, dtype=bool)
    dirt["abolished_region"][gone] = True

    disbursed = np.datetime64("2022-03-15") + rng.integers(0, 125, rows).astype("m8[D]")
    dirt["before_april"] = disbursed < np.datetime64("2022-04-01")
    dirt["after_june"] = disbursed > np.datetime64("2022-06-30")
    kind = rng.choice(7, rows, p=[0.10, 0.10, 0.05, 0.15, 0.30, 0.20, 0.10])
    days = np.array([90, 0, 0, 181, 365, 730, 1095])[kind].astype("m8[D]")
    matures = disbursed + days
    six = add_months(disbursed, 6)
    matures = np.where(kind == 1, six, matures)  # exactly 6 months: long enough
    matures = np.where(kind == 2, six - np.timedelta64(1, "D"), matures)  # a day short
    dirt["short_term"] = matures < six
    first = rng.random(rows) < 0.001
    matures[first] = disbursed[first] - rng.integers(0, 30, first.sum()).astype("m8[D]")
    dirt["matures_first"] = first

    fen = rng.integers(10_000_00, 50_000_000_00, rows)
    whole = rng.random(rows) < 0.01
    fen[whole] -= fen[whole] % 100
    nonpositive = rng.random(rows) < 0.01
    fen[nonpositive] = np.where(rng.random(nonpositive.sum()) < 0.5, 0, -fen[nonpositive])
    dirt["nonpositive"] = nonpositive

    loan_id = pd.Series(np.arange(rows)).map("L{:09d}".format).to_numpy(dtype=object)
    copies = np.flatnonzero(rng.random(rows) < 0.0005)
    originals = rng.integers(0, rows, len(copies))
    loan_id[copies] = loan_id[originals]
    counts = pd.Series(loan_id).value_counts()
    dirt["duplicate_id"] = pd.Series(loan_id).map(counts).to_numpy() > 1
    empty = rng.random(rows) < 0.0005
    loan_id[empty] = ""
    dirt["empty_loan_id"] = empty

    currency = rng.choice(
        np.array(["CNY", "USD", "RMB", "人民币", "cny", ""], dtype=object),
        rows, p=[0.935, 0.02, 0.02, 0.01, 0.01, 0.005],
    )  # fmt: skip
    dirt["usd"] = currency == "USD"

    d_text = np.datetime_as_string(disbursed).astype(object)
    m_text = np.datetime_as_string(matures).astype(object)
    no_d, no_m = rng.random(rows) < 0.002, rng.random(rows) < 0.002
    impossible = rng.random(rows) < 0.0005
    d_text[no_d], m_text[no_m], m_text[impossible] = "", "", "2022-06-31"
    dirt["missing_disbursement"], dirt["missing_maturity"] = no_d, no_m
    dirt["impossible_date"] = impossible

    columns: dict[str, object] = {"loan_id": loan_id, "borrower_id": borrower}
    if typed:
        columns["principal_fen"] = fen.astype(np.int64)
    else:
        sign = np.where(fen < 0, "-", "")
        yuan, cents = np.divmod(np.abs(fen), 100)
        amounts = (
            pd.Series(sign)
            + pd.Series(yuan).astype(str)
            + "."
            + pd.Series(cents).map("{:02d}".format)
        )
        amounts[whole & ~nonpositive] = pd.Series(yuan[whole & ~nonpositive]).astype(str).values
        columns["principal"] = amounts.to_numpy(dtype=object)
    columns["currency"] = currency
    for name, text in (("disbursement_date", d_text), ("maturity_date", m_text)):
        if typed:
            columns[name] = pd.to_datetime(pd.Series(text), format="%Y-%m-%d", errors="coerce")
        else:
            columns[name] = text
    frame = pd.DataFrame(columns)
    for name in ("loan_id", "borrower_id", "currency", "principal"):
        if name in frame.columns:
            frame[name] = frame[name].astype("str")
    return Generated(frame, eligible, dirt)


def ledger(rows: int, *, seed: int = 7, typed: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    """The ledger and its eligible list (see :func:`generate`)."""
    found = generate(rows, seed=seed, typed=typed)
    return found.frame, found.eligible


def write(rows: int, out: str, seed: int = 7) -> None:
    """Write the text ledger as a CSV (as banks export it) and its eligible list."""
    frame, eligible = ledger(rows, seed=seed)
    frame.to_csv(out, index=False)
    pd.Series(eligible, name="borrower_id").to_csv(out + ".eligible.csv", index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write(args.rows, args.out, args.seed)
    print(f"{dt.datetime.now():%H:%M:%S} wrote {args.rows} rows to {args.out}")


if __name__ == "__main__":
    main()
