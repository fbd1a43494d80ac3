"""The JSON report: the stable format other tools consume (schemas/report.schema.json)."""

from __future__ import annotations

import json

from engine.findings import Report
from engine.reporters import RenderOptions


def render(report: Report, options: RenderOptions) -> str:
    document = report.to_json()
    document["gate"] = {"threshold": options.threshold, "failed": report.gate(options.threshold)}
    if report.allow_missing:
        document["gate"]["allow_missing"] = True
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
