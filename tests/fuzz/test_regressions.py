"""Inputs the fuzzers found, kept as plain tests so they stay fixed."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.diagnostics import DiagnosticError
from engine.evidence.loader import load_document


@pytest.mark.parametrize("text", ["0", "[]", '"x"', "null"])
def test_json_file_that_is_a_bare_value_is_refused_not_crashed(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(text)
    with pytest.raises(DiagnosticError) as refused:
        load_document(path)
    assert refused.value.diagnostics[0].code == "CG319"
