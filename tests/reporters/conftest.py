"""Fixtures for the reporter tests (inputs live in reporter_helpers.py, importable by the tests)."""

from __future__ import annotations

import pytest
from reporter_helpers import BROKEN, EXAMPLE, fixture_report, make_synthetic

from engine.findings import Report


@pytest.fixture(scope="session")
def broken_report() -> Report:
    return fixture_report(BROKEN)


@pytest.fixture(scope="session")
def example_report() -> Report:
    return fixture_report(EXAMPLE)


@pytest.fixture
def synthetic() -> Report:
    return make_synthetic()
