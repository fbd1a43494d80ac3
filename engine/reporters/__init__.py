"""Report formats, one module each behind one interface: `render(report, options) -> str`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from engine.findings import Report


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    threshold: str = "minor"


Renderer = Callable[[Report, RenderOptions], str]


def renderers() -> dict[str, Renderer]:
    from engine.reporters import html, json_report, junit, markdown, sarif, text

    return {"text": text.render, "json": json_report.render, "sarif": sarif.render, "junit": junit.render,
            "markdown": markdown.render, "html": html.render}
