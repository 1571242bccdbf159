"""Pydantic models of the teaching-plan API: strict in (a wrong type is refused, never coerced: "3" is not a week and
a number is not a date), limited everywhere."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from lms_core.blended.models import Mode
from lms_core.blended.service import MAX_NOTE

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
InId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
OptId = Annotated[int | None, Field(ge=1, le=MAX_ID)]
InOptId = Annotated[int | None, Field(ge=1, le=MAX_ID, strict=True)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
Percent = Annotated[float, Field(ge=0, le=100)]


def _iso_date(value: Any) -> date:
    """Accept a date only as the ISO text JSON carries it (2025-09-15), never as a number of seconds."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError("a date is written YYYY-MM-DD")
    return date.fromisoformat(value)


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanIn(_In):
    """A class, subject and year whose plan to make from the curriculum."""

    class_id: InId
    subject_id: InId
    year_id: InId


class PeriodChangeIn(_In):
    """A period's new week and/or planned mode (at least one)."""

    week: int | None = Field(default=None, ge=1, le=53, strict=True)
    mode: Mode | None = None


class RecordIn(_In):
    """A delivered period (or the correction of its record): the date, the mode and the evidence."""

    delivered_on: IsoDate
    mode: Mode
    live_session_id: InOptId = None
    lesson_id: InOptId = None
    note: str = Field(default="", max_length=MAX_NOTE, strict=True)


class RecordOut(BaseModel):
    """A delivery record; `superseded` when a correction replaced it."""

    model_config = ConfigDict(from_attributes=True)
    id: Id
    period_id: Id
    delivered_on: date
    mode: Mode
    live_session_id: OptId = None
    lesson_id: OptId = None
    note: str = Field(max_length=MAX_NOTE)
    supersedes_id: OptId = None
    recorded_by_id: Id
    recorded_at: datetime
    superseded: bool = False


class PeriodOut(BaseModel):
    """A period of a plan with its current record, if delivered."""

    model_config = ConfigDict(from_attributes=True)
    id: Id
    position: int = Field(ge=1, le=10_000)
    item_id: int = Field(ge=0, le=MAX_ID)
    item_title: str = Field(max_length=300)
    topic_title: str = Field(max_length=300)
    lesson_period: int = Field(ge=1, le=1000)
    lesson_periods: int = Field(ge=1, le=1000)
    week: int = Field(ge=1, le=53)
    mode: Mode
    record: RecordOut | None = None


class FiguresOut(BaseModel):
    """A plan's periods planned and delivered, online ones counted apart; shares are of all its periods."""

    periods: Count
    planned_online: Count
    delivered: Count
    delivered_online: Count
    planned_online_percent: Percent
    delivered_percent: Percent
    delivered_online_percent: Percent


class PlanSummaryOut(BaseModel):
    """A plan as lists show it."""

    id: Id
    class_id: Id
    class_name: str = Field(max_length=20)
    grade: int = Field(ge=1, le=12)
    school_id: Id
    school_name: str = Field(max_length=200)
    subject_id: Id
    subject_name: str = Field(max_length=120)
    academic_year_id: Id
    year_name: str = Field(max_length=20)
    weeks: int = Field(ge=1, le=53)
    figures: FiguresOut


class PlanListOut(BaseModel):
    """A page of plans and how many there are in all."""

    total: Count
    items: list[PlanSummaryOut] = Field(max_length=500)


class PlanOut(PlanSummaryOut):
    """A plan with its periods, each with its current record."""

    periods: list[PeriodOut] = Field(max_length=10_000)


class ProposalOut(BaseModel):
    """A record the platform suggests; stored only when confirmed (POST it as a record)."""

    model_config = ConfigDict(from_attributes=True)
    period_id: Id
    delivered_on: date
    mode: Mode
    live_session_id: OptId = None
    lesson_id: OptId = None
    evidence_title: str = Field(max_length=300)
    students: Count
