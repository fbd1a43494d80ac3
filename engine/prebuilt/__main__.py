"""`python -m engine.prebuilt`: regenerate the prebuilt rule library after a change."""

from engine.prebuilt.writer import write_library

print(f"wrote {write_library()}")
