"""Fixture files of the ingestion tests (written by tests/fixtures/content/make_fixtures.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "content"


@pytest.fixture
def fixture_bytes() -> Callable[[str], bytes]:
    """Return a reader of a content fixture file's bytes by name."""
    return lambda name: (FIXTURES / name).read_bytes()
