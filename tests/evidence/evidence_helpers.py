"""Assertions shared by the evidence tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.diagnostics import Diagnostic, DiagnosticError
from engine.evidence.loader import load_document


def refusal(call, *args, **kwargs) -> Diagnostic:
    """The single diagnostic a refused call carries."""
    with pytest.raises(DiagnosticError) as caught:
        call(*args, **kwargs)
    assert len(caught.value.diagnostics) == 1, caught.value.render()
    return caught.value.diagnostics[0]


def refused(path: Path, **kwargs) -> Diagnostic:
    return refusal(load_document, path, **kwargs)


def where(diagnostic: Diagnostic) -> tuple[int, int]:
    assert diagnostic.span is not None
    return diagnostic.span.line, diagnostic.span.column
