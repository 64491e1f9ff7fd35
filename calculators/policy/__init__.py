"""The policy model: effective-dated versions of each program's figures with the notice
and clause behind each, the TOML reader and its checks, the table and its lookups, and
the lenders."""
