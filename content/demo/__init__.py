"""The demo school's learning: the shipped content packs installed, a course per class and subject built from
them, and a term of history in every course, from the start of the school year to today.

`build` is what the content plugin's demo-data hook runs. It is deterministic (one seed, see people.SEED) and
idempotent: everything is found again before anything is made, so a second run adds nothing. Everything goes
through the services (courses, quizzes, assignments, live sessions, the gradebook), as a teacher and students
using the pages would; only the many "opened a lesson" events are written as one batch of statements."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.demo import courses, history, quizzes
from content.demo.catalogue import install, shipped_packs
from content.demo.people import learner
from content.demo.timeline import Term
from lms_core.assessment.models import QuizAttempt
from lms_core.courses import service as course_service
from lms_core.courses.models import Activity, Attendance, Course, DiscussionPost, Lesson, Submission
from lms_core.gradebook.models import GradeEntry
from lms_core.org.seed import ensure_academic_year, school_year_of
from lms_core.plugins.host import PluginHost
from lms_core.progress.models import StatementRow

COUNTED = {"courses": Course, "lessons": Lesson, "activities": Activity, "statements": StatementRow,
           "quiz_attempts": QuizAttempt, "submissions": Submission, "attendance": Attendance,
           "posts": DiscussionPost, "grades": GradeEntry}


def _counts(db: Session) -> dict[str, int]:
    return {name: db.scalar(select(func.count()).select_from(model)) or 0 for name, model in COUNTED.items()}


def build(*, db: Session, school: Any, today: date | None = None, packs: list[Path] | None = None,
          host: PluginHost | None = None) -> dict[str, int]:
    """Install the packs, build the school's courses from them and a term of history; return how much was made.

    `packs` are pack directories (the shipped ones when not given); `host` gives the activity types and is told of
    published materials (the installed plugins when not given); `today` ends the history."""
    host = host or PluginHost()
    today = today or date.today()
    before = _counts(db)
    catalogue = install(db=db, host=host, paths=packs if packs is not None else shipped_packs(host))
    year = ensure_academic_year(db, school_year_of(today))
    db.commit()
    term = Term.until(year_start=year.start_date, today=today)
    types = host.activity_types()
    demo_courses = courses.build_courses(db=db, school_id=school.id, year_id=year.id, catalogue=catalogue, term=term,
                                         types=types)
    for demo in demo_courses:
        students = course_service.students_of(db=db, course=demo.course)
        learners = [learner(s, demo.key) for s in sorted(students, key=lambda s: s.username)]
        history.open_lessons(db=db, demo=demo, term=term, learners=learners)
        history.discuss(db=db, demo=demo, term=term, learners=learners)
        history.hand_in(db=db, demo=demo, term=term, learners=learners)
        history.take_attendance(db=db, demo=demo, term=term, learners=learners)
        quizzes.take_quizzes(db=db, demo=demo, term=term, learners=learners)
        quizzes.grade_essays(db=db, demo=demo, term=term, learners=learners)
        history.keep_gradebook(db=db, demo=demo, term=term, types=types, learners=learners)
    after = _counts(db)
    made = {name: after[name] - before[name] for name in COUNTED}
    made["packs"] = len(catalogue.installed)
    if catalogue.refused:
        made["packs_left_out"] = len(catalogue.refused)
    return made
