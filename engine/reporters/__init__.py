"""Report formats, one module each behind one interface: `render(report, options) -> str`."""

from __future__ import annotations

import importlib
from typing import Callable, NamedTuple

from engine.findings import Report


class RenderOptions(NamedTuple):
    """How a report is rendered: colour, and the severity threshold it marks."""

    color: bool = False
    threshold: str = "minor"


Renderer = Callable[[Report, RenderOptions], str]


# Format name → the module that renders it; only the formats asked for are imported.
_MODULES = {"text": "text", "json": "json_report", "sarif": "sarif", "junit": "junit", "markdown": "markdown",
            "html": "html"}
FORMATS = tuple(_MODULES)


def renderer(name: str) -> Renderer:
    return importlib.import_module(f"engine.reporters.{_MODULES[name]}").render
