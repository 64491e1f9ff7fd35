"""What relend writes: the ``--out`` folder transaction and the formats it writes (CSV,
XLSX), with their labels in both languages."""
