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


@pytest.fixture()
def plugin_host():  # noqa: ANN201
    """Register the content package's plugin (installed plugins are off in tests)."""
    import content.plugin as plugin
    from lms_core.plugins.host import PluginHost

    host = PluginHost(load_entry_points=False)
    host.register("content", plugin)
    return host


@pytest.fixture()
def school(world):  # noqa: ANN001, ANN201
    """Return the whole-school world (already committed by its fixture)."""
    return world
