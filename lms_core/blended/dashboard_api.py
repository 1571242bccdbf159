"""JSON route of the blended-learning dashboards: the same figures the pages show, for a province, a district, a
school or a class in a window."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from lms_core.blended import dashboard_pages as pages
from lms_core.blended.shares import Figures
from lms_core.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["blended learning"])
Kind = Literal["province", "district", "school", "class"]
COUNT = Field(ge=0, le=10**9)
SHARE = Field(ge=0, le=10**7)  # delivered may exceed planned within a window (periods taught in other weeks)
MAX_LINES = 100_000


class FiguresOut(BaseModel):
    """Periods of a unit in a window, its shares in percent and the target it carries."""

    planned_total: int = COUNT
    planned_online: int = COUNT
    delivered_total: int = COUNT
    delivered_online: int = COUNT
    share: float = SHARE
    planned_share: float = SHARE
    delivered_percent: float = SHARE
    target: float = Field(ge=0, le=100)
    meets_target: bool
    gap: float = Field(ge=0, le=100)

    @classmethod
    def of(cls, f: Figures) -> FiguresOut:
        """Return the output form of some figures."""
        return cls(planned_total=f.planned_total, planned_online=f.planned_online, delivered_total=f.delivered_total,
                   delivered_online=f.delivered_online, share=f.share, planned_share=f.planned_share,
                   delivered_percent=f.delivered_percent, target=f.target, meets_target=f.meets_target, gap=f.gap)


class LineOut(BaseModel):
    """A row of a breakdown: what it is (kind and id when it is a unit or a subject), its label and figures."""

    kind: str | None = Field(default=None, max_length=16)
    id: int | None = Field(default=None, ge=1, le=pages.MAX_ID)
    label: str = Field(max_length=300)
    note: str = Field(default="", max_length=300)
    figures: FiguresOut

    @classmethod
    def of(cls, line: pages.Line) -> LineOut:
        """Return the output form of a line."""
        return cls(kind=line.kind, id=line.id, label=line.label, note=line.note, figures=FiguresOut.of(line.figures))


class WeekOut(BaseModel):
    """One week of the trend, with the cumulative figures so far."""

    week: int = Field(ge=1, le=53)
    figures: FiguresOut
    cumulative: FiguresOut


class UnitOut(BaseModel):
    """A unit: province, district, school or class."""

    kind: Kind
    id: int = Field(ge=1, le=pages.MAX_ID)
    name: str = Field(max_length=300)


class WindowOut(BaseModel):
    """The weeks the figures cover."""

    year_id: int = Field(ge=1, le=pages.MAX_ID)
    year_name: str = Field(max_length=20)
    kind: str = Field(max_length=16)
    first_week: int = Field(ge=1, le=53)
    last_week: int = Field(ge=1, le=53)
    term_number: int | None = Field(default=None, ge=1, le=99)


class DashboardOut(BaseModel):
    """A unit's dashboard: the headline, the units one level down, breakdowns, the trend, who is below target."""

    unit: UnitOut
    parents: list[UnitOut] = Field(max_length=4)
    window: WindowOut
    headline: FiguresOut
    children_kind: str = Field(max_length=16)
    children: list[LineOut] = Field(max_length=MAX_LINES)
    schools: list[LineOut] = Field(max_length=MAX_LINES)
    levels: list[LineOut] = Field(max_length=3)
    grades: list[LineOut] = Field(max_length=12)
    subjects: list[LineOut] = Field(max_length=1000)
    trend: list[WeekOut] = Field(max_length=53)
    below_target: list[LineOut] = Field(max_length=MAX_LINES)
    figures_as_of: datetime | None
    plans_waiting: int = COUNT


@router.get("/blended/{kind}/{unit_id}")
def dashboard(kind: Kind, unit_id: Annotated[int, Path(ge=1, le=pages.MAX_ID)], db: DbSession, user: CurrentUser,
              year: pages.YearId = None, window: pages.WindowValue = "to_date",
              week: pages.WeekText = "") -> DashboardOut:
    """Return the blended-learning figures of a unit in a window (this_week, week with week=N, term-N, to_date,
    year)."""
    b = pages.build(db=db, actor=user, kind=kind, unit_id=unit_id, year_id=year, window=window, week_text=week)
    return DashboardOut(
        unit=UnitOut(kind=kind, id=unit_id, name=b.name),
        parents=[UnitOut(kind=c.kind, id=c.id, name=c.name) for c in b.crumbs[:-1]],
        window=WindowOut(year_id=b.year.id, year_name=b.year.name, kind=b.win.kind, first_week=b.win.first,
                         last_week=b.win.last, term_number=b.win.term_number),
        headline=FiguresOut.of(b.headline), children_kind=b.child_kind,
        children=[LineOut.of(x) for x in b.children], schools=[LineOut.of(x) for x in b.schools],
        levels=[LineOut.of(x) for x in b.levels], grades=[LineOut.of(x) for x in b.grades],
        subjects=[LineOut.of(x) for x in b.subjects],
        trend=[WeekOut(week=r.key[0], figures=FiguresOut.of(r.figures), cumulative=FiguresOut.of(r.extra["cumulative"]))
               for r in b.trend],
        below_target=[LineOut.of(x) for x in b.below], figures_as_of=b.as_of, plans_waiting=b.pending)
