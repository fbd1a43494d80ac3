"""What every report records about its inputs, so a reader can tell exactly what was checked."""

from __future__ import annotations

import hashlib
from typing import Any

from engine.findings import Report


def provenance(report: Report) -> dict[str, Any]:
    return {
        "tool": "clausegate",
        "tool_version": report.tool_version,
        "as_of": report.as_of,
        "as_of_source": report.as_of_source,
        "bundle": report.bundle,
        "rule_set_digest": report.rule_set_digest,
        "evidence_digest": evidence_digest(report),
        "evidence_files": [dict(f) for f in report.evidence_files],
        "rule_files": [dict(f) for f in report.rule_files],
    }


def evidence_digest(report: Report) -> str:
    """One SHA-256 over every evidence file's path and digest: a short line can still pin them all."""
    digest = hashlib.sha256()
    for entry in sorted(report.evidence_files, key=lambda f: f["path"]):
        digest.update(f"{entry['path']}\0{entry['sha256']}\n".encode("utf-8"))
    return digest.hexdigest()


AS_OF_SOURCES = {"option": "from --as-of", "bundle": "from the bundle", "today": "today's date"}
