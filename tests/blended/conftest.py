"""Blended-learning tests read the curriculum through the truongso_curriculum hook, from a small tree of their own
(the core never imports the content package): 30 lessons of 2 or 3 periods, 70 periods in all, for grade 6."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lms_core.blended import service as blended
from lms_core.plugins.hookspecs import hookimpl
from lms_core.plugins.host import PluginHost

GRADE = 6


@dataclass
class Node:
    """A topic or lesson with the attributes the core's curriculum reader protocol names."""

    id: int
    kind: str
    key: str
    title: str
    periods: int
    subject_id: int
    grade: int
    parent_id: int | None = None
    children: list[Node] = field(default_factory=list)


class TreeReader:
    """Answers for one subject × grade: two topics, 20 lessons of 2 periods then 10 lessons of 3."""

    def __init__(self, subject_id: int) -> None:
        self.topics_ = [Node(1000, "topic", "T1", "Chủ đề 1: Gia đình", 0, subject_id, GRADE),
                        Node(2000, "topic", "T2", "Chủ đề 2: Trường học", 0, subject_id, GRADE)]
        for n in range(1, 21):
            self.topics_[0].children.append(Node(1000 + n, "lesson", f"T1.{n}", f"Bài {n}", 2, subject_id, GRADE, 1000))
        for n in range(21, 31):
            self.topics_[1].children.append(Node(2000 + n, "lesson", f"T2.{n}", f"Bài {n}", 3, subject_id, GRADE, 2000))
        self.subject_id = subject_id

    def topics(self, *, db: Session, province_id: int | None, subject_id: int, grade: int) -> list[Node] | None:
        return self.topics_ if (subject_id, grade) == (self.subject_id, GRADE) else None

    def items(self, *, db: Session, item_ids: Any) -> list[Node]:
        ids = set(item_ids)
        return [n for t in self.topics_ for n in (t, *t.children) if n.id in ids]


class CurriculumPlugin:
    def __init__(self, subject_id: int) -> None:
        self.reader = TreeReader(subject_id)

    @hookimpl
    def truongso_curriculum(self) -> list[Any]:
        return [self.reader]


@pytest.fixture()
def curriculum(world) -> PluginHost:  # noqa: ANN001
    """A plugin host whose curriculum has the world's subject (English) for grade 6."""
    return PluginHost(load_entry_points=False, plugins={"curriculum": CurriculumPlugin(world.subject.id)})


@pytest.fixture()
def plan(db: Session, world, curriculum):  # noqa: ANN001, ANN201
    """Class 6A's English plan for the year, made by its teacher."""
    return blended.generate_plan(db=db, actor=world.teacher, host=curriculum, class_id=world.class_6a.id,
                                 subject_id=world.subject.id, year_id=world.year.id)


def school_day(world: Any, week: int, weekday: int = 1) -> date:
    """The date of a weekday (1 = Monday after the year's start) in a week (1-based) of the world's school year."""
    return world.year.start_date + timedelta(days=7 * (week - 1) + weekday)


def record_sample_week(db: Session, world: Any, plan: Any) -> None:
    """Teach 6A's English the way the aggregate and report tests reason about: periods 1, 2 and 9 planned online;
    period 1 delivered online live in week 1, period 2 in person in week 1, and period 5 recorded in person in week 3
    then corrected to online self-paced in week 4 (so only the correction counts)."""
    for position in (1, 2, 9):
        blended.change_period(db=db, actor=world.teacher, period_id=plan.periods[position - 1].id,
                              mode="online_live")
    blended.confirm(db=db, actor=world.teacher, period_id=plan.periods[0].id, delivered_on=school_day(world, 1),
                    mode="online_live")
    blended.confirm(db=db, actor=world.teacher, period_id=plan.periods[1].id, delivered_on=school_day(world, 1, 2),
                    mode="in_person")
    first = blended.confirm(db=db, actor=world.teacher, period_id=plan.periods[4].id,
                            delivered_on=school_day(world, 3), mode="in_person")
    blended.correct(db=db, actor=world.teacher, record_id=first.id, delivered_on=school_day(world, 4),
                    mode="online_self_paced")
