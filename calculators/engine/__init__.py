"""The claim engine: reason codes and their labels, ``Program`` and the registry, the
rules programs share, validation, classification, the split of the entitlement, the
per-loan details, the claim and its result. It names no program: programs register."""
