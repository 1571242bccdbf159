"""Blended-learning history for the demo: teaching plans with a share of online periods, and the delivered periods
of the school year so far, for the demo school and a few small neighbouring schools of the same province.

Everything goes through the blended-learning services as the subject teachers would use them (generate_plan,
change_period, confirm, correct); the evidence the platform proposes (live sessions with attendance, lessons with
completions of the demo courses) is confirmed first. Idempotent: a plan is shaped only while nobody has changed it,
a period already recorded is never recorded again, and a school, class or teacher is found again before one is
made. Each plan's online share is fixed here (per teacher, with a couple of class × subject pairs planned below the
target), so the dashboards show a realistic spread."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core import demo as school_demo
from lms_core.accounts.models import Role, RoleAssignment, TeacherSubject, TeachingAssignment, User
from lms_core.accounts.passwords import hash_password
from lms_core.assessment.question_curriculum import reader
from lms_core.blended import aggregates, service
from lms_core.blended.models import DeliveryRecord, Mode, PlanPeriod, TeachingPlan
from lms_core.blended.shares import week_of
from lms_core.errors import Invalid
from lms_core.org.models import AcademicYear, District, DistrictKind, School, SchoolClass, SchoolLevel, Subject
from lms_core.org.seed import ensure_academic_year, school_year_of
from lms_core.plugins.host import PluginHost

SKIPPED = (service.NOT_TAUGHT, service.NO_PERIODS)  # no curriculum tree shipped for this subject and grade
DEFAULT_SHARE = 12.0  # percent of a plan's periods planned online
PHASE = 0.9  # online periods evenly spaced, a little early: any stretch from the year's start holds the plan's share
SUBSTITUTE_EVERY = 9  # about one online period in nine is taught in person after all...
SUBSTITUTE_MIN_PERIODS = 120  # ...in subjects of four periods a week (in a smaller one it would weigh too much)
EVIDENCE_WEEKS = 1  # evidence is confirmed for a period planned at most this many weeks away from it

# Planned online share (percent) by teacher: they differ in habit and equipment.
SHARES = {
    "gv.lan": 14.0, "gv.hung": 14.0, "gv.mai": 12.0, "gv.thu": 14.5, "gv.ha": 13.0, "gv.tuan": 12.0,
    "gv.nga": 12.0, "gv.son": 12.0,
    # the neighbours: the primary school well above its 5 % target, the others around or under 10 %
    "gv.thao.phucxuan": 8.0, "gv.hoa.phuctriu": 11.0, "gv.dung.phuctriu": 10.0, "gv.yen.phuctriu": 7.0,
    "gv.quang.phuctriu": 11.0, "gv.khanh.phuctriu": 9.0, "gv.nhung.quyetthang": 8.0,
}
# Class × subject pairs of the demo school planned under the lower-secondary target of 10 %.
LAGGING = {(school_demo.SCHOOL[0], "9B", "NV"): 6.0, (school_demo.SCHOOL[0], "8B", "KHTN"): 8.0}

SUBSTITUTE_NOTES = ("Mất kết nối mạng, dạy trực tiếp tại lớp.", "Nhiều học sinh chưa có thiết bị, dạy trực tiếp.",
                    "Đổi sang dạy trực tiếp để ôn tập trước kiểm tra.")
WRONG_MODE_NOTE = "Sửa lại: tiết này học sinh học trực tuyến, trước ghi nhầm là dạy trực tiếp."
WRONG_DATE_NOTE = "Sửa lại ngày dạy (trước ghi nhầm ngày)."


@dataclass(frozen=True)
class NeighbourTeacher:
    """A teacher of a neighbouring school and the subject they teach to every class there."""

    username: str
    full_name: str
    subject: str


@dataclass(frozen=True)
class Neighbour:
    """A small neighbouring demo school in another commune of the demo province."""

    code: str
    name: str
    level: str
    commune: tuple[str, str]
    classes: tuple[tuple[int, str], ...]
    teachers: tuple[NeighbourTeacher, ...]


# Only grades and subjects whose curriculum tree is shipped make plans (primary: English 4; upper secondary:
# English 10); a neighbour none of whose classes has a tree is not made at all.
NEIGHBOURS = (
    Neighbour("DEMO-TH-PHUCXUAN", "Trường Tiểu học Phúc Xuân (demo)", SchoolLevel.primary, ("PHUCXUAN", "Phúc Xuân"),
              ((4, "4A"), (4, "4B"), (4, "4C")),
              (NeighbourTeacher("gv.thao.phucxuan", "Ma Thị Thảo", "NN1"),)),
    Neighbour("DEMO-THCS-PHUCTRIU", "Trường THCS Phúc Trìu (demo)", SchoolLevel.lower_secondary,
              ("PHUCTRIU", "Phúc Trìu"), ((6, "6A"), (7, "7A"), (8, "8A")),
              (NeighbourTeacher("gv.hoa.phuctriu", "Dương Thị Hoa", "NN1"),
               NeighbourTeacher("gv.dung.phuctriu", "Nông Văn Dũng", "KHTN"),
               NeighbourTeacher("gv.yen.phuctriu", "Triệu Thị Yến", "NV"),
               NeighbourTeacher("gv.quang.phuctriu", "Lý Văn Quang", "GDDP"),
               NeighbourTeacher("gv.khanh.phuctriu", "Bùi Minh Khánh", "TIN"))),
    Neighbour("DEMO-THPT-QUYETTHANG", "Trường THPT Quyết Thắng (demo)", SchoolLevel.upper_secondary,
              ("QUYETTHANG", "Quyết Thắng"), ((10, "10A1"), (10, "10A2")),
              (NeighbourTeacher("gv.nhung.quyetthang", "Hồ Thị Nhung", "NN1"),)),
)


def build(*, db: Session, school: School, today: date | None = None, host: Any = None) -> dict[str, int]:
    """Make the year's teaching plans and delivery history of the demo school and its neighbours, then refresh the
    aggregates; return counts (plans existing, plans made, class × subjects skipped, records made, ...)."""
    host = host or PluginHost()
    today = today or date.today()
    year = ensure_academic_year(db, school_year_of(today))
    db.commit()
    made: Counter[str] = Counter()
    trees = reader(host)
    schools = [school]
    if trees is not None:
        schools += _neighbours(db, trees, school, year, made)
        for number, unit in enumerate(schools):
            _school_history(db, host, unit, year, today, made, corrections=number == 0)
    made["refreshed_plans"] = aggregates.refresh(db=db)
    made["plans"] = db.scalar(select(func.count()).select_from(TeachingPlan).join(
        SchoolClass, SchoolClass.id == TeachingPlan.class_id).where(
        SchoolClass.school_id.in_([s.id for s in schools]), TeachingPlan.academic_year_id == year.id)) or 0
    return dict(made)


# --- the neighbouring schools -----------------------------------------------------------------------------------

def _taught(db: Session, trees: Any, province_id: int, subject_id: int, grade: int) -> bool:
    """Return whether the curriculum has periods for a subject and grade (so a plan can be made)."""
    topics = trees.topics(db=db, province_id=province_id, subject_id=subject_id, grade=grade)
    return any(int(item.periods or 0) > 0 for topic in topics or () for item in (list(topic.children) or [topic]))


def _neighbours(db: Session, trees: Any, school: School, year: AcademicYear, made: Counter[str]) -> list[School]:
    """Find or make the neighbouring schools whose classes have a shipped curriculum tree; return them."""
    subjects = {s.code: s for s in db.scalars(select(Subject))}
    found, password = [], None
    for spec in NEIGHBOURS:
        teachers = [t for t in spec.teachers if t.subject in subjects]
        if not any(_taught(db, trees, school.province_id, subjects[t.subject].id, grade)
                   for t in teachers for grade, _ in spec.classes):
            made["neighbours_skipped"] += 1
            continue
        commune = school_demo.get_or_add(db, District, province_id=school.province_id, code=spec.commune[0],
                              defaults={"name": spec.commune[1], "kind": DistrictKind.commune})
        unit = db.scalar(select(School).where(School.code == spec.code))
        if unit is None:
            unit = School(code=spec.code, name=spec.name, level=spec.level, province_id=school.province_id,
                          district_id=commune.id, address=f"{spec.commune[1]}, {school.province.name}")
            db.add(unit)
            db.flush()
            made["neighbours_made"] += 1
        classes = [school_demo.get_or_add(db, SchoolClass, school_id=unit.id, academic_year_id=year.id, name=name,
                               defaults={"grade": grade}) for grade, name in spec.classes]
        for t in teachers:
            user = db.scalar(select(User).where(User.username == t.username))
            if user is None:
                password = password or hash_password(school_demo.DEMO_PASSWORD)
                user = User(username=t.username, full_name=t.full_name, password_hash=password, school_id=unit.id)
                user.roles = [RoleAssignment(role=Role.teacher, school_id=unit.id)]
                db.add(user)
                db.flush()
            subject_id = subjects[t.subject].id
            school_demo.get_or_add(db, TeacherSubject, user_id=user.id, subject_id=subject_id)
            for klass in classes:
                school_demo.get_or_add(db, TeachingAssignment, class_id=klass.id, teacher_id=user.id, subject_id=subject_id,
                            defaults={"is_homeroom": False})
        db.commit()
        found.append(unit)
    return found


# --- plans and records ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Pair:
    """A class × subject of a school and the teacher who plans and records it."""

    klass: SchoolClass
    subject_id: int
    code: str
    teacher: User


def _pairs(db: Session, school: School, year: AcademicYear) -> list[_Pair]:
    rows = db.execute(select(SchoolClass, TeachingAssignment.subject_id, Subject.code, User)
                      .join(TeachingAssignment, TeachingAssignment.class_id == SchoolClass.id)
                      .join(Subject, Subject.id == TeachingAssignment.subject_id)
                      .join(User, User.id == TeachingAssignment.teacher_id)
                      .where(SchoolClass.school_id == school.id, SchoolClass.academic_year_id == year.id)
                      .order_by(SchoolClass.grade, SchoolClass.name, Subject.code, User.id)).all()
    pairs: dict[tuple[int, int], _Pair] = {}
    for klass, subject_id, code, teacher in rows:
        pairs.setdefault((klass.id, subject_id), _Pair(klass, subject_id, code, teacher))
    return list(pairs.values())


def share_of(school: str, teacher: str, class_name: str, subject: str) -> float:
    """Return the percent of a plan's periods its teacher plans online in the demo (by school code, username, class
    name and subject code)."""
    return LAGGING.get((school, class_name, subject), SHARES.get(teacher, DEFAULT_SHARE))


def online_positions(count: int, percent: float) -> list[int]:
    """Return the positions (1..count) planned online: evenly spaced, so every stretch of the year from its start
    holds about the plan's share."""
    p = percent / 100
    return [j for j in range(1, count + 1) if math.floor(j * p + PHASE) > math.floor((j - 1) * p + PHASE)]


def _shape(db: Session, pair: _Pair, plan: TeachingPlan, made: Counter[str]) -> None:
    """Plan the online periods of a plan nobody has changed yet (a teacher's own changes are kept)."""
    if any(p.updated_by_id is not None for p in plan.periods):
        return
    periods = list(plan.periods)
    percent = share_of(pair.klass.school.code, pair.teacher.username, pair.klass.name, pair.code)
    online = online_positions(len(periods), percent)
    for n, position in enumerate(online):
        mode = Mode.online_live if n % 3 == 1 else Mode.online_self_paced
        service.change_period(db=db, actor=pair.teacher, period_id=periods[position - 1].id, mode=mode)
        made["periods_planned_online"] += 1


def school_days(year: AcademicYear, week: int) -> list[date]:
    """Return the school days (Monday to Friday) of a week of the year."""
    first = year.start_date + timedelta(days=7 * (week - 1))
    days = [first + timedelta(days=k) for k in range(7)]
    return [d for d in days if d.weekday() < 5 and year.start_date <= d <= year.end_date]


def _dates(year: AcademicYear, periods: list[PlanPeriod], seed: int) -> dict[int, date]:
    """Return the day each period is taught: a week's periods spread over its school days, in plan order."""
    by_week: dict[int, list[PlanPeriod]] = {}
    for p in periods:
        by_week.setdefault(p.week, []).append(p)
    out = {}
    for week, group in by_week.items():
        days = school_days(year, week)
        if not days:
            continue
        chosen = sorted(days[(i * len(days) // len(group) + seed) % len(days)] for i in range(len(group)))
        out.update({p.id: day for p, day in zip(sorted(group, key=lambda p: p.position), chosen, strict=True)})
    return out


def _confirm_evidence(db: Session, pair: _Pair, plan: TeachingPlan, year: AcademicYear, days: dict[int, date],
                      today: date, made: Counter[str]) -> None:
    """Confirm what the platform proposes from the demo courses (live sessions, completed lessons) for a period
    taught before today in the evidence's mode and within a week of the evidence (the rest stays proposed)."""
    periods = {p.id: p for p in plan.periods}
    for proposal in service.propose_records(db=db, actor=pair.teacher, class_id=pair.klass.id,
                                            subject_id=pair.subject_id, year_id=year.id):
        period = periods[proposal.period_id]
        day = days.get(period.id)
        if period.mode != proposal.mode or day is None or day >= today or proposal.delivered_on >= today \
                or abs(week_of(year, proposal.delivered_on) - period.week) > EVIDENCE_WEEKS:
            continue
        service.confirm(db=db, actor=pair.teacher, period_id=period.id, delivered_on=proposal.delivered_on,
                        mode=proposal.mode, live_session_id=proposal.live_session_id, lesson_id=proposal.lesson_id)
        made["periods_recorded"] += 1
        made["records_with_evidence"] += 1


def _record(db: Session, pair: _Pair, plan: TeachingPlan, year: AcademicYear, today: date, seed: int,
            fix: str | None, made: Counter[str]) -> None:
    """Record every period taught before today that is not recorded yet: from the courses' evidence where it fits,
    else as planned, except that a few online periods of the subjects with several periods a week are taught in
    person; `fix` ("mode" or "date") records one period wrongly, then corrects it."""
    periods = list(plan.periods)
    days = _dates(year, periods, seed)
    _confirm_evidence(db, pair, plan, year, days, today, made)
    recorded = service.current_records(db=db, plan=plan)
    if fix and db.scalar(select(DeliveryRecord.id).join(PlanPeriod, PlanPeriod.id == DeliveryRecord.period_id).where(
            PlanPeriod.plan_id == plan.id, DeliveryRecord.supersedes_id.is_not(None)).limit(1)) is not None:
        fix = None  # corrected on an earlier run: a later run (another day) does not correct again
    online = [p.id for p in periods if p.mode != Mode.in_person] if len(periods) >= SUBSTITUTE_MIN_PERIODS else []
    substitutes = {pid: SUBSTITUTE_NOTES[n % len(SUBSTITUTE_NOTES)] for n, pid in enumerate(online)
                   if (n + seed) % SUBSTITUTE_EVERY == SUBSTITUTE_EVERY - 1}
    new = 0
    for period in periods:
        day = days.get(period.id)
        if period.id in recorded or day is None or day >= today:
            continue
        mode, note = (Mode.in_person, substitutes[period.id]) if period.id in substitutes else (period.mode, "")
        wrong_mode = fix == "mode" and mode != Mode.in_person
        wrong_day = fix == "date" and new == 2 and day + timedelta(days=1) < min(today, year.end_date)
        record = service.confirm(db=db, actor=pair.teacher, period_id=period.id,
                                 delivered_on=day + timedelta(days=1) if wrong_day else day,
                                 mode=Mode.in_person if wrong_mode else mode, note=note)
        if wrong_mode or wrong_day:
            service.correct(db=db, actor=pair.teacher, record_id=record.id, delivered_on=day, mode=mode,
                            note=WRONG_MODE_NOTE if wrong_mode else WRONG_DATE_NOTE)
            made["corrections"] += 1
            fix = None
        made["periods_recorded"] += 1
        made["online_taught_in_person"] += period.id in substitutes
        new += 1


def _school_history(db: Session, host: Any, school: School, year: AcademicYear, today: date, made: Counter[str],
                    corrections: bool) -> None:
    """Make, shape and record the plan of every class × subject taught in a school (skipping those without a
    curriculum tree)."""
    number = 0
    for pair in _pairs(db, school, year):
        existed = db.scalar(select(TeachingPlan.id).where(
            TeachingPlan.class_id == pair.klass.id, TeachingPlan.subject_id == pair.subject_id,
            TeachingPlan.academic_year_id == year.id)) is not None
        try:
            plan = service.generate_plan(db=db, actor=pair.teacher, host=host, class_id=pair.klass.id,
                                         subject_id=pair.subject_id, year_id=year.id)
        except Invalid as refusal:
            if refusal.message not in SKIPPED:
                raise
            made["class_subjects_skipped"] += 1
            continue
        made["plans_made"] += not existed
        _shape(db, pair, plan, made)
        fix = {0: "mode", 1: "date"}.get(number) if corrections else None
        _record(db, pair, plan, year, today, number, fix, made)
        number += 1
