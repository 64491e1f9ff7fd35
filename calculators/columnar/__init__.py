"""Work on whole columns: Arrow and numpy byte work, threads, compiled kernels, dates,
identifiers and duplicates. Nothing here knows a program or a policy."""
