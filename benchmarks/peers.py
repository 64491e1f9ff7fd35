"""The 2022Q2 tech claim written in DuckDB SQL and in Polars, and the row-by-row check
of their outputs against relend's.

Both peers do the whole claim as relend does it, as far as the generated ledgers need
(see ``generate.py``):

- validation: loan ids stripped, an empty one ``invalid_loan_id``; a loan id carried by
  more than one row makes every such row ``duplicate_loan_id``; borrower ids stripped
  and upper-cased, valid when they are an 18-character unified social credit code
  (GB 32100-2015: 8 digits, 9 characters of the code alphabet, the mod-31 check
  character) or resident id (GB 11643-1999: 17 digits and the MOD 11-2 check character,
  a real birth date, a region code python-stdnum knows that was not abolished before the
  birth year); principal in yuan (``12345.67``, ``1,234.5``, ``500000``; at most two
  decimals) or, typed, int64 fen, valid when strictly positive (at most 10^17 fen);
  dates ``YYYY-MM-DD`` (typed: midnight ``datetime64``), an unreadable or missing one
  ``invalid_date``; maturity on or before disbursement invalid;
- exclusions: currency other than CNY (CNY, RMB, 人民币, 156 or empty, case and spaces
  ignored); before the policy's first loan date (2022-04-01); outside the quarter; a
  term shorter than 6 calendar months (maturity before disbursement + 6 months, clamped
  to the month's end); a borrower not on the eligible list;
- one reason per row, the first that applies in relend's order;
- the claim: 60% of the eligible principal rounded once, half up, split over the loans
  by largest remainder (each loan ``floor(3p/5)``; the fen left over go one each to the
  largest remainders, earlier rows first among equal ones);
- every input row out, in input order.

The constants of the tech programme (versions, ratio, term, lenders) are written here
as the notice gives them, not read from relend.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

QUARTER_START, QUARTER_END = dt.date(2022, 4, 1), dt.date(2022, 6, 30)
POLICY_START = dt.date(2022, 4, 1)  # tech-2022's first loans (notice 三); tech-2024 follows
# on 2024-04-07 with no gap and no end, so no loan can be after_policy_end here
RATIO_NUM, RATIO_DEN = 3, 5  # 60% under both versions
MIN_TERM_MONTHS = 6
MAX_FEN = 10**17
CNY_ALIASES = ("CNY", "RMB", "人民币", "156", "")
LENDERS = (
    "CDB", "EXIM", "ADBC", "ICBC", "ABC", "BOC", "CCB", "BOCOM", "PSBC", "CITIC", "CEB",
    "HXB", "CMBC", "CMB", "CIB", "CGB", "PAB", "SPDB", "EGB", "CZB", "CBHB",
)  # fmt: skip
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_PATTERN = "^[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}$"
RIC_PATTERN = "^[0-9]{17}[0-9X]$"
YUAN_PATTERN = r"^[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?$"

INVALID = (
    "invalid_loan_id", "duplicate_loan_id", "invalid_borrower_id", "invalid_principal",
    "invalid_date", "maturity_not_after_disbursement",
)  # fmt: skip
EXCLUDED = (
    "non_cny", "before_policy_start", "after_policy_end", "outside_period",
    "term_under_minimum", "borrower_not_eligible",
)  # fmt: skip


def check_lender(lender: str) -> None:
    """Refuse a lender not among the 21 of the tech notice (一, seed 748-754)."""
    if lender not in LENDERS:
        raise ValueError(f"{lender} is not an eligible lender of the tech programme")


@functools.cache
def region_years() -> pd.DataFrame:
    """Every 6-digit region code python-stdnum knows, with the last year it was in use
    (9999 while in use): a resident id is placed when its birth year is at most that."""
    from stdnum import numdb

    db = numdb.get("cn/loc")
    codes: list[str] = []
    for length, low, high, _, children in db.prefixes:
        for province in range(int(low), int(high) + 1):
            for c_length, c_low, c_high, _, _ in children:
                if length == 2 and c_length == 4:
                    codes += [f"{province:02d}{k:04d}" for k in range(int(c_low), int(c_high) + 1)]
    last: dict[int, int] = {}
    for code in dict.fromkeys(codes):
        props = {k: v for _, p in db.info(code) for k, v in p.items()}
        counties = props.get("county")
        if not counties:
            continue
        years = []
        for county in counties.split(","):
            if not county.startswith("["):
                years.append(9999)
            else:
                end = county[1:].split("]")[0].split("-")[1]
                years.append(int(end) if end else 9999)
        last[int(code)] = max(years)
    return pd.DataFrame({"region": list(last), "last_year": list(last.values())})


# -- DuckDB ---------------------------------------------------------------------------


def _duck_weighted(column: str, weights: tuple[int, ...], alphabet: str) -> str:
    return " + ".join(
        f"{w} * (strpos('{alphabet}', substr({column}, {i + 1}, 1)) - 1)"
        for i, w in enumerate(weights)
    )


def _duck_digit_sum(weights: tuple[int, ...]) -> str:
    """The weighted sum of the first 17 digits of ``bid``, read as one integer."""
    return " + ".join(f"{w} * ((n17 // {10 ** (16 - i)}) % 10)" for i, w in enumerate(weights))


def _duck_date(column: str, typed: bool) -> str:
    if typed:
        return f"CASE WHEN {column} = date_trunc('day', {column}) THEN CAST({column} AS DATE) END"
    return f"CAST(try_strptime(trim({column}), '%Y-%m-%d') AS DATE)"


def duckdb_claim_sql(typed: bool, source: str = "ledger", eligible: str = "eligible") -> str:
    """The whole claim as one DuckDB query over the table ``source`` (the ledger as
    given: text columns, or typed with ``principal_fen``) and ``eligible``
    (``borrower_id``), and a table ``regions`` (:func:`region_years`). Every input
    column comes out, then ``principal_fen``, ``status``, ``reason``, ``entitlement_fen``."""
    if typed:
        fen = "principal_fen"
        fen_ok = "principal_fen IS NOT NULL"
    else:
        text = "trim(coalesce(principal, ''))"
        fen = f"TRY_CAST(TRY_CAST(replace({text}, ',', '') AS DECIMAL(20, 2)) * 100 AS BIGINT)"
        fen_ok = f"regexp_matches({text}, '{YUAN_PATTERN}')"
    uscc_sum = _duck_weighted("bid", USCC_WEIGHTS, USCC_ALPHABET)
    uscc_digits = _duck_digit_sum(USCC_WEIGHTS)
    ric_digits = _duck_digit_sum(RIC_WEIGHTS)
    cny = ", ".join(f"'{c}'" for c in CNY_ALIASES)
    # principal_fen where valid, in the input's principal_fen column when it has one
    principal = "CASE WHEN fen_ok THEN fen_raw END"
    principal_out = (
        f"REPLACE ({principal} AS principal_fen)" if typed else f", {principal} AS principal_fen"
    )
    q0, q1, p0 = QUARTER_START.isoformat(), QUARTER_END.isoformat(), POLICY_START.isoformat()
    return f"""
WITH src AS (
    SELECT row_number() OVER () - 1 AS rn, * FROM {source}
),
parsed AS (
    SELECT *,
        trim(coalesce(loan_id, '')) AS lid,
        upper(trim(coalesce(borrower_id, ''))) AS bid,
        CASE WHEN regexp_matches(bid, '^[0-9]{{17}}[0-9A-Z]$')
             THEN CAST(substr(bid, 1, 17) AS BIGINT) END AS n17,
        {fen} AS fen_raw,
        {fen_ok} AS fen_form,
        {_duck_date("disbursement_date", typed)} AS d,
        {_duck_date("maturity_date", typed)} AS m,
        upper(trim(coalesce(currency, ''))) IN ({cny}) AS cny
    FROM src
),
dups AS (
    SELECT trim(loan_id) AS lid FROM {source}
    WHERE trim(loan_id) <> '' GROUP BY ALL HAVING count(*) > 1
),
ids AS (
    SELECT p.*,
        lid IN (SELECT lid FROM dups) AS dup,
        CASE
            -- the usual id, 17 digits then the check: both sums from one integer
            WHEN n17 IS NOT NULL THEN
                substr(bid, 18, 1)
                    = substr('{USCC_ALPHABET}', (31 - ({uscc_digits}) % 31) % 31 + 1, 1)
                OR (substr(bid, 18, 1)
                        = substr('0123456789X', (12 - ({ric_digits}) % 11) % 11 + 1, 1)
                    AND try_strptime(substr(bid, 7, 8), '%Y%m%d') IS NOT NULL
                    AND coalesce(CAST(substr(bid, 7, 4) AS INTEGER) <= r.last_year, false))
            WHEN regexp_matches(bid, '{USCC_PATTERN}') THEN
                substr(bid, 18, 1)
                = substr('{USCC_ALPHABET}', (31 - ({uscc_sum}) % 31) % 31 + 1, 1)
            ELSE false
        END AS id_ok,
        fen_form AND fen_raw > 0 AND fen_raw <= {MAX_FEN} AS fen_ok
    FROM parsed p
    LEFT JOIN regions r
        ON r.region = TRY_CAST(CASE WHEN regexp_matches(p.bid, '{RIC_PATTERN}')
                                    THEN substr(p.bid, 1, 6) END AS INTEGER)
),
reasons AS (
    SELECT *,
        CASE
            WHEN lid = '' THEN 'invalid_loan_id'
            WHEN dup THEN 'duplicate_loan_id'
            WHEN NOT id_ok THEN 'invalid_borrower_id'
            WHEN NOT fen_ok THEN 'invalid_principal'
            WHEN d IS NULL OR m IS NULL THEN 'invalid_date'
            WHEN m <= d THEN 'maturity_not_after_disbursement'
            WHEN NOT cny THEN 'non_cny'
            WHEN d < DATE '{p0}' THEN 'before_policy_start'
            WHEN d < DATE '{q0}' OR d > DATE '{q1}' THEN 'outside_period'
            WHEN m < CAST(d + INTERVAL {MIN_TERM_MONTHS} MONTH AS DATE) THEN 'term_under_minimum'
            WHEN bid NOT IN (SELECT borrower_id FROM {eligible}) THEN 'borrower_not_eligible'
            ELSE 'eligible'
        END AS reason
    FROM ids
),
shares AS (
    SELECT *,
        CASE WHEN reason = 'eligible' THEN fen_raw ELSE 0 END AS p,
        (p // {RATIO_DEN}) * {RATIO_NUM} + ((p % {RATIO_DEN}) * {RATIO_NUM}) // {RATIO_DEN} AS fl,
        ((p % {RATIO_DEN}) * {RATIO_NUM}) % {RATIO_DEN} AS rem
    FROM reasons
),
totals AS (
    SELECT
        -- the one rounding, half up: the exact total is sum(fl) + sum(rem) / {RATIO_DEN}
        sum(rem) // {RATIO_DEN}
            + CASE WHEN 2 * (sum(rem) % {RATIO_DEN}) >= {RATIO_DEN} THEN 1 ELSE 0 END AS k,
        count(*) FILTER (WHERE rem = 4) AS c4, count(*) FILTER (WHERE rem = 3) AS c3,
        count(*) FILTER (WHERE rem = 2) AS c2, count(*) FILTER (WHERE rem = 1) AS c1
    FROM shares
),
threshold AS (
    -- the leftover fen go to remainders above r, and to the first `take` rows at r
    SELECT r, k - above AS take FROM (
        SELECT CASE WHEN k <= c4 THEN 4 WHEN k <= c4 + c3 THEN 3
                    WHEN k <= c4 + c3 + c2 THEN 2 WHEN k <= c4 + c3 + c2 + c1 THEN 1
                    ELSE 0 END AS r,
               k,
               CASE WHEN k <= c4 THEN 0 WHEN k <= c4 + c3 THEN c4
                    WHEN k <= c4 + c3 + c2 THEN c4 + c3 ELSE c4 + c3 + c2 END AS above
        FROM totals)
),
cutoff AS (
    SELECT coalesce(max(rn), -1) AS last_rn FROM (
        SELECT rn FROM shares WHERE rem = (SELECT r FROM threshold) ORDER BY rn
        LIMIT (SELECT take FROM threshold))
)
SELECT * EXCLUDE (rn, lid, bid, n17, fen_raw, fen_form, d, m, cny, dup, id_ok, fen_ok, p, fl,
                  rem, reason)
    {principal_out},
    CASE WHEN reason = 'eligible' THEN 'eligible'
         WHEN reason IN {INVALID} THEN 'invalid' ELSE 'excluded' END AS status,
    reason,
    fl + CASE WHEN rem > (SELECT r FROM threshold)
                   OR (rem = (SELECT r FROM threshold) AND rn <= (SELECT last_rn FROM cutoff))
              THEN 1 ELSE 0 END AS entitlement_fen
FROM shares
ORDER BY rn
"""


DUCKDB_BARE_QUERY = """
SELECT sum(TRY_CAST(replace(principal, '.', '') AS BIGINT)) AS eligible_fen
FROM ledger l
WHERE currency = 'CNY'
  AND principal NOT LIKE '-%'
  AND TRY_CAST(disbursement_date AS DATE) BETWEEN DATE '2022-04-01' AND DATE '2022-06-30'
  AND TRY_CAST(maturity_date AS DATE)
      >= TRY_CAST(disbursement_date AS DATE) + INTERVAL 6 MONTH
  AND borrower_id IN (SELECT borrower_id FROM eligible)
"""
"""DuckDB's bare eligibility-and-sum query on text columns: it trusts every id, loan id
and amount (``TRY_CAST`` only so that a missing date does not stop it); its sum is not
relend's on a dirty ledger."""

DUCKDB_BARE_QUERY_TYPED = """
SELECT sum(principal_fen) AS eligible_fen
FROM ledger l
WHERE currency = 'CNY'
  AND principal_fen > 0
  AND disbursement_date BETWEEN DATE '2022-04-01' AND DATE '2022-06-30'
  AND maturity_date >= disbursement_date + INTERVAL 6 MONTH
  AND borrower_id IN (SELECT borrower_id FROM eligible)
"""
"""The bare query on a typed frame."""


def duckdb_connection(eligible: np.ndarray, threads: int | None = None) -> Any:
    """A DuckDB connection with the ``eligible`` and ``regions`` tables loaded."""
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    con.register("eligible_frame", pd.DataFrame({"borrower_id": pd.Series(eligible, dtype=str)}))
    con.execute("CREATE TABLE eligible AS SELECT * FROM eligible_frame")
    con.register("regions_frame", region_years())
    con.execute("CREATE TABLE regions AS SELECT * FROM regions_frame")
    return con


def duckdb_claim(con: Any, frame: pd.DataFrame, typed: bool, lender: str = "ICBC") -> pa.Table:
    """The claim on an in-memory ledger, as an Arrow table (every row, input order)."""
    check_lender(lender)
    con.register("ledger", frame)
    return con.sql(duckdb_claim_sql(typed)).to_arrow_table()


def duckdb_pipeline(con: Any, csv_path: str, out_dir: str, lender: str = "ICBC") -> dict:
    """From the CSV to ``loans.csv`` and ``summary.json`` in ``out_dir``: ``read_csv``,
    the full claim into a table, ``COPY`` to CSV, totals and counts to JSON."""
    import json
    from pathlib import Path

    check_lender(lender)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW ledger_csv AS "
        f"SELECT * FROM read_csv('{csv_path}', all_varchar = true, header = true)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE claimed AS " + duckdb_claim_sql(False, source="ledger_csv")
    )
    loans = str(Path(out_dir) / "loans.csv")
    con.execute(f"COPY claimed TO '{loans}' (HEADER, DELIMITER ',')")
    eligible, entitled, rows = con.execute(
        "SELECT sum(principal_fen) FILTER (WHERE status = 'eligible'), sum(entitlement_fen), "
        "count(*) FROM claimed"
    ).fetchone()
    counts = dict(con.execute("SELECT reason, count(*) FROM claimed GROUP BY reason").fetchall())
    summary = {
        "eligible_principal_fen": int(eligible or 0),
        "entitlement_fen": int(entitled or 0),
        "rows": int(rows),
        "reasons": {k: int(v) for k, v in sorted(counts.items())},
    }
    (Path(out_dir) / "summary.json").write_text(json.dumps(summary, indent=2))
    con.execute("DROP TABLE claimed")
    return summary


# -- Polars ---------------------------------------------------------------------------


def polars_claim(frame: Any, eligible: Any, typed: bool, lender: str = "ICBC") -> Any:
    """The claim on a Polars DataFrame (or LazyFrame) ``frame``, as a Polars DataFrame.

    ``eligible`` is a Polars Series of ids. Every input column comes out, then
    ``principal_fen``, ``status``, ``reason`` and ``entitlement_fen``, in input order.
    """
    import polars as pl

    check_lender(lender)
    regions = region_years()
    lazy = frame.lazy().with_row_index("rn")
    columns = list(frame.collect_schema().names())
    bid = pl.col("bid")

    def weighted(weights: tuple[int, ...], alphabet: str) -> pl.Expr:
        value = {c: i for i, c in enumerate(alphabet)}
        return pl.sum_horizontal(
            w * bid.str.slice(i, 1).replace_strict(value, default=0, return_dtype=pl.Int64)
            for i, w in enumerate(weights)
        )

    if typed:
        fen = pl.col("principal_fen").cast(pl.Int64)
        fen_form = pl.col("principal_fen").is_not_null()
    else:
        text = pl.col("principal").fill_null("").str.strip_chars()
        fen_form = text.str.contains(YUAN_PATTERN)
        fen = (
            pl.when(fen_form)
            .then(text.str.replace_all(",", "", literal=True))
            .cast(pl.Decimal(20, 2), strict=False)
            .mul(100)
            .cast(pl.Int64, strict=False)
        )

    def date(name: str) -> pl.Expr:
        column = pl.col(name)
        if typed:
            return pl.when(column == column.dt.truncate("1d")).then(column.dt.date())
        return column.str.strip_chars().str.strptime(pl.Date, "%Y-%m-%d", strict=False)

    # the usual id, 17 digits then the check: both weighted sums from one integer
    n17 = pl.col("n17")

    def digit_sum(weights: tuple[int, ...]) -> pl.Expr:
        return pl.sum_horizontal((n17 // 10 ** (16 - i)) % 10 * w for i, w in enumerate(weights))

    def check(alphabet: str, total: pl.Expr, modulus: int, offset: int) -> pl.Expr:
        return pl.lit(alphabet).str.slice((offset - total % modulus) % modulus, 1)

    last = bid.str.slice(17, 1)
    born_year = bid.str.slice(6, 4).cast(pl.Int64, strict=False)
    last_year = (
        bid.str.slice(0, 6).cast(pl.Int64, strict=False)
        .replace_strict(
            regions["region"].to_list(), regions["last_year"].to_list(), default=-1,
            return_dtype=pl.Int64,
        )
    )  # fmt: skip
    ric_ok = (
        (last == check("0123456789X", digit_sum(RIC_WEIGHTS), 11, 12))
        & bid.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False).is_not_null()
        & (born_year <= last_year)
    )
    digits_ok = (last == check(USCC_ALPHABET, digit_sum(USCC_WEIGHTS), 31, 31)) | ric_ok
    letters_ok = bid.str.contains(USCC_PATTERN) & (
        last == check(USCC_ALPHABET, weighted(USCC_WEIGHTS, USCC_ALPHABET), 31, 31)
    )
    id_ok = pl.when(n17.is_not_null()).then(digits_ok).otherwise(letters_ok)
    d, m = pl.col("d"), pl.col("m")
    listed = bid.is_in(eligible.implode())
    reason = (
        pl.when(pl.col("lid") == "").then(pl.lit("invalid_loan_id"))
        .when(pl.col("lid").is_duplicated()).then(pl.lit("duplicate_loan_id"))
        .when(~pl.col("id_ok")).then(pl.lit("invalid_borrower_id"))
        .when(~pl.col("fen_ok")).then(pl.lit("invalid_principal"))
        .when(d.is_null() | m.is_null()).then(pl.lit("invalid_date"))
        .when(m <= d).then(pl.lit("maturity_not_after_disbursement"))
        .when(~pl.col("cny")).then(pl.lit("non_cny"))
        .when(d < POLICY_START).then(pl.lit("before_policy_start"))
        .when((d < QUARTER_START) | (d > QUARTER_END)).then(pl.lit("outside_period"))
        .when(m < d.dt.offset_by(f"{MIN_TERM_MONTHS}mo")).then(pl.lit("term_under_minimum"))
        .when(~listed).then(pl.lit("borrower_not_eligible"))
        .otherwise(pl.lit("eligible"))
    )  # fmt: skip
    p = pl.when(pl.col("reason") == "eligible").then(pl.col("fen_raw")).otherwise(0)
    shares = (
        lazy.with_columns(
            lid=pl.col("loan_id").fill_null("").str.strip_chars(),
            bid=pl.col("borrower_id").fill_null("").str.strip_chars().str.to_uppercase(),
            fen_raw=fen,
            fen_form=fen_form,
            d=date("disbursement_date"),
            m=date("maturity_date"),
            cny=pl.col("currency")
            .fill_null("")
            .str.strip_chars()
            .str.to_uppercase()
            .is_in(CNY_ALIASES),
        )
        .with_columns(
            n17=pl.when(pl.col("bid").str.contains("^[0-9]{17}[0-9A-Z]$")).then(
                pl.col("bid").str.slice(0, 17).cast(pl.Int64, strict=False)
            ),
        )
        .with_columns(
            id_ok=id_ok.fill_null(False),
            fen_ok=(
                pl.col("fen_form") & (pl.col("fen_raw") > 0) & (pl.col("fen_raw") <= MAX_FEN)
            ).fill_null(False),
        )
        .with_columns(reason=reason)
        .with_columns(p=p)
        .with_columns(
            fl=(pl.col("p") // RATIO_DEN) * RATIO_NUM
            + ((pl.col("p") % RATIO_DEN) * RATIO_NUM) // RATIO_DEN,
            rem=((pl.col("p") % RATIO_DEN) * RATIO_NUM) % RATIO_DEN,
        )
        .collect()
    )
    total = int(shares["rem"].sum())
    # the one rounding, half up: the exact total is sum(fl) + sum(rem) / RATIO_DEN
    k = total // RATIO_DEN + (1 if 2 * (total % RATIO_DEN) >= RATIO_DEN else 0)
    counts = shares.group_by("rem").len()
    per = dict(zip(counts["rem"].to_list(), counts["len"].to_list(), strict=True))
    r, take = 0, 0
    for candidate in range(RATIO_DEN - 1, 0, -1):  # over remainders, not rows
        if k <= per.get(candidate, 0):
            r, take = candidate, k
            break
        k -= per.get(candidate, 0)
    at_r = shares.lazy().filter(pl.col("rem") == r).select("rn").head(take).collect()["rn"]
    last_rn = int(at_r.max()) if take else -1
    bonus = (pl.col("rem") > r) | ((pl.col("rem") == r) & (pl.col("rn") <= last_rn))
    status = (
        pl.when(pl.col("reason") == "eligible").then(pl.lit("eligible"))
        .when(pl.col("reason").is_in(INVALID)).then(pl.lit("invalid"))
        .otherwise(pl.lit("excluded"))
    )  # fmt: skip
    principal = pl.when(pl.col("fen_ok")).then(pl.col("fen_raw")).alias("principal_fen")
    out = [principal if c == "principal_fen" else pl.col(c) for c in columns]
    if "principal_fen" not in columns:
        out.append(principal)
    return shares.select(
        *out,
        status=status,
        reason=pl.col("reason"),
        entitlement_fen=pl.col("fl") + bonus.cast(pl.Int64),
    )


# -- the row-by-row check -------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Where a peer's output differs from relend's, column by column."""

    rows: int
    differing: dict[str, int]  # column -> rows that differ
    first: dict[str, list[int]]  # column -> the first few differing rows

    @property
    def same(self) -> bool:
        return not any(self.differing.values())

    def __str__(self) -> str:
        if self.same:
            return f"same on all {self.rows:,} rows"
        return "; ".join(
            f"{name}: {n:,} rows differ (first {self.first[name]})"
            for name, n in self.differing.items()
            if n
        )


COMPARED = ("principal_fen", "status", "reason", "entitlement_fen")


def _arrow_column(table: Any, name: str) -> pa.Array:
    if isinstance(table, pd.DataFrame):
        column = pa.array(table[name])
    elif isinstance(table, pa.Table):
        column = table.column(name).combine_chunks()
    else:  # Polars
        column = table[name].to_arrow()
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if pa.types.is_integer(column.type):
        return column.cast(pa.int64())
    return column.cast(pa.large_string())


def compare(relend_loans: pd.DataFrame, peer: Any, show: int = 5) -> Comparison:
    """Compare a peer's per-loan output with relend's, row by row, on principal_fen
    (missing where the principal is invalid), status, reason and entitlement_fen.

    ``peer`` is a pandas DataFrame, an Arrow table or a Polars DataFrame with the rows
    in input order.
    """
    rows = len(relend_loans)
    if len(peer) != rows:
        return Comparison(rows, {"rows": abs(len(peer) - rows)}, {"rows": []})
    differing, first = {}, {}
    for name in COMPARED:
        ours, theirs = _arrow_column(relend_loans, name), _arrow_column(peer, name)
        equal = pc.fill_null(pc.equal(ours, theirs), False)
        both_null = pc.and_(pc.is_null(ours), pc.is_null(theirs))
        same = pc.or_(equal, both_null).to_numpy(zero_copy_only=False)
        bad = np.flatnonzero(~same)
        differing[name], first[name] = len(bad), bad[:show].tolist()
    return Comparison(rows, differing, first)
