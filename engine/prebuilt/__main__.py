"""`python -m engine.prebuilt`: regenerate the prebuilt modules after a change."""

from engine.prebuilt.writer import write_all

for path in write_all():
    print(f"wrote {path}")
