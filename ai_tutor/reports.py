"""The AI tutor's section of the reports sent upward: questions students of the covered schools asked it in the
period, and how many students asked. Reached by the core only through the `truongso_report_sections` hook."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from ai_tutor.models import TutorExchange
from lms_core.courses.models import Course
from lms_core.i18n import N_, gettext
from lms_core.plugins.types import ReportSection
from lms_core.reports.content import instants, reportable_ids

TITLE = N_("Use of the AI tutor")
COLUMNS = (N_("Indicator"), N_("Number"))
QUESTIONS = N_("Questions students asked the AI tutor")
STUDENTS = N_("Students who asked the AI tutor")


def sections(*, db: Session, actor: Any, school_ids: list[int], start: date | None,
             end: date | None) -> list[ReportSection]:
    """Return the tutor's use by the covered schools' students in the period (questions, students who asked)."""
    ids = reportable_ids(db, actor, school_ids)
    if not ids or start is None or end is None:
        return []
    begin, stop = instants(start, end)
    asked, students = db.execute(
        select(func.count(TutorExchange.id), func.count(distinct(TutorExchange.student_id)))
        .join(Course, Course.id == TutorExchange.course_id)
        .where(Course.school_id.in_(ids), TutorExchange.created_at >= begin, TutorExchange.created_at < stop)).one()
    return [ReportSection("tutor_use", TITLE, COLUMNS,
                          ((gettext(QUESTIONS), asked or 0), (gettext(STUDENTS), students or 0)), order=40)]
