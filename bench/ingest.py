"""Ingestion benchmark: extraction throughput (PDF/DOCX pages/s, PPTX slides/s) and repository search latency.

Builds synthetic Vietnamese documents of the requested size with the same writers as the test
fixtures (tests/fixtures/content/generators.py; PDF needs the `test` extra's reportlab and
DejaVu Sans), then times `content.ingest.extract` on each, best of --repeat runs. A DOCX has no
pages of its own: a DOCX "page" here is ~3,000 characters of text, the size of a PDF page.

Search: builds N published shared materials (made-up paragraphs of the same sample words) in
a temporary SQLite database migrated like a real one, indexes each through the repository's
indexing function, then times `content.repository.service.search` (hits, total, facets and
snippets, as the page asks) for a mix of one- and three-word queries, with and without
accents, a quarter of them with a filter, as a student.

    .venv/bin/python bench/ingest.py                              # 50 pages / slides, 1,000 materials
    .venv/bin/python bench/ingest.py --pages 500                  # larger
    .venv/bin/python bench/ingest.py --materials 1000 10000       # search at both sizes
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from content.ingest import FileType, detect, extract
from tests.fixtures.content.generators import (
    SAMPLE_PARAGRAPHS,
    make_docx,
    make_pdf,
    make_pptx,
    synthetic_docx_blocks,
    synthetic_pages,
    synthetic_paragraph,
    synthetic_slides,
)

CHARS_PER_PAGE = 3000
TOPICS = ("Chè Tân Cương", "Tên lửa nước", "Nhật ký đọc", "Góc đọc của lớp", "Thí nghiệm áp suất", "Làm chè xanh",
          "Đọc sách mỗi ngày", "Đồi chè Thái Nguyên", "Dự án STEM", "Vốn từ tiếng Anh")


def best_time(run: Callable[[], object], repeat: int) -> float:
    """Return the fastest of `repeat` timed runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def build_repository(db: object, n: int) -> tuple[float, float]:
    """Add n published shared materials and index each; return (seconds writing materials, seconds indexing)."""
    from sqlalchemy import select

    from content.materials.models import Material, MaterialGrade, MaterialSection, MaterialVersion
    from content.repository.index import index_material
    from lms_core.accounts.models import Role, RoleAssignment, User
    from lms_core.db import utcnow
    from lms_core.org.models import District, Province, School, Subject
    from lms_core.org.seed import ensure_subjects

    ensure_subjects(db)
    province = Province(code="BENCH", name="Tỉnh thử")
    db.add(province)
    db.flush()
    district = District(province_id=province.id, code="B1", name="Xã thử", kind="commune")
    db.add(district)
    db.flush()
    school = School(code="BENCH-1", name="Trường thử", level="lower_secondary", province_id=province.id,
                    district_id=district.id)
    db.add(school)
    db.flush()
    teacher = User(username="bench-teacher", full_name="Giáo Viên", password_hash="-", school_id=school.id)
    teacher.roles = [RoleAssignment(role=Role.teacher, school_id=school.id)]
    student = User(username="bench-student", full_name="Học Sinh", password_hash="-", school_id=school.id)
    student.roles = [RoleAssignment(role=Role.student, school_id=school.id)]
    db.add_all([teacher, student])
    db.flush()
    subjects = list(db.scalars(select(Subject.id)))
    teacher_id, school_id = teacher.id, school.id  # the objects leave the session between batches
    writing = indexing = 0.0
    for start in range(0, n, 200):
        t0 = time.perf_counter()
        batch = []
        for i in range(start, min(n, start + 200)):
            rng = random.Random(i)
            material = Material(owner_id=teacher_id, school_id=school_id, title=f"{rng.choice(TOPICS)} – bài {i}",
                                description=synthetic_paragraph(rng)[:300], subject_id=rng.choice(subjects),
                                language="vi", licence="CC-BY-SA-4.0", visibility="shared", kind="page",
                                tags=rng.sample(["chè", "stem", "đọc sách", "thí nghiệm", "tiếng anh"], 2))
            material.grade_rows = [MaterialGrade(grade=g) for g in sorted(rng.sample(range(1, 13), 2))]
            version = MaterialVersion(number=1, created_by_id=teacher_id, status="published", text_sha256="",
                                      status_changed_at=utcnow())
            version.sections = [MaterialSection(position=j, kind="paragraph", text=synthetic_paragraph(rng), address={})
                                for j in range(rng.randint(3, 12))]
            material.versions = [version]
            batch.append((material, version))
        db.add_all([m for m, _ in batch])
        db.flush()
        for material, version in batch:
            material.published_version_id = material.current_version_id = version.id
        db.commit()
        t1 = time.perf_counter()
        for material, _ in batch:
            index_material(db, material.id)
        db.commit()
        db.expunge_all()
        writing, indexing = writing + t1 - t0, indexing + time.perf_counter() - t1
    return writing, indexing


def bench_queries(count: int) -> list[tuple[str, dict[str, object]]]:
    """Return a fixed mix of queries: one or three words, with or without accents, a quarter with a filter."""
    from lms_core.text import fold

    rng = random.Random(2018)
    words = [w.strip(".,").lower() for text in SAMPLE_PARAGRAPHS for w in text.split()]
    out = []
    for i in range(count):
        start = rng.randrange(len(words) - 3)
        q = " ".join(words[start:start + (1 if i % 2 else 3)])
        q = fold(q) if i % 4 in (0, 1) else q
        filters: dict[str, object] = {"grade": rng.randint(1, 12)} if i % 4 == 3 else {}
        out.append((q, filters))
    return out


def print_search_table(sizes: list[int], queries: int) -> None:
    """Build a repository of each size, time the queries and print one row per size."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from content.repository import service
    from content.repository.models import RepositoryPosting
    from lms_core import migrate
    from lms_core.accounts.models import User
    from lms_core.db import make_engine

    print(f"{'materials':>9} {'postings':>10} {'db MB':>6} {'write s':>7} {'index s':>7} {'queries':>7} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'hits/q':>6}")
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="truongso-bench-repo-") as tmp:
            os.environ["TRUONGSO_VAR_DIR"] = str(Path(tmp) / "var")
            path = Path(tmp) / "repository.sqlite"
            url = f"sqlite:///{path}"
            migrate.upgrade(url)
            engine = make_engine(url)
            with Session(engine) as db:
                writing, indexing = build_repository(db, n)
                postings = db.scalar(select(func.count()).select_from(RepositoryPosting))
                student = db.scalar(select(User).where(User.username == "bench-student"))
                mix = bench_queries(queries)
                for q, filters in mix[:10]:  # warm the caches as a running server has them
                    service.search(db=db, actor=student, q=q, **filters)
                times, hits = [], 0
                for q, filters in mix:
                    start = time.perf_counter()
                    results = service.search(db=db, actor=student, q=q, **filters)
                    times.append((time.perf_counter() - start) * 1000)
                    hits += results.total
                    db.rollback()
            engine.dispose()
            size = sum(f.stat().st_size for f in Path(tmp).glob("repository.sqlite*")) / 1e6
            p95 = statistics.quantiles(times, n=20)[-1]
            print(f"{n:>9,} {postings:>10,} {size:>6.0f} {writing:>7.1f} {indexing:>7.1f} {len(times):>7} "
                  f"{statistics.median(times):>7.1f} {p95:>7.1f} {max(times):>7.1f} {hits / len(times):>6.0f}")


def main() -> None:
    """Build the documents, time their extraction and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50, help="pages of the PDF and DOCX, slides of the PPTX")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per document; the best is reported")
    parser.add_argument("--materials", type=int, nargs="*", default=[1000],
                        help="sizes of the shared repository to time search on (none: skip)")
    parser.add_argument("--queries", type=int, default=200, help="timed queries per size")
    args = parser.parse_args()
    n = args.pages

    with tempfile.TemporaryDirectory(prefix="truongso-bench-ingest-") as tmp:
        files = {
            "PDF": ("pages", make_pdf(synthetic_pages(n, chars_per_page=CHARS_PER_PAGE))),
            "DOCX": ("pages*", make_docx(synthetic_docx_blocks(n))),
            "PPTX": ("slides", make_pptx(synthetic_slides(n))),
        }
        rows = []
        for name, (unit, data) in files.items():
            path = Path(tmp) / f"bench.{name.lower()}"
            path.write_bytes(data)  # read back from disk, as an upload would be
            content = path.read_bytes()
            kind = detect(content, path.name)
            assert kind is FileType[name.lower()], kind
            sections = extract(content, kind)
            chars = sum(len(s.text) for s in sections)
            seconds = best_time(lambda: extract(content, kind), args.repeat)
            rows.append((name, n, unit, len(content) / 1024, len(sections), chars, seconds, n / seconds))

    print(f"{'format':6} {'size':>6} {'unit':7} {'file KB':>8} {'sections':>8} {'chars':>9} {'seconds':>8} {'units/s':>9}")
    for name, size, unit, kb, count, chars, seconds, rate in rows:
        print(f"{name:6} {size:>6} {unit:7} {kb:>8.0f} {count:>8} {chars:>9,} {seconds:>8.3f} {rate:>9.1f}")
    print(f"* a DOCX page = ~{CHARS_PER_PAGE:,} characters of text (DOCX has no fixed pages)")
    if args.materials:
        print()
        print_search_table(args.materials, args.queries)
    sizes = " ".join(str(m) for m in args.materials)
    print(f"reproduce: .venv/bin/python bench/ingest.py --pages {n} --repeat {args.repeat} --materials {sizes} "
          f"--queries {args.queries}")


if __name__ == "__main__":
    main()
