"""The core's own lesson activity types (plugins add theirs through the same hook)."""

from __future__ import annotations

from lms_core.plugins.types import ActivityType


def core_types() -> list[ActivityType]:
    """Return the activity types the core provides."""
    types: list[ActivityType] = []
    return types
