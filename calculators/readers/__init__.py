"""What relend reads: the one column-alias table, CSV and Excel files, the ledger and
the reference lists (borrower lists, designated projects)."""
