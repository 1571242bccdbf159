"""Progress benchmark: xAPI statement writes (one event at a time, and batched) and the class progress grid.

For each database (a fresh SQLite file under a temporary directory, and a fresh PostgreSQL database when
TRUONGSO_BENCH_PG_URL or the default local server answers), it builds a school with one class of 45 students
and a course of 100 lessons (10 units × 10 lessons × 3 activities), then measures:

- single writes: `progress.record` per event, each its own transaction (validation, the completion check and the
  `completed` statement included), as a student's page view does;
- batched writes: statements built and validated the same way, written 500 per transaction (an import, a sync);
- the grid: a school year of statements (each student works through most activities, ~3 statements each, about
  40,000 rows plus the other class's noise), then `progress.class_grid` and the whole /courses/{id}/progress page
  (query + HTML) timed N times, p50/p95.

    .venv/bin/python bench/progress.py                 # SQLite, and PostgreSQL when reachable
    .venv/bin/python bench/progress.py --single 300 --batched 5000 --runs 30
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

PG_ADMIN_URL = os.environ.get("TRUONGSO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
STUDENTS, UNITS, LESSONS_PER_UNIT, ACTIVITIES_PER_LESSON = 45, 10, 10, 3


def build(db: Session) -> tuple:
    """Return (course, teacher, students, activities) of a fresh school: 45 students, 100 lessons, 300 activities."""
    from lms_core.accounts.models import ClassEnrolment, Role, RoleAssignment, TeachingAssignment, User
    from lms_core.courses.models import Activity, Course, Lesson, Unit
    from lms_core.org.models import District, Province, School, SchoolClass, SchoolLevel, Subject
    from lms_core.org.seed import ensure_academic_year, ensure_subjects, school_year_of

    ensure_subjects(db)
    year = ensure_academic_year(db, school_year_of(date.today()))
    province = Province(code="PB", name="Tỉnh Bench")
    db.add(province)
    db.flush()
    district = District(province_id=province.id, code="DB", name="Xã Bench", kind="commune")
    db.add(district)
    db.flush()
    school = School(code="BENCH", name="Trường Bench", level=SchoolLevel.lower_secondary, province_id=province.id,
                    district_id=district.id)
    db.add(school)
    db.flush()
    klass = SchoolClass(school_id=school.id, academic_year_id=year.id, grade=6, name="6A")
    other = SchoolClass(school_id=school.id, academic_year_id=year.id, grade=6, name="6B")
    db.add_all([klass, other])
    db.flush()
    subject = db.query(Subject).filter_by(code="TA").one()
    teacher = User(username="gv.bench", full_name="Giáo viên Bench", password_hash="x", school_id=school.id,
                   roles=[RoleAssignment(role=Role.teacher, school_id=school.id)])
    students = [User(username=f"hs.{i:03d}", full_name=f"Học sinh {i:03d}", password_hash="x", school_id=school.id,
                     roles=[RoleAssignment(role=Role.student, school_id=school.id)]) for i in range(2 * STUDENTS)]
    db.add_all([teacher, *students])
    db.flush()
    db.add(TeachingAssignment(class_id=klass.id, teacher_id=teacher.id, subject_id=subject.id))
    db.add_all([ClassEnrolment(class_id=klass.id if i < STUDENTS else other.id, student_id=s.id)
                for i, s in enumerate(students)])
    course = Course(school_id=school.id, academic_year_id=year.id, subject_id=subject.id, grade=6, title="Bench",
                    created_by_id=teacher.id, classes=[klass, other], teachers=[teacher])
    db.add(course)
    db.flush()
    activities = []
    for u in range(UNITS):
        unit = Unit(course_id=course.id, title=f"Unit {u + 1}", position=u)
        course.units.append(unit)
        db.flush()
        for n in range(LESSONS_PER_UNIT):
            lesson = Lesson(course_id=course.id, unit_id=unit.id, title=f"Bài {u * 10 + n + 1}", position=n)
            unit.lessons.append(lesson)
            db.flush()
            for k in range(ACTIVITIES_PER_LESSON):
                activity = Activity(course_id=course.id, lesson_id=lesson.id, type="material", title=f"Hoạt động {k}",
                                    settings={}, completion="viewed", position=k)
                lesson.activities.append(activity)
                activities.append(activity)
    db.commit()
    return course, teacher, students, activities, klass


def percentiles(samples: list[float]) -> tuple[float, float]:
    """Return p50 and p95 of samples, in milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000


def bench(url: str, label: str, single: int, batched: int, runs: int) -> None:
    from fastapi.testclient import TestClient

    from lms_core import migrate
    from lms_core.db import make_engine, utcnow
    from lms_core.plugins.host import PluginHost
    from lms_core.progress import service as progress
    from lms_core.settings import Settings
    from lms_core.web.app import create_app
    from lms_core.web.security import SESSION_COOKIE
    from tests.builders import open_session

    migrate.upgrade(url)
    engine = make_engine(url)
    rng = random.Random(7)
    with Session(engine, expire_on_commit=False) as db:
        course, teacher, students, activities, klass = build(db)
        learners = students[:STUDENTS]

        start = time.perf_counter()
        for i in range(single):
            progress.record(db=db, actor=learners[i % STUDENTS], activity_id=activities[i % len(activities)].id,
                            verb="viewed")
        single_rate = single / (time.perf_counter() - start)

        def rows_for(student, activity, verb, when):  # noqa: ANN001, ANN202
            statement = progress.statement_for(user_id=student.id, verb=verb, activity=activity, course=course,
                                               lesson_id=activity.lesson_id, class_id=klass.id, when=when)
            return progress._row(statement, user_id=student.id, verb=verb, course_id=course.id,
                                 lesson_id=activity.lesson_id, activity_id=activity.id, class_id=klass.id)

        start = time.perf_counter()
        pending = []
        for i in range(batched):
            pending.append(rows_for(learners[i % STUDENTS], activities[(i * 7) % len(activities)], "viewed", utcnow()))
            if len(pending) == 500:
                progress.write(db, pending)
                db.commit()
                pending = []
        if pending:
            progress.write(db, pending)
            db.commit()
        batched_rate = batched / (time.perf_counter() - start)

        # a school year: each student works through 70–100 % of the activities in order, ~3 statements each
        year_start = utcnow() - timedelta(days=270)
        pending, total = [], 0
        for student in students:
            reach = int(len(activities) * rng.uniform(0.7, 1.0))
            for n, activity in enumerate(activities[:reach]):
                when = year_start + timedelta(days=n * 270 / len(activities), minutes=rng.randint(0, 600))
                for verb in ("viewed", "viewed", "completed") if rng.random() < 0.5 else ("viewed", "completed"):
                    pending.append(rows_for(student, activity, verb, when))
            if len(pending) >= 2000:
                progress.write(db, pending)
                db.commit()
                total += len(pending)
                pending = []
        progress.write(db, pending)
        db.commit()
        total += len(pending) + single * 2 + batched

        grid_times = []
        for _ in range(runs):
            db.expire_all()
            t = time.perf_counter()
            grid = progress.class_grid(db=db, actor=teacher, course_id=course.id, class_id=klass.id)
            grid_times.append(time.perf_counter() - t)
        assert len(grid.students) == STUDENTS and len(grid.lessons) == UNITS * LESSONS_PER_UNIT
        token = open_session(db, teacher)
        db.commit()

    import content.plugin

    app = create_app(settings=Settings(database_url=url), plugins=PluginHost(load_entry_points=False,
                                                                             plugins={"content": content.plugin}),
                     engine=engine)
    page_times = []
    with TestClient(app) as client:
        client.cookies.set(SESSION_COOKIE, token)
        for _ in range(runs):
            t = time.perf_counter()
            answer = client.get(f"/courses/{course.id}/progress?class_id={klass.id}")
            page_times.append(time.perf_counter() - t)
            assert answer.status_code == 200 and answer.text.count("<tr") == STUDENTS + 1, answer.status_code
    engine.dispose()
    g50, g95 = percentiles(grid_times)
    p50, p95 = percentiles(page_times)
    print(f"{label:<11} {single_rate:>10,.0f} {batched_rate:>10,.0f} {total:>10,} {g50:>9.1f} {g95:>9.1f} "
          f"{p50:>9.1f} {p95:>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--single", type=int, default=300, help="events written one transaction each")
    parser.add_argument("--batched", type=int, default=5000, help="statements written 500 per transaction")
    parser.add_argument("--runs", type=int, default=30, help="grid timings per database")
    args = parser.parse_args()
    os.environ.setdefault("TRUONGSO_SECRET_KEY", "bench-secret-key-not-for-production-use-000000")
    print(f"class of {STUDENTS} students × {UNITS * LESSONS_PER_UNIT} lessons ({UNITS * LESSONS_PER_UNIT * 3} "
          f"activities); {os.cpu_count()} cores")
    print(f"{'database':<11} {'single/s':>10} {'batched/s':>10} {'statements':>10} {'grid p50':>9} {'grid p95':>9} "
          f"{'page p50':>9} {'page p95':>9}   (ms)")
    with tempfile.TemporaryDirectory(prefix="truongso-bench-progress-") as tmp:
        os.environ["TRUONGSO_VAR_DIR"] = tmp
        bench(f"sqlite:///{tmp}/bench.sqlite", "SQLite", args.single, args.batched, args.runs)
    name = f"bench_progress_{os.getpid()}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 — no server: say so and stop
        print(f"PostgreSQL    not reachable ({type(error).__name__}): skipped")
        return
    try:
        bench(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", "PostgreSQL", args.single, args.batched, args.runs)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
