"""Province-scale blended-learning figures: how long the worker takes to keep the aggregates current, and how long
the dashboards and the XLSX export take when reading them.

On PostgreSQL only (the province deployment), in a database of its own per scale,
`truongso_bench_reports_<schools>x<classes>` (dropped and created; the `test` database of the test runs is never
touched), migrated with lms_core.migrate.upgrade and filled by bench/reports_data.py with COPY: one province, ~20
communes, 500 schools (56 % primary, 32 % lower, 12 % upper secondary), 30 classes each, a teaching plan per class
and subject (10 subjects, 26 periods a week, 35 weeks: ~910 periods a class), and the last complete school year of
delivery records (~13 M; some corrected). Then:

1. the full aggregate build, `aggregates.rebuild` (class weeks, then school weeks, of every plan of the year);
2. a day's records arrive: the year's last school day, up to 6 periods per class (~73,000 records at full scale, one
   queue row each, as the teachers' saves would add them), then `aggregates.refresh`, the worker's job, is timed;
3. the dashboard views, as a province staff member: the service calls each view makes (shares.total, figures by
   the view's breakdowns, trend, below_target) for the province, a commune, a school and a class; and the pages
   `/blended/{province,district,school,class}/{id}` through the ASGI app when those routes exist;
4. the XLSX export `/reports/province/{id}.xlsx` when that route exists.

Each view is timed --runs times after one warm-up run: p50 and p95. For contrast, the province total counted from the
raw records (what a page would cost without the aggregates) is timed once.

    .venv/bin/python bench/reports.py --scale small         # 20 schools: about a minute
    .venv/bin/python bench/reports.py                       # 500 schools × 30 classes: about 10 min
    .venv/bin/python bench/reports.py --keep                # reuse the generated database of an earlier run
    .venv/bin/python bench/reports.py --schools 100 --classes-per-school 20 --runs 10 --no-pages
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import reports_data as data  # noqa: E402

PG_ADMIN_URL = os.environ.get("TRUONGSO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DB_PREFIX = "truongso_bench_reports"  # + _<schools>x<classes>: each scale keeps its own data for --keep
SCALES = {"small": 20, "medium": 100, "full": 500}
DAY_PERIODS = 6  # periods a class is taught on one school day
TABLES = ("teaching_plans", "plan_periods", "delivery_records", "blended_class_weeks", "blended_school_weeks",
          "blended_dirty_plans")
PAGE_PATHS = {"province": "/blended/province/{id}", "district": "/blended/district/{id}",
              "school": "/blended/school/{id}", "class": "/blended/class/{id}"}
XLSX_PATH = "/reports/province/{id}.xlsx"


def percentiles(samples: list[float]) -> tuple[float, float]:
    """Return p50 and p95 of samples, in milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Return (seconds, result) of one call."""
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


# --- the database ---------------------------------------------------------------------------------------------

def db_name(args: argparse.Namespace) -> str:
    """Return the database of a scale: a small run never drops the full-scale data."""
    return f"{DB_PREFIX}_{args.schools}x{args.classes_per_school}"


def prepare(args: argparse.Namespace, url: str) -> data.Built:
    """Reuse the generated database (--keep, same scale) or drop, create, migrate and fill it."""
    if args.keep:
        built = data.existing(url, schools=args.schools, classes_per_school=args.classes_per_school)
        if built is not None:
            data.log(f"reusing {db_name(args)}: {built.plans:,} plans, {built.records:,} records")
            return built
    from lms_core import migrate

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name(args)}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{db_name(args)}"'))
    admin.dispose()
    migrate.upgrade(url)
    data.log("migrated")
    return data.generate(url, schools=args.schools, classes_per_school=args.classes_per_school)


def undo_day(engine: Any) -> set[int]:
    """Delete the records of an earlier run's day (raw SQL: a bench reset, not a correction); return their plans."""
    with engine.begin() as conn:
        return set(conn.execute(text(
            "DELETE FROM delivery_records d USING plan_periods pp WHERE pp.id = d.period_id AND d.note = :n "
            "RETURNING pp.plan_id"), {"n": data.DAY_NOTE}).scalars())


def day_arrives(engine: Any, year_id: int) -> tuple[int, int, str, float]:
    """Record the year's last school day: up to DAY_PERIODS open periods of its week per class, each queued for the
    worker as a teacher's save would; return (records, distinct plans, the day, seconds the COPY and queue took)."""
    from lms_core.org.models import AcademicYear

    with Session(engine) as db:
        start = db.get(AcademicYear, year_id).start_date
    day = data.school_days(start)[data.WEEKS][-1].isoformat()
    with engine.begin() as conn:
        conn.execute(text("SELECT setseed(0.42)"))
        rows = conn.execute(text(
            "SELECT id, plan_id, mode, created_by_id FROM ("
            " SELECT pp.id, pp.plan_id, pp.mode, tp.created_by_id,"
            "        row_number() OVER (PARTITION BY tp.class_id ORDER BY random()) AS n"
            " FROM plan_periods pp JOIN teaching_plans tp ON tp.id = pp.plan_id"
            " WHERE tp.academic_year_id = :y AND pp.week = :w"
            "   AND NOT EXISTS (SELECT 1 FROM delivery_records d WHERE d.period_id = pp.id)) open"
            " WHERE n <= :k"), {"y": year_id, "w": data.WEEKS, "k": DAY_PERIODS}).all()
        started = time.perf_counter()
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            with cur.copy("COPY delivery_records (period_id, delivered_on, mode, note, recorded_by_id, recorded_at) "
                          "FROM STDIN") as copy:
                for period_id, _plan_id, mode, teacher_id in rows:
                    copy.write_row((period_id, day, mode, data.DAY_NOTE, teacher_id, f"{day} 16:00:00+00"))
            with cur.copy("COPY blended_dirty_plans (plan_id) FROM STDIN") as copy:
                for _period_id, plan_id, _mode, _teacher_id in rows:
                    copy.write_row((plan_id,))
    return len(rows), len({r[1] for r in rows}), day, time.perf_counter() - started


def raw_totals(engine: Any, year_id: int) -> tuple[int, int]:
    """Count the year's current records (all, online) from the raw tables: what the aggregates must sum to."""
    with engine.connect() as conn:
        return tuple(conn.execute(text(
            "SELECT count(*), count(*) FILTER (WHERE d.mode <> 'in_person') FROM delivery_records d"
            " JOIN plan_periods pp ON pp.id = d.period_id JOIN teaching_plans tp ON tp.id = pp.plan_id"
            " WHERE tp.academic_year_id = :y"
            "   AND NOT EXISTS (SELECT 1 FROM delivery_records n WHERE n.supersedes_id = d.id)"),
            {"y": year_id}).one())


def sizes(engine: Any) -> list[tuple[str, int, int]]:
    """Return (table, rows, bytes with indexes) of the tables the figures come from."""
    out = []
    with engine.connect() as conn:
        for table in TABLES:
            rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            size = conn.execute(text("SELECT pg_total_relation_size(:t)"), {"t": table}).scalar_one()
            out.append((table, rows, size))
    return out


# --- the views ------------------------------------------------------------------------------------------------

def units(engine: Any, province_id: int) -> dict[str, int]:
    """Pick the units to view: the province, its first commune, that commune's first secondary school (else its
    first school) and that school's first class."""
    with engine.connect() as conn:
        district = conn.execute(text("SELECT min(id) FROM districts WHERE province_id = :p"),
                                {"p": province_id}).scalar_one()
        school = conn.execute(text("SELECT id FROM schools WHERE district_id = :d ORDER BY level = 'primary', id "
                                   "LIMIT 1"), {"d": district}).scalar_one()
        klass = conn.execute(text("SELECT min(id) FROM classes WHERE school_id = :s"), {"s": school}).scalar_one()
    return {"province": province_id, "district": district, "school": school, "class": klass}


def service_calls(kind: str) -> list[tuple[str, Callable[..., Any]]]:
    """Return the service calls a dashboard view of a kind of unit makes: (label, fn(db, actor, scope, win))."""
    from lms_core.blended import shares

    def by(*dims: str) -> Callable[..., Any]:
        return lambda db, actor, scope, win: shares.figures(db=db, actor=actor, scope=scope, win=win, by=dims)

    breakdowns = {"province": [("district",), ("school",), ("level",), ("subject",)],
                  "district": [("school",), ("level",), ("subject",)],
                  "school": [("grade", "class"), ("grade",), ("subject",)],
                  "class": [("subject",)]}[kind]  # as lms_core/blended/dashboard_pages.build asks
    return [("total", lambda db, actor, scope, win: shares.total(db=db, actor=actor, scope=scope, win=win)),
            *[(f"figures by {'+'.join(dims)}", by(*dims)) for dims in breakdowns],
            ("trend", lambda db, actor, scope, win: shares.trend(db=db, actor=actor, scope=scope,
                                                                 year_id=win.year_id, through_week=win.last)),
            ("below_target", lambda db, actor, scope, win: shares.below_target(db=db, actor=actor, scope=scope,
                                                                               win=win))]


def time_services(engine: Any, staff_id: int, year_id: int, ids: dict[str, int], runs: int) -> list[tuple]:
    """Time each view's service calls; return rows (view, call, p50, p95, rows returned)."""
    from lms_core.accounts.models import User
    from lms_core.blended import shares

    out = []
    for kind, unit_id in ids.items():
        calls = service_calls(kind)
        samples: dict[str, list[float]] = {label: [] for label, _ in calls}
        view: list[float] = []
        counts: dict[str, int] = {}
        for run in range(runs + 1):  # run 0 warms the caches
            with Session(engine) as db:
                actor = db.get(User, staff_id)
                win = shares.window(db=db, year_id=year_id, kind="to_date")
                scope = shares.Scope(kind, unit_id)
                spent = 0.0
                for label, fn in calls:
                    seconds, result = timed(lambda fn=fn: fn(db, actor, scope, win))
                    spent += seconds
                    counts[label] = len(result) if isinstance(result, list) else 1
                    if run:
                        samples[label].append(seconds)
                if run:
                    view.append(spent)
        out.append((f"{kind} view: all service calls", "", *percentiles(view), sum(counts.values())))
        out += [(f"  {label}", "", *percentiles(samples[label]), counts[label]) for label, _ in calls]
    return out


def make_client(url: str, engine: Any, staff_id: int) -> Any:
    """Return a TestClient of the real app, logged in as the province staff member (a session opened directly)."""
    import secrets
    from datetime import timedelta

    from fastapi.testclient import TestClient

    from lms_core.accounts.auth import token_hash
    from lms_core.accounts.models import UserSession
    from lms_core.db import utcnow
    from lms_core.plugins.host import PluginHost
    from lms_core.settings import Settings
    from lms_core.web.app import create_app
    from lms_core.web.security import SESSION_COOKIE

    token = secrets.token_urlsafe(32)
    with Session(engine) as db:
        db.add(UserSession(token_hash=token_hash(token), user_id=staff_id, expires_at=utcnow() + timedelta(days=1)))
        db.commit()
    app = create_app(settings=Settings(database_url=url), plugins=PluginHost(load_entry_points=False), engine=engine)
    client = TestClient(app)
    client.cookies.set(SESSION_COOKIE, token)
    return client


def route_exists(client: Any, path: str) -> bool:
    """Return whether a GET route of the app matches a concrete path (asked the way Starlette routes a request)."""
    from starlette.routing import Match

    scope = {"type": "http", "path": path, "method": "GET", "root_path": "", "headers": [], "query_string": b""}
    return any(route.matches(scope)[0] == Match.FULL for route in client.app.router.routes)


def time_get(client: Any, path: str, runs: int, check: Callable[[Any], bool]) -> tuple[float, float, str]:
    """GET a path runs times after a warm-up; return p50, p95 (ms) and the answer's size (or what went wrong)."""
    samples, size = [], ""
    for run in range(runs + 1):
        seconds, answer = timed(lambda: client.get(path))
        if answer.status_code != 200 or not check(answer):
            data.log(f"GET {path}: {answer.status_code} {answer.text[:300]}")
            return float("nan"), float("nan"), f"failed: {answer.status_code}"
        size = f"{len(answer.content) / 1024:,.0f} KiB"
        if run:
            samples.append(seconds)
    return *percentiles(samples), size


def time_pages(client: Any, ids: dict[str, int], runs: int, pages: bool | None) -> tuple[list[tuple], list[str]]:
    """Time the dashboard pages whose routes exist; return rows (label, size, p50, p95) and the missing kinds."""
    paths = {kind: template.format(id=ids[kind]) for kind, template in PAGE_PATHS.items()}
    missing = [kind for kind, path in paths.items() if not route_exists(client, path)]
    if pages is False:
        return [], missing
    if pages and missing:
        raise SystemExit(f"no route for the pages of: {', '.join(missing)}")
    rows = []
    for kind, path in paths.items():
        if kind not in missing:
            p50, p95, size = time_get(client, path, runs,
                                      lambda a: a.headers.get("content-type", "").startswith("text/html"))
            rows.append((f"{kind} page GET {PAGE_PATHS[kind]}", size, p50, p95))
    return rows, missing


def time_export(client: Any, province_id: int, runs: int) -> tuple | None:
    """Time the province's XLSX export when its route exists; return (label, size, p50, p95) or None."""
    path = XLSX_PATH.format(id=province_id)
    if not route_exists(client, path):
        return None
    p50, p95, size = time_get(client, path, runs, lambda a: a.content[:2] == b"PK")
    return (f"XLSX export GET {XLSX_PATH}", size, p50, p95)


# --- the run --------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=SCALES, default="full", help="small: 20 schools, medium: 100, full: 500")
    parser.add_argument("--schools", type=int, help="schools in the province (overrides --scale)")
    parser.add_argument("--classes-per-school", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5, help="timed repetitions of each view (after one warm-up)")
    parser.add_argument("--keep", action="store_true", help="reuse the generated database when it has this scale")
    parser.add_argument("--skip-rebuild", action="store_true",
                        help="with --keep: do not time the full rebuild (the aggregates of the reused database serve)")
    parser.add_argument("--pages", action=argparse.BooleanOptionalAction, default=None,
                        help="time the dashboard pages (default: when their routes exist)")
    args = parser.parse_args()
    args.schools = args.schools or SCALES[args.scale]
    if not 1 <= args.schools <= 5000 or not 1 <= args.classes_per_school <= 60 or not 1 <= args.runs <= 100:
        parser.error("choose 1–5000 schools, 1–60 classes per school and 1–100 runs")
    os.environ.setdefault("TRUONGSO_SECRET_KEY", "bench-reports-secret-key-not-for-production-use-0000")
    os.environ["TRUONGSO_VAR_DIR"] = tempfile.mkdtemp(prefix="truongso-bench-reports-")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{db_name(args)}"

    from lms_core.blended import aggregates
    from lms_core.db import make_engine

    built = prepare(args, url)
    engine = make_engine(url)
    undone = undo_day(engine)  # an earlier run's day, so every run measures the same arrival
    with engine.connect() as conn:
        have_aggregates = conn.execute(text("SELECT count(*) FROM blended_class_weeks")).scalar_one() > 0
    rebuild_s = rebuilt = None
    if args.skip_rebuild and have_aggregates and not built.seconds:
        data.log(f"bringing the aggregates back to before the day ({len(undone):,} plans)")
        with Session(engine) as db:
            aggregates.mark_dirty(db, undone)
            db.commit()
            aggregates.refresh(db=db)
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # an earlier run's aggregates leave dead rows; autovacuum clears them in service
            conn.execute(text("VACUUM ANALYZE blended_class_weeks, blended_school_weeks, blended_dirty_plans"))
        data.log("rebuilding the aggregates")
        with Session(engine) as db:
            rebuild_s, rebuilt = timed(lambda: aggregates.rebuild(db=db, year_id=built.year_id))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE blended_class_weeks, blended_school_weeks"))  # autovacuum's job in service

    data.log("a day's records arrive")
    day_records, day_plans, day, arrive_s = day_arrives(engine, built.year_id)
    with Session(engine) as db:
        refresh_s, refreshed = timed(lambda: aggregates.refresh(db=db))
    raw_s, (raw_all, raw_online) = timed(lambda: raw_totals(engine, built.year_id))
    with engine.connect() as conn:
        agg_all, agg_online = conn.execute(text(
            "SELECT sum(delivered_total), sum(delivered_online) FROM blended_school_weeks "
            "WHERE academic_year_id = :y"), {"y": built.year_id}).one()
    consistent = (raw_all, raw_online) == (agg_all, agg_online)

    data.log("timing the views")
    ids = units(engine, built.province_id)
    rows = time_services(engine, built.staff_id, built.year_id, ids, args.runs)
    client = make_client(url, engine, built.staff_id)
    page_rows, missing_pages = time_pages(client, ids, args.runs, args.pages)
    xlsx_row = time_export(client, ids["province"], max(1, min(args.runs, 3)))
    client.close()
    table_sizes = sizes(engine)
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar_one()
        autovacuum = conn.execute(text("SHOW autovacuum")).scalar_one()
    engine.dispose()

    # --- the figures ---
    print(f"\nProvince-scale blended-learning figures: PostgreSQL {version.split()[0]}, {os.cpu_count()} cores; "
          f"{built.schools:,} schools × {args.classes_per_school} classes, one school year; autovacuum {autovacuum} "
          f"(the bench runs VACUUM/ANALYZE of the aggregates before and after the rebuild)")
    if built.seconds:
        print(f"generated with COPY in {built.seconds:,.0f} s: {built.classes:,} classes, {built.plans:,} plans, "
              f"{built.periods:,} plan periods, {built.records:,} delivery records")
    else:
        print(f"reused the generated database (--keep): {built.plans:,} plans, {built.records:,} records")
    print(f"\n{'step':<58} {'size':>16} {'seconds':>9}")
    if rebuild_s is None:
        print(f"{'aggregate rebuild (every plan of the year)':<58} {'skipped':>16} {'—':>9}")
    else:
        print(f"{'aggregate rebuild (every plan of the year)':<58} {f'{rebuilt:,} plans':>16} {rebuild_s:>9.1f}")
    print(f"{f'a day arrives ({day}): COPY records + queue':<58} {f'{day_records:,} records':>16} {arrive_s:>9.1f}")
    print(f"{'worker refresh after that day (aggregates.refresh)':<58} {f'{refreshed:,} plans':>16} {refresh_s:>9.1f}")
    print(f"{'province total from raw records (no aggregates), once':<58} {f'{raw_all:,} records':>16} {raw_s:>9.1f}")
    print(f"aggregates after the refresh match the raw records: {'yes' if consistent else 'NO'} "
          f"(delivered {agg_all:,} / online {agg_online:,}; raw {raw_all:,} / {raw_online:,}); "
          f"the day touched {day_plans:,} distinct plans")
    print(f"\n{'view (province staff member; window: the year so far)':<58} {'rows/size':>16} {'p50 ms':>9} "
          f"{'p95 ms':>9}   (runs: {args.runs} after a warm-up)")
    print("service calls (what the dashboard pages compute):")
    for label, _, p50, p95, n in rows:
        print(f"{label:<58} {n:>16,} {p50:>9.1f} {p95:>9.1f}")
    if page_rows:
        print("pages through the ASGI app (TestClient, HTML rendered):")
        for label, size, p50, p95 in page_rows:
            print(f"{label:<58} {size:>16} {p50:>9.1f} {p95:>9.1f}")
    if missing_pages and args.pages is not False:
        print(f"pages: not available yet (no route for {', '.join(missing_pages)}); service timings above")
    if xlsx_row:
        print(f"{xlsx_row[0]:<58} {xlsx_row[1]:>16} {xlsx_row[2]:>9.1f} {xlsx_row[3]:>9.1f}")
    else:
        print(f"XLSX export {XLSX_PATH}: not available yet")
    print(f"\n{'table':<30} {'rows':>14} {'size (with indexes)':>20}")
    for table, n, size in table_sizes:
        print(f"{table:<30} {n:>14,} {size / 2**20:>17,.0f} MiB")
    print(f"\nreproduce: .venv/bin/python bench/reports.py --schools {built.schools} "
          f"--classes-per-school {args.classes_per_school} --runs {args.runs}")
    if not consistent:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
