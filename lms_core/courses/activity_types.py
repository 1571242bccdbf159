"""The core's own lesson activity types (plugins add theirs through the same hook)."""

from __future__ import annotations

from lms_core.plugins.types import ActivityType


def core_types() -> list[ActivityType]:
    """Return the activity types the core provides."""
    types: list[ActivityType] = []
    from lms_core.courses.assignments import ACTIVITY_TYPE as assignment

    types += [assignment]
    from lms_core.courses.discussion import ACTIVITY_TYPE as discussion
    from lms_core.courses.live import ACTIVITY_TYPE as live

    types += [discussion, live]
    from lms_core.assessment.quiz import ACTIVITY_TYPE as quiz

    types += [quiz]
    return types
