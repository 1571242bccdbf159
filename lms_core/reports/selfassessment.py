"""The digital-transformation self-assessment of a school for a school year (Quyết định 4725/QĐ-BGDĐT).

The school admin starts the year's assessment; the platform fills in the indicators it can measure from its own
data (with the evidence) and the admin answers the rest, each answer checked against its indicator's rule. Points
per group and the level follow from the indicator set that applies (the province's corrected file, else the
shipped one). Submitting locks the assessment (figures measured afresh first); a later change needs the admin to
reopen it. Department staff of the school's area and system admins read it; nobody else sees it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import Role, User
from lms_core.db import utcnow
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.i18n import N_, current_locale, gettext
from lms_core.org.models import AcademicYear, School
from lms_core.reports import dt_files, dt_measures
from lms_core.reports.dt_indicators import MAX_COUNT, Framework, Indicator, Level, Result, outcome
from lms_core.reports.selfassessment_models import IndicatorFile, SelfAssessment, SelfAssessmentAnswer
from lms_core.text import nfc

DRAFT, SUBMITTED = "draft", "submitted"
MEASURED, ENTERED = "measured", "entered"
MAX_NOTE = 1000

SCHOOL_NOT_FOUND = N_("This school does not exist.")
YEAR_NOT_FOUND = N_("This school year does not exist.")
NOT_STARTED = N_("The self-assessment of this school year has not been started.")
CANNOT_VIEW = N_("Only the school's administrators, department staff of its area and system administrators can see "
                 "its digital-transformation self-assessment.")
CANNOT_EDIT = N_("Only an administrator of the school can fill in its digital-transformation self-assessment.")
LOCKED = N_("This self-assessment has been submitted: reopen it before changing anything.")
NOT_SUBMITTED = N_("This self-assessment has not been submitted, so there is nothing to reopen.")
UNANSWERED = N_("Answer every indicator before submitting; still open: {codes}.")
FIX_ANSWERS = N_("Some answers are not valid; nothing was saved. Correct them and save again.")
UNKNOWN = N_("There is no indicator {code} in this indicator set.")
IS_MEASURED = N_("Indicator {code} is measured by the platform and cannot be entered.")
YES_NO = N_("Indicator {code}: answer yes or no.")
BAD_PERCENT = N_("Indicator {code}: enter a percentage from 0 to 100.")
BAD_COUNT = N_("Indicator {code}: enter a whole number from 0 to {max}.")
BAD_POINTS = N_("Indicator {code}: enter points from 0 to {max}, with at most two decimals.")
BAD_NOTE = N_("Indicator {code}: the note may have at most 1000 characters.")


# --- who may do what ---------------------------------------------------------------------------------------------

def _admin_of(actor: User, school: School) -> bool:
    return school.id in actor.school_ids(Role.school_admin)


def _in_area(actor: User, school: School) -> bool:
    provinces, districts = permissions.area_of(actor)
    return school.province_id in provinces or (school.district_id is not None and school.district_id in districts)


@permissions.rule("dt_assessment.view", School)
def assessment_view(actor: User, school: School) -> bool:
    return actor.has_role(Role.system_admin) or _admin_of(actor, school) or _in_area(actor, school)


@assessment_view.scope
def assessment_view_scope(actor: User) -> ColumnElement[bool]:
    if actor.has_role(Role.system_admin):
        return true()
    return or_(School.id.in_(actor.school_ids(Role.school_admin)),
               permissions.school_area_clause(actor, School.province_id, School.district_id))


@permissions.rule("dt_assessment.edit", School)
def assessment_edit(actor: User, school: School) -> bool:
    return _admin_of(actor, school)


@assessment_edit.scope
def assessment_edit_scope(actor: User) -> ColumnElement[bool]:
    return School.id.in_(actor.school_ids(Role.school_admin))


def _school_year(db: Session, school_id: int, year_id: int) -> tuple[School, AcademicYear]:
    school = db.get(School, school_id)
    if school is None:
        raise NotFound(SCHOOL_NOT_FOUND)
    year = db.get(AcademicYear, year_id)
    if year is None:
        raise NotFound(YEAR_NOT_FOUND)
    return school, year


def _find(db: Session, school_id: int, year_id: int) -> SelfAssessment | None:
    return db.scalar(select(SelfAssessment).where(SelfAssessment.school_id == school_id,
                                                  SelfAssessment.academic_year_id == year_id))


def _editable(db: Session, actor: User, school_id: int, year_id: int) -> tuple[School, AcademicYear, SelfAssessment]:
    school, year = _school_year(db, school_id, year_id)
    if not permissions.can(actor, "dt_assessment.edit", school):
        raise Forbidden(CANNOT_EDIT)
    assessment = _find(db, school_id, year_id)
    if assessment is None:
        raise NotFound(NOT_STARTED)
    return school, year, assessment


# --- measuring and scoring ---------------------------------------------------------------------------------------

def _answers(assessment: SelfAssessment) -> dict[str, SelfAssessmentAnswer]:
    return {a.indicator_code: a for a in assessment.answers}


def _measure(db: Session, actor: User, assessment: SelfAssessment, fw: Framework, school: School,
             year: AcademicYear) -> None:
    """Compute every figure the indicator set names and store it on its indicator's answer."""
    figures: dict[str, dt_measures.Measured] = {}

    def figure(name: str) -> dict[str, Any]:
        if name not in figures:
            figures[name] = dt_measures.compute(name, db=db, actor=actor, school=school, year=year)
        m = figures[name]
        return {"measure": name, "value": m.value, "message": m.message, "params": m.params}

    answers, now = _answers(assessment), utcnow()
    for ind in fw.indicators:
        names = ([ind.measure] if ind.measure else []) + list(ind.evidence)
        if not names:
            continue
        answer = answers.get(ind.code)
        if answer is None:
            answer = SelfAssessmentAnswer(indicator_code=ind.code, source=ENTERED, note="", evidence=[])
            assessment.answers.append(answer)
            answers[ind.code] = answer
        answer.evidence = [figure(n) for n in names]
        if ind.measured:
            answer.source, answer.value = MEASURED, answer.evidence[0]["value"]
            answer.note, answer.entered_by_id = "", None
        elif answer.source == MEASURED:  # the file changed: the school answers this one now
            answer.source, answer.value = ENTERED, None
        answer.updated_at = now
    assessment.measured_at = now


def _values(assessment: SelfAssessment, fw: Framework) -> dict[str, float | None]:
    answers = _answers(assessment)
    values: dict[str, float | None] = {}
    for ind in fw.indicators:
        answer = answers.get(ind.code)
        # an answer from before the indicator set changed how this indicator is answered counts for nothing
        stale = answer is not None and answer.source != (MEASURED if ind.measured else ENTERED)
        values[ind.code] = None if answer is None or stale else answer.value
    return values


def _score(assessment: SelfAssessment, fw: Framework) -> Result:
    """Store each answer's points, the groups' points, the total and the level, as the indicator set gives them."""
    values = _values(assessment, fw)
    for answer in assessment.answers:
        ind = fw.indicator(answer.indicator_code)
        answer.points = ind.points(values[ind.code]) if ind is not None else 0.0
    result = outcome(fw, values)
    assessment.group_points, assessment.score, assessment.level = dict(result.group_points), result.total, result.level
    assessment.framework_sha = fw.sha256
    assessment.updated_at = utcnow()
    return result


# --- the school admin's actions ----------------------------------------------------------------------------------

def start(*, db: Session, actor: User, school_id: int, year_id: int) -> SelfAssessment:
    """Return the school's assessment of the year, starting it (with the platform's figures) when there is none."""
    school, year = _school_year(db, school_id, year_id)
    if not permissions.can(actor, "dt_assessment.edit", school):
        raise Forbidden(CANNOT_EDIT)
    existing = _find(db, school_id, year_id)
    if existing is not None:
        return existing
    fw, _ = dt_files.framework_for(db, school.province_id)
    assessment = SelfAssessment(school_id=school.id, academic_year_id=year.id, status=DRAFT, created_by_id=actor.id,
                                group_points={}, answers=[])
    _measure(db, actor, assessment, fw, school, year)  # before it joins the session: nothing is flushed half-made
    _score(assessment, fw)
    try:
        db.add(assessment)
        db.commit()
    except IntegrityError:  # started at the same moment by another admin: theirs stands
        db.rollback()
        existing = _find(db, school_id, year_id)
        if existing is None:
            raise
        return existing
    return assessment


def refresh(*, db: Session, actor: User, school_id: int, year_id: int) -> SelfAssessment:
    """Measure the platform's figures again and recompute the points and level of a draft."""
    school, year, assessment = _editable(db, actor, school_id, year_id)
    if assessment.status != DRAFT:
        raise Invalid(LOCKED)
    fw, _ = dt_files.framework_for(db, school.province_id)
    _measure(db, actor, assessment, fw, school, year)
    _score(assessment, fw)
    db.commit()
    return assessment


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".").replace(" ", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_value(ind: Indicator, raw: str) -> float | None:
    """Return the value an entered answer stands for (None: left unanswered); refuse one the rule does not allow."""
    text = nfc(raw or "").strip().lower()
    if not text:
        return None
    if ind.rule in ("mandatory", "yes_no"):
        if text in ("yes", "no"):
            return 1.0 if text == "yes" else 0.0
        raise Invalid(YES_NO, code=ind.code)
    value = _number(text)
    if ind.rule == "percent_bands":
        if value is None or not 0 <= value <= 100:
            raise Invalid(BAD_PERCENT, code=ind.code)
        return round(value, 2)
    if ind.rule == "count_bands":
        if value is None or not value.is_integer() or not 0 <= value <= MAX_COUNT:
            raise Invalid(BAD_COUNT, code=ind.code, max=MAX_COUNT)
        return value
    top = ind.max_points
    if value is None or not 0 <= value <= top or round(value, 2) != value:
        raise Invalid(BAD_POINTS, code=ind.code, max=int(top) if float(top).is_integer() else top)
    return value


def enter(*, db: Session, actor: User, school_id: int, year_id: int, values: dict[str, str],
          notes: dict[str, str] | None = None) -> SelfAssessment:
    """Save the school admin's answers (value and note per indicator code), all or none: any answer that breaks
    its indicator's rule refuses the whole form, naming each problem in `details`, and nothing is stored."""
    school, _, assessment = _editable(db, actor, school_id, year_id)
    if assessment.status != DRAFT:
        raise Invalid(LOCKED)
    fw, _ = dt_files.framework_for(db, school.province_id)
    notes = notes or {}
    clean: dict[str, tuple[float | None, str | None]] = {}
    problems: list[dict[str, Any]] = []
    for code in sorted(set(values) | set(notes)):
        ind = fw.indicator(code)
        try:
            if ind is None:
                raise Invalid(UNKNOWN, code=code)
            if ind.measured:
                raise Invalid(IS_MEASURED, code=code)
            if code in values:
                value = parse_value(ind, values[code])
            else:  # only the note is given: the value stays as it is
                old = _answers(assessment).get(code)
                value = old.value if old is not None and old.source == ENTERED else None
            note = nfc(notes[code]).strip() if code in notes else None
            if note is not None and len(note) > MAX_NOTE:
                raise Invalid(BAD_NOTE, code=code)
            clean[code] = (value, note)
        except Invalid as exc:
            problems.append({"field": code, "message": exc.message, "params": exc.params})
    if problems:
        refusal = Invalid(FIX_ANSWERS)
        refusal.details = problems
        raise refusal
    answers, now = _answers(assessment), utcnow()
    for code, (value, note) in clean.items():
        answer = answers.get(code)
        if answer is None:
            answer = SelfAssessmentAnswer(indicator_code=code, source=ENTERED, note="", evidence=[])
            assessment.answers.append(answer)
        answer.source, answer.value, answer.entered_by_id, answer.updated_at = ENTERED, value, actor.id, now
        if note is not None:
            answer.note = note
    _score(assessment, fw)
    db.commit()
    return assessment


def submit(*, db: Session, actor: User, school_id: int, year_id: int) -> SelfAssessment:
    """Measure afresh, check every indicator is answered, and submit the assessment (locking it)."""
    school, year, assessment = _editable(db, actor, school_id, year_id)
    if assessment.status != DRAFT:
        raise Invalid(LOCKED)
    fw, _ = dt_files.framework_for(db, school.province_id)
    _measure(db, actor, assessment, fw, school, year)
    result = _score(assessment, fw)
    if result.unanswered:
        db.rollback()
        raise Invalid(UNANSWERED, codes=", ".join(result.unanswered))
    assessment.status, assessment.submitted_by_id, assessment.submitted_at = SUBMITTED, actor.id, utcnow()
    db.commit()
    return assessment


def reopen(*, db: Session, actor: User, school_id: int, year_id: int) -> SelfAssessment:
    """Reopen a submitted assessment so that it can be changed (who and when is kept)."""
    _, _, assessment = _editable(db, actor, school_id, year_id)
    if assessment.status != SUBMITTED:
        raise Invalid(NOT_SUBMITTED)
    assessment.status, assessment.reopened_by_id, assessment.reopened_at = DRAFT, actor.id, utcnow()
    db.commit()
    return assessment


# --- reading it --------------------------------------------------------------------------------------------------

def _show_number(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:.1f}"
        return text.replace(".", ",") if current_locale() == "vi" else text
    return str(int(value)) if isinstance(value, float) else str(value)


def evidence_text(item: dict[str, Any]) -> str:
    """Return one stored figure's evidence in the reader's language."""
    params = {k: _show_number(v) for k, v in (item.get("params") or {}).items()}
    return gettext(item.get("message", "")).format(**params)


@dataclass
class Line:
    """One indicator as the page and the export show it."""

    indicator: Indicator
    value: float | None
    points: float
    source: str  # measured | entered | "" (not answered)
    note: str
    evidence: list[str]


@dataclass
class GroupSheet:
    """A group's indicators, points and level."""

    code: str
    title: str
    max_points: float
    points: float
    level: Level
    lines: list[Line] = field(default_factory=list)


@dataclass
class Sheet:
    """A school's assessment of a year as it reads now, or None-ish when not started."""

    school: School
    year: AcademicYear
    framework: Framework
    province_file: IndicatorFile | None
    assessment: SelfAssessment | None
    groups: list[GroupSheet]
    result: Result
    level: Level
    may_edit: bool
    changed_since_submitted: bool  # the indicator set differs from the one the submitted figures were made with


def view(*, db: Session, actor: User, school_id: int, year_id: int) -> Sheet:
    """Return a school's assessment of a year to read (scored with the indicator set that applies now)."""
    school, year = _school_year(db, school_id, year_id)
    if not permissions.can(actor, "dt_assessment.view", school):
        raise Forbidden(CANNOT_VIEW)
    fw, province_file = dt_files.framework_for(db, school.province_id)
    assessment = _find(db, school_id, year_id)
    answers = _answers(assessment) if assessment is not None else {}
    values = _values(assessment, fw) if assessment is not None else {}
    result = outcome(fw, values)
    groups = []
    for g in fw.groups:
        sheet = GroupSheet(g.code, g.title(), g.max_points, result.group_points[g.code],
                           fw.level(result.group_levels[g.code]))
        for ind in fw.in_group(g.code):
            a = answers.get(ind.code)
            value = values.get(ind.code)
            sheet.lines.append(Line(ind, value, ind.points(value), a.source if a is not None and value is not None
                                    else "", a.note if a is not None else "",
                                    [evidence_text(e) for e in (a.evidence if a is not None else [])]))
        groups.append(sheet)
    submitted = assessment is not None and assessment.status == SUBMITTED
    return Sheet(school, year, fw, province_file, assessment, groups, result, fw.level(result.level),
                 permissions.can(actor, "dt_assessment.edit", school),
                 submitted and assessment.framework_sha != fw.sha256)


def assessment_rows(*, db: Session, actor: User, school_id: int, year_id: int) -> list[dict[str, Any]]:
    """Return the assessment as rows for a report export: one per indicator (group, code, indicator, max points,
    points, source, value, evidence), each carrying its group's points and level and the school's level."""
    sheet = view(db=db, actor=actor, school_id=school_id, year_id=year_id)
    if sheet.assessment is None:
        raise NotFound(NOT_STARTED)
    rows = []
    for g in sheet.groups:
        for line in g.lines:
            rows.append({"group": g.title, "code": line.indicator.code, "indicator": line.indicator.title(),
                         "max_points": line.indicator.max_points, "points": line.points, "source": line.source,
                         "value": line.value, "evidence": " ".join(line.evidence + ([line.note] if line.note else [])),
                         "group_points": g.points, "group_level": g.level.name(), "level": sheet.level.name(),
                         "status": sheet.assessment.status})
    return rows


def overview(*, db: Session, actor: User, year_id: int,
             limit: int = 1000) -> list[tuple[School, SelfAssessment | None]]:
    """Return the schools whose assessment the actor may read, each with its assessment of the year, if any."""
    if db.get(AcademicYear, year_id) is None:
        raise NotFound(YEAR_NOT_FOUND)
    query = (select(School, SelfAssessment).outerjoin(SelfAssessment, (SelfAssessment.school_id == School.id)
                                                      & (SelfAssessment.academic_year_id == year_id))
             .where(permissions.visible(actor, "dt_assessment.view")).order_by(School.name, School.id).limit(limit))
    return [(school, assessment) for school, assessment in db.execute(query)]
