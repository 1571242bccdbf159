"""Province-scale data for bench/reports.py: one province, its communes, schools, classes, teaching plans, plan
periods and a school year of delivery records, written with PostgreSQL COPY (ORM inserts of ~25 M rows would take
hours).

The small reference rows (subjects, the year, the province, communes, schools, one teacher per school, a province
staff member) go through the ORM; classes, plans, periods and records are streamed as COPY text. While the two big
tables load, their indexes and constraints (primary key, unique, foreign keys) are dropped and then re-created from
the definitions PostgreSQL reported, so the schema ends exactly as the migrations made it and every foreign key is
validated once, in bulk.

The year is the last complete school year (its figures are final, and "the year so far" is the whole year). Each
class follows its level's weekly timetable for 35 weeks (26 periods a week, ~910 a year); each school plans a share
of its lessons online (its own propensity, 3–16 %) and delivers a share of those online (its own follow-through),
so some schools fall below the province's target. Almost every period is delivered in its planned week (3 % are
never recorded, 2 % a week late), a few records are corrected (a new row supersedes the old). The periods of the
year's last school day are left undelivered: bench/reports.py records them as "the day that arrives".
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import select, text
from sqlalchemy.orm import Session

WEEKS = 35
SCHOOL_DAYS = 5
DAY_NOTE = "bench: the day that arrives"
# weekly timetable per school level: (subject code, periods a week); each 26 periods a week
TIMETABLES = {
    "primary": [("TV", 8), ("TOAN", 5), ("TA", 2), ("DD", 1), ("TNXH", 2), ("THCN", 1), ("GDTC", 2), ("AN", 1),
                ("MT", 1), ("HDTN", 3)],
    "lower_secondary": [("NV", 4), ("TOAN", 4), ("TA", 3), ("GDCD", 1), ("LSDL", 3), ("KHTN", 4), ("TIN", 1),
                        ("CN", 1), ("GDTC", 2), ("HDTNHN", 3)],
    "upper_secondary": [("NV", 3), ("TOAN", 3), ("TA", 3), ("LS", 2), ("GDTC", 2), ("QPAN", 1), ("HDTNHN", 3),
                        ("LY", 3), ("HOA", 3), ("SINH", 3)],
}
GRADES = {"primary": range(1, 6), "lower_secondary": range(6, 10), "upper_secondary": range(10, 13)}
LESS_ONLINE = {"GDTC": 0.2, "QPAN": 0.3}  # physical education and defence drills are rarely taught online
PLANNED_SHARE = {"primary": (0.03, 0.10), "lower_secondary": (0.06, 0.16), "upper_secondary": (0.06, 0.16)}
MISSED, LATE, STRAY_ONLINE, CORRECTED = 0.03, 0.02, 0.004, 0.003


def log(message: str) -> None:
    """Print a progress line on stderr (the figures table goes to stdout)."""
    print(f"  · {message}", file=sys.stderr, flush=True)


def level_of(index: int) -> str:
    """Return the level of the n-th school: 56 % primary, 32 % lower and 12 % upper secondary, as in a province."""
    slot = index % 25
    return "primary" if slot < 14 else "lower_secondary" if slot < 22 else "upper_secondary"


def school_days(start: date) -> list[list[date]]:
    """Return, per school week 1..WEEKS (index 0 unused), its five weekdays (weeks counted from the year start)."""
    days: list[list[date]] = [[]]
    for w in range(WEEKS + 1):
        first = start + timedelta(days=7 * w)
        days.append([d for d in (first + timedelta(days=k) for k in range(7)) if d.weekday() < 5])
    return days


def day_of(index_in_week: int, per_week: int, subject_index: int) -> int:
    """Return the weekday (0..4) a subject's n-th period of a week falls on, spread over the week."""
    return (index_in_week * SCHOOL_DAYS // per_week + subject_index) % SCHOOL_DAYS


@dataclass
class Built:
    """What the generator made (counts and the ids bench/reports.py needs)."""

    year_id: int
    province_id: int
    staff_id: int
    schools: int
    classes: int
    plans: int
    periods: int
    records: int
    seconds: float


def _copy(conn: psycopg.Connection, table: str, columns: str, lines: list[str]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for start in range(0, len(lines), 20000):
            copy.write("".join(lines[start:start + 20000]))


def _definitions(conn: psycopg.Connection, table: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Return a table's constraints (name, type, definition) other than CHECK, and its other indexes' DDL."""
    constraints = conn.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')", (table,)).fetchall()
    names = {c[0] for c in constraints}
    indexes = [ddl for name, ddl in conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s", (table,))
        if name not in names]
    return constraints, indexes


def _bare_tables(conn: psycopg.Connection, tables: list[str]) -> list[str]:
    """Drop the indexes and constraints of some tables (and the foreign keys pointing at them); return the DDL that
    puts them back, keys first."""
    constraints, indexes = [], []
    for table in tables:
        found, idx = _definitions(conn, table)
        constraints += [(table, *c) for c in found]
        indexes += idx
    referencing = conn.execute(
        "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid = ANY(%s::regclass[]) AND NOT conrelid = ANY(%s::regclass[])",
        (tables, tables)).fetchall()
    constraints += referencing
    for table, name, kind, _ in sorted(constraints, key=lambda c: c[2] != "f"):  # foreign keys go first
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for ddl in indexes:
        conn.execute(f'DROP INDEX {ddl.split(" INDEX ", 1)[1].split(" ON ", 1)[0]}')
    restore = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, k, d in constraints if k != "f"]
    restore += indexes
    restore += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, k, d in constraints if k == "f"]
    return restore


def _reference(db: Session, schools: int, start_year: int) -> tuple[Any, Any, list[tuple[int, str, int]], Any,
                                                                    dict[str, int]]:
    """Add the year, the province, its communes, the schools, one teacher per school and a province staff member."""
    from lms_core.accounts.models import Role, RoleAssignment, User
    from lms_core.org.models import District, Province, School, Subject
    from lms_core.org.seed import ensure_academic_year, ensure_subjects

    ensure_subjects(db)
    year = ensure_academic_year(db, start_year)
    province = Province(code="BENCH", name="Tỉnh Thử Nghiệm")
    db.add(province)
    db.flush()
    districts = [District(province_id=province.id, code=f"X{n:02d}", name=f"Xã {n:02d}", kind="commune")
                 for n in range(1, max(1, round(schools / 25)) + 1)]
    db.add_all(districts)
    db.flush()
    prefix = {"primary": "TH", "lower_secondary": "THCS", "upper_secondary": "THPT"}
    rows = []
    for i in range(schools):
        level = level_of(i)
        district = districts[i % len(districts)]
        rows.append(School(code=f"{prefix[level]}-{i + 1:04d}", name=f"Trường {prefix[level]} số {i + 1}",
                           level=level, province_id=province.id, district_id=district.id))
    db.add_all(rows)
    db.flush()
    teachers = [User(username=f"gv.{s.code.lower()}", full_name=f"Giáo viên {s.name}", password_hash="!",
                     school_id=s.id, roles=[RoleAssignment(role=Role.teacher, school_id=s.id)]) for s in rows]
    staff = User(username="so.bench", full_name="Cán bộ Sở", password_hash="!",
                 roles=[RoleAssignment(role=Role.department_staff, province_id=province.id)])
    db.add_all([*teachers, staff])
    db.flush()
    subjects = dict(db.execute(select(Subject.code, Subject.id)).all())
    db.commit()
    return year, province, [(s.id, s.level, t.id) for s, t in zip(rows, teachers, strict=True)], staff, subjects


def generate(url: str, *, schools: int, classes_per_school: int, seed: int = 2025) -> Built:
    """Fill a freshly migrated database (SQLAlchemy URL) with a province's year of blended-learning data."""
    from lms_core.db import make_engine
    from lms_core.org.seed import school_year_of

    started = time.perf_counter()
    rng = random.Random(seed)
    engine = make_engine(url)
    with Session(engine) as db:
        year, province, school_rows, staff, subjects = _reference(db, schools, school_year_of(date.today()) - 1)
        year_id, province_id, staff_id, start = year.id, province.id, staff.id, year.start_date
    engine.dispose()
    log(f"reference rows: {schools} schools, year {year_id} from {start}")

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    days = school_days(start)
    day_text = [[d.isoformat() for d in week] for week in days]
    stamp = [[f"{d.isoformat()} 15:{(n * 7) % 60:02d}:00+00" for n, d in enumerate(week)] for week in days]
    created_at = datetime.combine(start - timedelta(days=10), datetime.min.time()).isoformat() + "+00"

    # templates: per (grade, subject) the static text of each period and its week and weekday
    templates: dict[tuple[int, str], list[tuple[str, int, int, int]]] = {}
    for level, table in TIMETABLES.items():
        for grade in GRADES[level]:
            for s_index, (code, per_week) in enumerate(table):
                rows = []
                for pos in range(1, per_week * WEEKS + 1):
                    lesson = (pos - 1) // 2 + 1
                    week, in_week = (pos - 1) // per_week + 1, (pos - 1) % per_week
                    last_lesson = (per_week * WEEKS + 1) // 2
                    lps = 1 if lesson == last_lesson and per_week * WEEKS % 2 else 2
                    item_id = subjects[code] * 100000 + grade * 1000 + lesson
                    rows.append((f"{pos}\t{item_id}\tBài {lesson}\tChủ đề {(lesson - 1) // 6 + 1}\t"
                                 f"{(pos - 1) % 2 + 1}\t{lps}\t{week}\t", lesson, week,
                                 day_of(in_week, per_week, s_index)))
                templates[(grade, code)] = rows

    with psycopg.connect(dsn, autocommit=True) as conn, psycopg.connect(dsn) as conn_rec:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET synchronous_commit = off")
        restore = _bare_tables(conn, ["plan_periods", "delivery_records"])

        # classes and plans: ids assigned here (the database is fresh), sequences set afterwards
        class_lines, plan_lines, plans = [], [], []
        class_id = plan_id = 0
        for school_id, level, teacher_id in school_rows:
            grades = list(GRADES[level])
            planned_share = rng.uniform(*PLANNED_SHARE[level])
            follow = 1 - 0.55 * rng.random() ** 2  # share of planned online periods really taught online
            for k in range(classes_per_school):
                grade = grades[k % len(grades)]
                class_id += 1
                class_lines.append(f"{class_id}\t{school_id}\t{year_id}\t{grade}\t{grade}A{k // len(grades) + 1}\n")
                for code, _per_week in TIMETABLES[level]:
                    plan_id += 1
                    plan_lines.append(f"{plan_id}\t{class_id}\t{subjects[code]}\t{year_id}\t{WEEKS}\t{teacher_id}\t"
                                      f"{created_at}\n")
                    plans.append((plan_id, grade, code, planned_share * LESS_ONLINE.get(code, 1.0), follow,
                                  teacher_id))
        with conn.transaction():
            _copy(conn, "classes", "id, school_id, academic_year_id, grade, name", class_lines)
            _copy(conn, "teaching_plans", "id, class_id, subject_id, academic_year_id, weeks, created_by_id, "
                  "created_at", plan_lines)
        log(f"{class_id:,} classes, {plan_id:,} plans")

        # periods and records in one pass, on two connections: each table truncated then copied with FREEZE in
        # its own transaction, so no vacuum has to rewrite them afterwards
        period_cols = "id, plan_id, position, item_id, item_title, topic_title, lesson_period, lesson_periods, week, mode"
        record_cols = "id, period_id, delivered_on, mode, note, supersedes_id, recorded_by_id, recorded_at"
        conn_per = conn
        conn_per.autocommit = False
        cur_p, cur_r = conn_per.cursor(), conn_rec.cursor()
        cur_p.execute("TRUNCATE plan_periods")
        cur_r.execute("TRUNCATE delivery_records")
        period_id = record_id = 0
        p_buf: list[str] = []
        r_buf: list[str] = []
        rand = rng.random
        with cur_p.copy(f"COPY plan_periods ({period_cols}) FROM STDIN WITH (FREEZE)") as copy_p, \
                cur_r.copy(f"COPY delivery_records ({record_cols}) FROM STDIN WITH (FREEZE)") as copy_r:
            for n, (pid, grade, code, online_share, follow, teacher_id) in enumerate(plans, 1):
                template = templates[(grade, code)]
                online_lessons = {lesson for lesson in range(1, template[-1][1] + 1) if rand() < online_share}
                live = rand() < 0.6
                for static, lesson, week, weekday in template:
                    period_id += 1
                    mode = ("online_live" if live else "online_self_paced") if lesson in online_lessons \
                        else "in_person"
                    p_buf.append(f"{period_id}\t{pid}\t{static}{mode}\n")
                    if week == WEEKS and weekday == SCHOOL_DAYS - 1:
                        continue  # the year's last day: recorded by bench/reports.py as the day that arrives
                    r = rand()
                    if r < MISSED:
                        continue
                    wk = week + 1 if r < MISSED + LATE and week + 1 < WEEKS else week
                    if mode == "in_person":
                        done = "online_self_paced" if rand() < STRAY_ONLINE else "in_person"
                    else:
                        done = mode if rand() < follow else "in_person"
                    record_id += 1
                    r_buf.append(f"{record_id}\t{period_id}\t{day_text[wk][weekday]}\t{done}\t\t\\N\t{teacher_id}\t"
                                 f"{stamp[wk][weekday]}\n")
                    if rand() < CORRECTED:
                        record_id += 1
                        fixed = "in_person" if done != "in_person" else "online_live"
                        r_buf.append(f"{record_id}\t{period_id}\t{day_text[wk][weekday]}\t{fixed}\t"
                                     f"Sửa hình thức dạy\t{record_id - 1}\t{teacher_id}\t{stamp[wk][weekday][:11]}"
                                     f"17:30:00+00\n")
                if len(p_buf) > 50000:
                    copy_p.write("".join(p_buf))
                    p_buf.clear()
                if len(r_buf) > 50000:
                    copy_r.write("".join(r_buf))
                    r_buf.clear()
                if n % 10000 == 0:
                    log(f"{n:,}/{len(plans):,} plans: {period_id:,} periods, {record_id:,} records "
                        f"({time.perf_counter() - started:.0f} s)")
            copy_p.write("".join(p_buf))
            copy_r.write("".join(r_buf))
        conn_per.commit()
        conn_rec.commit()
        conn_per.autocommit = True
        log(f"copied {period_id:,} periods and {record_id:,} records ({time.perf_counter() - started:.0f} s)")
        for table in ("classes", "teaching_plans", "plan_periods", "delivery_records"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        for ddl in restore:
            t = time.perf_counter()
            conn.execute(ddl)
            log(f"{ddl[:90]}… {time.perf_counter() - t:.0f} s")
        conn.execute("VACUUM ANALYZE")  # every table: the planner needs the reference tables' statistics too
    return Built(year_id, province_id, staff_id, schools, class_id, plan_id, period_id, record_id,
                 time.perf_counter() - started)


def existing(url: str, *, schools: int, classes_per_school: int) -> Built | None:
    """Return what an earlier run generated when the database holds exactly this scale, else None."""
    from lms_core.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT p.id, (SELECT count(*) FROM schools), (SELECT count(*) FROM classes), "
                "(SELECT count(*) FROM teaching_plans), (SELECT max(id) FROM academic_years), "
                "(SELECT id FROM users WHERE username = 'so.bench') FROM provinces p WHERE p.code = 'BENCH'")).first()
            if row is None or row[1] != schools or row[2] != schools * classes_per_school or not row[3]:
                return None
            periods = conn.execute(text("SELECT count(*) FROM plan_periods")).scalar_one()
            records = conn.execute(text("SELECT count(*) FROM delivery_records WHERE note <> :n"),
                                   {"n": DAY_NOTE}).scalar_one()
            return Built(row[4], row[0], row[5], row[1], row[2], row[3], periods, records, 0.0)
    except Exception:  # noqa: BLE001 — not migrated or not ours: generate again
        return None
    finally:
        engine.dispose()
