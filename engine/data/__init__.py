"""Data shipped inside the package: the rule library and the schemas (mapped from the repository root)."""

from __future__ import annotations

from pathlib import Path


def folder(name: str):
    """The shipped folder `name` ("rules" or "schemas"): a plain path where the package is
    files on disk, as pip installs it and as a checkout has it, else what importlib.resources
    makes of it (a zip, say). Both have iterdir, joinpath, read_text and read_bytes;
    importlib.resources itself is left unimported in the usual case (a few milliseconds
    of every start-up)."""
    path = Path(__file__).parent / name
    if path.is_dir():
        return path
    from importlib.resources import files

    return files(f"{__name__}.{name}")
