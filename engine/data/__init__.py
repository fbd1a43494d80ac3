"""Data shipped inside the package: the rule library and the schemas (mapped from the repository root)."""
