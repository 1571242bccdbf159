"""Quiz benchmark: a class-sized crowd takes the same quiz at once against a real server, and question imports.

For each database (the embedded default, SQLite under a fresh var/ directory, and a fresh PostgreSQL database when
TRUONGSO_BENCH_PG_URL or the default local server answers) it builds, through the services, a school of 200
students in classes of 40 with a course for those classes and a quiz of 10 bank questions (imported from GIFT:
single and multiple choice, true/false, numeric with a decimal comma, short text), opens a login session for every
student, starts `python -m lms_core.cli serve --no-worker` on a free port, and then every student, at the same time
(their starts spread over one second):

- start: POST the quiz's start form (→ 303), then page: GET the activity page that shows the attempt;
- save: POST each answer to the JSON route quiz.js uses (…/quiz-attempts/{id}/answers/{slot}), one after another;
- submit: POST the whole form with action=submit, as the Submit button does (→ 303).

Each request's latency is kept per kind; any answer that is not 2xx/3xx, a refused save or a failed connection is
an error, printed in full (grouped by kind and message). Afterwards the database must hold one graded attempt per
student whose score is the number of questions that student answered right (worked out here from the keys, not by
the grader). The server's log is read back and each kind of exception in it counted. Import throughput: N generated
questions as a GIFT text and as a Word file in the layout teachers use ("Câu 1." then "A. … D." with the key
underlined; at most 2,000, the Word reader's limit), parsed with parse_gift / parse_docx,
best of 3. The exit status is 1 when any request failed or a score is not as counted.

    .venv/bin/python bench/quiz.py                         # 200 students on SQLite, and PostgreSQL when reachable
    .venv/bin/python bench/quiz.py --students 40 --import-questions 500 --db sqlite
    .venv/bin/python bench/quiz.py --students 400 --spread 2 --think 0.5 --workers 4
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

PG_ADMIN_URL = os.environ.get("TRUONGSO_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SECRET = "bench-quiz-secret-key-not-for-production-use-0000000"
CLASS_SIZE = 40
DOCX_NUMBERS = 2000  # docx_vn accepts at most 2,000 questions in one file
TIMEOUT = 60  # seconds a request may take before it counts as an error
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]


# --- questions -----------------------------------------------------------------------------------------------

def _comma(value: Decimal) -> str:
    """Return a number as a Vietnamese writes it: a decimal comma, no trailing zeros (3.50 → "3,5")."""
    return format(value.normalize(), "f").replace(".", ",")


def gift_text(count: int) -> str:
    """Return `count` GIFT questions cycling through single, multiple, true/false, numeric and short text."""
    blocks = ["// Câu hỏi sinh tự động cho bench/quiz.py", "$CATEGORY: $course$/top/Bench/Toán và Tiếng Anh", ""]
    for k in range(1, count + 1):
        a, b = 3 + k % 17, 5 + (k * 7) % 23
        kind = (k - 1) % 5
        if kind == 0:
            s = a + b
            blocks.append(f"::Câu {k}::Kết quả của phép tính {a} + {b} là bao nhiêu? {{={s} ~{s + 1} ~{s - 1} ~{s + 10}}}")
        elif kind == 1:
            d, b = 2 + k % 3, b if b != a else b + 1
            picks = [d * a, d * a + 1, d * b, d * b + 1]
            blocks.append(f"::Câu {k}::Chọn các số chia hết cho {d}. {{~%50%{picks[0]} ~%-100%{picks[1]} "
                          f"~%50%{picks[2]} ~%-100%{picks[3]}}}")
        elif kind == 2:
            n = a * b
            blocks.append(f"::Câu {k}::Số {n} là số chẵn.{{{'T' if n % 2 == 0 else 'F'}}}")
        elif kind == 3:
            m = 2 * a + 1
            blocks.append(f"::Câu {k}::Một nửa của {m} quả cam là bao nhiêu quả? (Viết số, ví dụ 1,5) "
                          f"{{#{_comma(Decimal(m) / 2)}}}")
        else:
            n = (a + b) % len(NUMBER_WORDS)
            blocks.append(f"::Câu {k}::Viết số {n} bằng chữ tiếng Anh. {{={NUMBER_WORDS[n]}}}")
        blocks.append("")
    return "\n".join(blocks)


def docx_bytes(count: int) -> bytes:
    """Return a Word file of `count` single-choice questions: "Câu k." in bold, options A–D, the key underlined."""
    from docx import Document

    document = Document()
    for k in range(1, count + 1):
        a, b = 3 + k % 17, 5 + (k * 7) % 23
        s = a + b
        options = [s + 1, s, s - 1, s + 10] if k % 2 else [s - 1, s + 10, s + 1, s]
        paragraph = document.add_paragraph()
        paragraph.add_run(f"Câu {k}.").bold = True
        paragraph.add_run(f" Kết quả của phép tính {a} + {b} là bao nhiêu?")
        for letter, value in zip("ABCD", options, strict=True):
            run = document.add_paragraph().add_run(f"{letter}. {value}")
            run.underline = value == s or None
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def best_of(runs: int, fn: Any) -> tuple[float, Any]:
    """Return the shortest time of `runs` calls of fn and the last call's result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


# --- the school ----------------------------------------------------------------------------------------------

@dataclass
class Setup:
    """The built school: the quiz, its questions in the attempt's order, the students and their session tokens."""

    course_id: int
    activity_id: int
    items: list[Any]
    usernames: list[str]
    tokens: list[str]
    student_ids: list[int]


def build(db: Session, students: int, questions: int) -> Setup:
    """Build a school of `students` students in classes of 40, their course and a quiz of bank questions."""
    from lms_core.accounts.models import ClassEnrolment, Role, RoleAssignment, TeachingAssignment, User
    from lms_core.assessment import bank
    from lms_core.assessment.formats.gift import parse_gift
    from lms_core.courses import service as courses
    from lms_core.courses.activity_types import core_types
    from lms_core.org.models import District, Province, School, SchoolClass, SchoolLevel, Subject
    from lms_core.org.seed import ensure_academic_year, ensure_subjects, school_year_of
    from tests.builders import open_session

    ensure_subjects(db)
    year = ensure_academic_year(db, school_year_of(date.today()))
    province = Province(code="PQ", name="Tỉnh Bench")
    db.add(province)
    db.flush()
    district = District(province_id=province.id, code="DQ", name="Xã Bench", kind="commune")
    db.add(district)
    db.flush()
    school = School(code="BENCH-QUIZ", name="Trường THCS Bench", level=SchoolLevel.lower_secondary,
                    province_id=province.id, district_id=district.id)
    db.add(school)
    db.flush()
    count = -(-students // CLASS_SIZE)
    classes = [SchoolClass(school_id=school.id, academic_year_id=year.id, grade=6, name=f"6/{c + 1}")
               for c in range(count)]
    db.add_all(classes)
    db.flush()
    subject = db.scalars(select(Subject).where(Subject.code == "TA")).one()
    teacher = User(username="gv.bench", full_name="Giáo viên Bench", password_hash="x", school_id=school.id,
                   roles=[RoleAssignment(role=Role.teacher, school_id=school.id)])
    learners = [User(username=f"hs.{i:04d}", full_name=f"Học sinh {i:04d}", password_hash="x", school_id=school.id,
                     roles=[RoleAssignment(role=Role.student, school_id=school.id)]) for i in range(students)]
    db.add_all([teacher, *learners])
    db.flush()
    db.add_all([TeachingAssignment(class_id=c.id, teacher_id=teacher.id, subject_id=subject.id) for c in classes])
    db.add_all([ClassEnrolment(class_id=classes[i // CLASS_SIZE].id, student_id=s.id) for i, s in enumerate(learners)])
    db.commit()

    course = courses.create_course(db=db, actor=teacher, fields=courses.CourseFields(
        title="Tiếng Anh 6 — bench", subject_id=subject.id, grade=6, academic_year_id=year.id,
        class_ids=tuple(c.id for c in classes)))
    unit = courses.add_unit(db=db, actor=teacher, course_id=course.id, title="Unit 1")
    lesson = courses.add_lesson(db=db, actor=teacher, unit_id=unit.id, title="Bài 1: Kiểm tra 15 phút")
    parsed = parse_gift(gift_text(questions))
    assert parsed.clean and len(parsed.items) == questions, parsed.problems
    counts = bank.import_items(db=db, actor=teacher, subject_id=subject.id, grade=6, items=parsed.items,
                               source="gift")
    activity = courses.add_activity(
        db=db, actor=teacher, types={t.name: t for t in core_types()}, lesson_id=lesson.id, type="quiz",
        title="Kiểm tra 15 phút", settings={"questions": [{"question_id": q} for q in counts.question_ids],
                                            "time_limit": 15},
        completion="passed", threshold=5)
    tokens = [open_session(db, s) for s in learners]
    db.commit()
    return Setup(course.id, activity.id, parsed.items, [s.username for s in learners], tokens,
                 [s.id for s in learners])


def answer_sheet(items: list[Any], rng: random.Random) -> tuple[list[dict[str, Any]], int]:
    """Return one student's form fields per question (about 70 % right) and how many of them are right."""
    from lms_core.assessment.items import QType

    fields, right = [], 0
    for slot, item in enumerate(items):
        good = rng.random() < 0.7
        name = f"q{slot}"
        if item.type in (QType.single, QType.true_false):
            key = next(i for i, c in enumerate(item.choices) if c.correct)
            value: Any = str(key if good else (key + 1) % len(item.choices))
        elif item.type == QType.multiple:
            keys = [str(i) for i, c in enumerate(item.choices) if c.correct]
            value = keys if good else keys[:1]  # one right option of two: no point (all or nothing)
        elif item.type == QType.numeric:
            value = _comma(item.numeric[0].value + (0 if good else 1))
        elif item.type == QType.short_text:
            value = item.accepted[0] if good else "không biết"
        else:
            raise ValueError(f"no answer written for {item.type}")
        fields.append({name: value})
        right += good
    return fields, right


# --- the server ----------------------------------------------------------------------------------------------

def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(var: Path, url: str | None, port: int, workers: int | None) -> subprocess.Popen:
    """Start `serve --no-worker` on the var directory (and database URL, unless the embedded default); wait for it."""
    env = {**os.environ, "TRUONGSO_VAR_DIR": str(var), "TRUONGSO_PORT": str(port), "TRUONGSO_SECRET_KEY": SECRET}
    env.pop("TRUONGSO_DATABASE_URL", None)
    if url:
        env["TRUONGSO_DATABASE_URL"] = url
    if workers:
        env["TRUONGSO_WEB_WORKERS"] = str(workers)
    log = (var / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "lms_core.cli", "serve", "--no-worker"], env=env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("the server did not start:\n" + (var / "server.log").read_text()[-3000:])


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the server's process group (the serve command and its uvicorn workers)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- the crowd -----------------------------------------------------------------------------------------------

@dataclass
class Run:
    """Latencies per kind of request, in seconds, and every failed request."""

    times: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in ("start", "page", "save", "submit")})
    errors: list[tuple[str, str]] = field(default_factory=list)
    unanswered: int = 0  # requests that got no answer at all (not in `times`)
    wall: float = 0.0


class Gone(Exception):
    """A request got no answer at all (timeout, refused or dropped connection): this student stops there."""


async def _request(run: Run, kind: str, client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> httpx.Response | None:
    """Send one request, keep its latency, and record it as an error unless it is 2xx/3xx."""
    start = time.perf_counter()
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError as error:
        run.errors.append((kind, f"{type(error).__name__}: {error}"))
        run.unanswered += 1
        raise Gone from None
    run.times[kind].append(time.perf_counter() - start)
    if not 200 <= response.status_code < 400:
        detail = response.text
        match = re.search(r'role="alert">([^<]*)<', detail)
        run.errors.append((kind, f"HTTP {response.status_code}: {match[1] if match else detail[:300]}"))
        return None
    return response


async def _student(run: Run, base: str, setup: Setup, index: int, delay: float, think: float,
                   sheet: list[dict[str, Any]]) -> None:
    """Start the quiz after `delay` seconds, save each answer as quiz.js does, and submit the whole form."""
    from lms_core.web.security import SESSION_COOKIE, csrf_token_for

    token = setup.tokens[index]
    csrf = csrf_token_for(token)
    course, activity = setup.course_id, setup.activity_id
    await asyncio.sleep(delay)
    async with httpx.AsyncClient(base_url=base, cookies={SESSION_COOKIE: token}, timeout=TIMEOUT,
                                 follow_redirects=False) as client:
        try:
            await _steps(run, client, csrf, course, activity, think, sheet)
        except Gone:
            return


async def _steps(run: Run, client: httpx.AsyncClient, csrf: str, course: int, activity: int, think: float,
                 sheet: list[dict[str, Any]]) -> None:
    """Take the quiz: start, load the attempt's page, save every answer, submit."""
    from lms_core.web.security import CSRF_FIELD, CSRF_HEADER

    started = await _request(run, "start", client, "POST", f"/courses/{course}/activities/{activity}/quiz/start",
                             data={CSRF_FIELD: csrf})
    if started is None:
        return
    page = await _request(run, "page", client, "GET", f"/courses/{course}/activities/{activity}")
    found = re.search(rf'action="/courses/{course}/quiz-attempts/(\d+)"', page.text) if page else None
    if found is None:
        if page is not None:
            run.errors.append(("page", "the activity page shows no attempt form"))
        return
    attempt = int(found[1])
    for slot, fields in enumerate(sheet):
        if think:
            await asyncio.sleep(random.uniform(0, 2 * think))
        saved = await _request(run, "save", client, "POST",
                               f"/courses/{course}/quiz-attempts/{attempt}/answers/{slot}", data=fields,
                               headers={CSRF_HEADER: csrf, "Accept": "application/json"})
        if saved is not None and saved.json().get("saved") is not True:
            run.errors.append(("save", f"refused: {saved.text[:300]}"))
    form = {CSRF_FIELD: csrf, "action": "submit"}
    for fields in sheet:
        form.update(fields)
    done = await _request(run, "submit", client, "POST", f"/courses/{course}/quiz-attempts/{attempt}", data=form)
    if done is not None and "submitted=1" not in done.headers.get("location", ""):
        run.errors.append(("submit", f"HTTP {done.status_code} to {done.headers.get('location')}"))


async def crowd(base: str, setup: Setup, sheets: list[list[dict[str, Any]]], spread: float, think: float) -> Run:
    """Run every student at once, their starts spread evenly over `spread` seconds."""
    run = Run()
    n = len(setup.tokens)
    start = time.perf_counter()
    await asyncio.gather(*(_student(run, base, setup, i, spread * i / n, think, sheets[i]) for i in range(n)))
    run.wall = time.perf_counter() - start
    return run


def percentiles(samples: list[float]) -> tuple[float, float]:
    """Return p50 and p95 of samples, in milliseconds (nan when there are none)."""
    if not samples:
        return float("nan"), float("nan")
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000


# --- one database --------------------------------------------------------------------------------------------

def bench(label: str, var: Path, url: str, server_url: str | None, args: argparse.Namespace) -> bool:
    """Build the school in a fresh database, run the crowd against a real server, check and print; True if clean."""
    from lms_core import migrate
    from lms_core.assessment.models import QuizAttempt
    from lms_core.db import make_engine

    var.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(url)
    engine = make_engine(url)
    rng = random.Random(20250905)
    with Session(engine, expire_on_commit=False) as db:
        setup = build(db, args.students, args.questions)
    sheets, right = [], []
    for _ in setup.tokens:
        sheet, good = answer_sheet(setup.items, rng)
        sheets.append(sheet)
        right.append(good)

    port = free_port()
    proc = start_server(var, server_url, port, args.workers)
    try:
        run = asyncio.run(crowd(f"http://127.0.0.1:{port}", setup, sheets, args.spread, args.think))
    finally:
        stop_server(proc)

    with Session(engine) as db:
        attempts = {a.student_id: a for a in db.scalars(select(QuizAttempt).where(
            QuizAttempt.activity_id == setup.activity_id))}
    engine.dispose()
    graded = sum(1 for a in attempts.values() if a.status == "graded" and a.score is not None)
    as_counted = sum(1 for sid, good in zip(setup.student_ids, right, strict=True)
                     if sid in attempts and attempts[sid].score is not None
                     and Decimal(attempts[sid].score) == Decimal(good))
    requests = sum(len(t) for t in run.times.values()) + run.unanswered
    cells = []
    for kind in ("start", "page", "save", "submit"):
        p50, p95 = percentiles(run.times[kind])
        cells.append(f"{p50:>7.0f} {p95:>7.0f}")
    workers = args.workers or "auto"
    print(f"{label:<11} {workers!s:>4} {requests:>8,} {requests / run.wall:>7.0f} {'  '.join(cells)} "
          f"{len(run.errors):>6}", flush=True)
    print(f"{'':<11} check: {graded}/{args.students} attempts submitted and scored; {as_counted}/{args.students} "
          f"scores equal the answers counted right here; wall {run.wall:.1f} s", flush=True)
    for (kind, message), n in Counter(run.errors).most_common():
        print(f"{'':<11} ERROR {kind} ×{n}: {message}", flush=True)
    if run.errors:  # the server's own account of its failures: the last line of each traceback, counted
        log = (var / "server.log").read_text(errors="replace").splitlines()
        causes = Counter(line for line in log if re.match(r"^[\w.]+(Error|Exception)\b", line))
        for line, n in causes.most_common():
            print(f"{'':<11} server log ×{n}: {line[:400]}", flush=True)
    return not run.errors and graded == as_counted == args.students


def imports(count: int) -> None:
    """Print GIFT and Word import throughput: parse `count` generated questions (Word: at most 2,000), best of 3."""
    from lms_core.assessment.formats.docx_vn import parse_docx
    from lms_core.assessment.formats.gift import parse_gift

    gift = gift_text(count)
    in_word = min(count, DOCX_NUMBERS)
    docx = docx_bytes(in_word)
    print(f"\n{'import':<11} {'questions':>9} {'size':>9} {'best of 3':>10} {'questions/s':>12}")
    for label, n, size, fn in (("GIFT", count, len(gift.encode()), lambda: parse_gift(gift)),
                               ("DOCX", in_word, len(docx), lambda: parse_docx(docx))):
        seconds, result = best_of(3, fn)
        if not result.clean or len(result.items) != n:
            raise SystemExit(f"{label}: {len(result.items)} of {n} questions read; problems: {result.problems[:5]}")
        print(f"{label:<11} {n:>9,} {size / 1000:>7,.0f}kB {seconds:>9.2f}s {n / seconds:>12,.0f}", flush=True)
    if in_word < count:
        print(f"(the Word reader knows question numbers up to “Câu {DOCX_NUMBERS}.”, so the Word file holds {in_word})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=200, help="students taking the quiz at once")
    parser.add_argument("--questions", type=int, default=10, help="questions in the quiz")
    parser.add_argument("--spread", type=float, default=1.0, help="seconds over which the starts are spread")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds a student thinks before each answer")
    parser.add_argument("--workers", type=int, default=None, help="web processes (default: the server's own)")
    parser.add_argument("--import-questions", type=int, default=2000, help="questions in the import files (≤ 2000)")
    parser.add_argument("--db", choices=("both", "sqlite", "pg"), default="both",
                        help="which databases (PostgreSQL only when reachable)")
    args = parser.parse_args()
    if not 1 <= args.students <= 5000 or not 1 <= args.questions <= 200 or not 1 <= args.import_questions <= 2000:
        parser.error("--students 1..5000, --questions 1..200, --import-questions 1..2000")
    os.environ["TRUONGSO_SECRET_KEY"] = SECRET  # the server signs with it too, so our CSRF tokens are its own

    print(f"{args.students} students × {args.questions} questions, starts spread over {args.spread:g} s, think "
          f"{args.think:g} s; server workers: {args.workers or 'default (min(cores, 4))'}; {os.cpu_count()} cores "
          f"(the client runs on the same machine)")
    print(f"{'database':<11} {'wrk':>4} {'requests':>8} {'req/s':>7} {'start p50':>7} {'p95':>7}  {'page p50':>7} "
          f"{'p95':>7}  {'save p50':>7} {'p95':>7}  {'submit p50':>7} {'p95':>7} {'errors':>6}   (ms)")
    ok = True
    with tempfile.TemporaryDirectory(prefix="truongso-bench-quiz-") as tmp:
        os.environ["TRUONGSO_VAR_DIR"] = str(Path(tmp) / "bench")
        sqlite_var = Path(tmp) / "sqlite-var"
        if args.db != "pg":
            ok &= bench("SQLite", sqlite_var, f"sqlite:///{sqlite_var}/truongso.sqlite", None, args)
        if args.db != "sqlite":
            name = f"bench_quiz_{os.getpid()}"
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            except Exception as error:  # noqa: BLE001 — no server: say so and go on
                print(f"PostgreSQL  not reachable ({type(error).__name__}): skipped")
            else:
                try:
                    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
                    ok &= bench("PostgreSQL", Path(tmp) / "pg-var", url, url, args)
                finally:
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    imports(args.import_questions)
    print("\nreproduce: .venv/bin/python bench/quiz.py " + " ".join(sys.argv[1:]))
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
