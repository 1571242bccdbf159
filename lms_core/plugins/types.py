"""Small value types that hooks return."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation; `label` is an msgid translated at render time."""

    key: str
    label: str
    url: str
    order: int = 100
    group: str = ""  # an msgid: entries of one group fold under it (the administration pages, say)


@dataclass(frozen=True)
class ActivityType:
    """A kind of lesson activity (material view, quiz, STEM project …)."""

    name: str
    label: str
    completion_rules: tuple[str, ...] = ("viewed",)
    # a pydantic model of the activity's settings (None: it has none) and the msgid shown when they are invalid
    settings: Any = field(default=None, compare=False)
    settings_error: str = ""
    # prepare(db=, actor=, course=, settings=) -> settings: checks what the settings refer to, may add to them
    prepare: Any = field(default=None, compare=False)
    # choices(db=, actor=, course=) -> [(value, label)]: what a teacher picks for the setting named choice_key
    choices: Any = field(default=None, compare=False)
    choice_key: str = ""
    choice_label: str = ""
    # the template that shows the activity inside its lesson, and context(db=, actor=, activity=) -> dict for it
    template: str = ""
    context: Any = field(default=None, compare=False)
    # the template of the type's own add form on the lesson page (posting to its own route), when the one choice
    # of the common form is not enough; it sees the lesson page's context (course, lesson, values, error)
    add_template: str = ""
    # scores(db=, activity=, student_ids=) -> {student_id: Decimal out of 10}: what the gradebook pulls from an
    # activity of this type (None: the latest graded Submission, the assignment's way)
    scores: Any = field(default=None, compare=False)


@dataclass(frozen=True)
class ContentPack:
    """A directory of content (data, not code) a plugin ships."""

    name: str
    path: Path


@dataclass(frozen=True)
class TutorTool:
    """A function the AI tutor may call, with a description of when to use it."""

    name: str
    description: str
    func: Any = field(compare=False)


class Percent(float):
    """A percentage in a report section's row (12.5 means 12.5 %): spreadsheets keep it a number shown as a percentage."""


@dataclass(frozen=True)
class ReportSection:
    """A titled table a plugin adds to a report: `title` and `columns` are msgids; row cells are shown as given (the
    plugin translates its own labels); sections come in `order`."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    order: int = 100


@dataclass(frozen=True)
class LessonPanel:
    """A box a plugin adds under a lesson's activities: `title` is an msgid, `template` is included with
    `ctx` set to `context`; `open` unfolds it (it is a <details>, folded by default to keep phones tidy)."""

    key: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict, compare=False)
    open: bool = False
    order: int = 100
