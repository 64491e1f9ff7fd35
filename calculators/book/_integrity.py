"""Whether a book holds what was recorded: every row against its digest and the
journal, each claim's loans and files, and the sums drawn, repaid and clawed back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from .._i18n import _
from .._money import fen_to_yuan
from . import _schema as schema
from ._folder import claimed_loans_digest
from ._values import Difference, Verification
from ._views import _frame

if TYPE_CHECKING:
    from ._store import Store

__all__ = ["Integrity"]


class Integrity:
    """The checking side of :class:`calculators.book.Book`."""

    store: Store

    def verify(self, *, files: bool = True) -> Verification:
        """Check everything the book holds.

        Each row against its own digest; the journal's chain, and every row against the
        journal entry that wrote it (a row changed, removed or added by hand is found);
        each claim's loans against their digest; with ``files``, each recorded folder's
        files against their SHA-256; and the sums: drawn at most entitled, repaid at
        most drawn, clawed back at most entitled.
        """
        found: list[Difference] = []
        rows_checked = files_checked = 0
        with self.store.read() as c:
            raw = {
                name: [
                    dict(r) for r in c.execute(sa.select(schema.metadata.tables[name])).mappings()
                ]
                for name in schema.DIGESTED
            }
            tables = {name: _frame(c, schema.metadata.tables[name]) for name in schema.DIGESTED}
            journal = _frame(c, schema.journal)
            loans = _frame(c, schema.claim_loans)
        written: dict[tuple[str, int], str] = {}
        previous = ""
        for r in journal.itertuples(index=False):
            row = {
                "seq": int(r.seq),
                "action": r.action,
                "entries": r.entries,
                "recorded_at": r.recorded_at,
                "recorded_by": r.recorded_by,
            }
            if r.previous_sha256 != previous or r.sha256 != schema.chain_digest(previous, row):
                found.append(
                    Difference(
                        "journal_changed",
                        f"journal {r.seq}",
                        _("the journal's chain is broken here"),
                    )
                )
            previous = r.sha256
            for table, row_id, digest in json.loads(r.entries):
                written[(table, int(row_id))] = digest
        for name, table_rows in raw.items():
            for row in table_rows:
                rows_checked += 1
                where = f"{name} {row['id']}"
                clean = row
                expected = written.pop((name, int(row["id"])), None)
                if expected is None and name != "book_meta":
                    found.append(
                        Difference("row_not_journalled", where, _("a row no recorded change wrote"))
                    )
                if schema.row_digest(name, clean) != row["row_sha256"] or (
                    expected is not None and expected != row["row_sha256"]
                ):
                    found.append(
                        Difference(
                            "row_changed", where, _("the row differs from what was recorded")
                        )
                    )
        for (name, row_id), _digest in written.items():
            if name != "book_meta":
                found.append(
                    Difference("row_missing", f"{name} {row_id}", _("a recorded row is gone"))
                )
        claims = tables["claims"]
        for cl in claims.itertuples(index=False):
            mine = loans[loans["claim_id"] == cl.id].sort_values("position")
            if claimed_loans_digest(mine) != cl.loans_sha256 or len(mine) != cl.loans_claimed:
                found.append(
                    Difference(
                        "loans_changed",
                        f"claims {cl.id}",
                        _("the claim's loans differ from what was recorded"),
                    )
                )
        if files:
            checks = [
                (Path(cl.folder) / "summary.json", cl.summary_sha256, f"claims {cl.id}")
                for cl in claims.itertuples(index=False)
            ]
            folder_of = dict(zip(claims["id"], claims["folder"], strict=True))
            checks += [
                (Path(folder_of[f.claim_id]) / f.name, f.sha256, f"claim_files {f.id}")
                for f in tables["claim_files"].itertuples(index=False)
            ]
            checks += [
                (Path(x.folder) / "summary.json", x.summary_sha256, f"clawbacks {x.id}")
                for x in tables["clawbacks"].itertuples(index=False)
            ]
            for path, digest, where in checks:
                files_checked += 1
                try:
                    actual = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError:
                    found.append(Difference("file_missing", where, str(path)))
                    continue
                if actual != digest:
                    found.append(
                        Difference(
                            "file_changed",
                            where,
                            _("{path}: its SHA-256 is {actual}, the book recorded {digest}").format(
                                path=path, actual=actual, digest=digest
                            ),
                        )
                    )
        found.extend(self._sums(tables))
        return Verification(rows_checked, files_checked, len(journal), previous, tuple(found))

    @staticmethod
    def _sums(tables: dict[str, pd.DataFrame]) -> list[Difference]:
        found = []
        claims, draws = tables["claims"], tables["drawdowns"]
        paid, claws = tables["repayments"], tables["clawbacks"]
        superseded = set(claims["revision_of"].dropna().astype(int))
        key = {
            i: (p, q, lender)
            for i, p, q, lender in zip(
                claims["id"], claims["program"], claims["period"], claims["lender"], strict=True
            )
        }
        for cl in claims[~claims["id"].isin(superseded)].itertuples(index=False):
            chain = [i for i, k in key.items() if k == key[cl.id]]
            drawn = int(draws[draws["claim_id"].isin(chain)]["amount_fen"].sum())
            clawed = int(claws[claws["claim_id"].isin(chain)]["amount_fen"].sum())
            if drawn > cl.entitlement_fen:
                found.append(
                    Difference(
                        "drawn_above_entitled",
                        f"claims {cl.id}",
                        f"{fen_to_yuan(drawn)} > {fen_to_yuan(int(cl.entitlement_fen))}",
                    )
                )
            if clawed > cl.entitlement_fen:
                found.append(
                    Difference(
                        "clawback_above_entitled",
                        f"claims {cl.id}",
                        f"{fen_to_yuan(clawed)} > {fen_to_yuan(int(cl.entitlement_fen))}",
                    )
                )
        for d in draws.itertuples(index=False):
            repaid = int(paid[paid["drawdown_id"] == d.id]["amount_fen"].sum())
            if repaid > d.amount_fen:
                found.append(
                    Difference(
                        "repaid_above_drawn",
                        f"drawdowns {d.id}",
                        f"{fen_to_yuan(repaid)} > {fen_to_yuan(int(d.amount_fen))}",
                    )
                )
        return found
