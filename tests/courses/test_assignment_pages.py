"""Assignment pages: a teacher adds and sets up an assignment, a student hands in a file, the teacher grades it by
the rubric, the student reads the feedback; refusals are shown on the page and store nothing; files reach only
their student and the course's teachers."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core import storage
from lms_core.courses import assignments
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Submission
from lms_core.progress.models import StatementRow
from tests.courses.conftest import course_for_6a
from tests.web.test_accessibility import _check

FIXTURES = Path(__file__).parents[1] / "fixtures" / "content"
PDF = (FIXTURES / "water_rocket.pdf").read_bytes()


def _lesson(db: Session, world):  # noqa: ANN001, ANN202
    course = course_for_6a(db, world)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    return course, courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1")


def _counts(db: Session) -> tuple[int, int, int]:
    db.expire_all()
    files = sum(1 for p in storage.files_dir().rglob("*") if p.is_file())
    return (db.scalar(select(func.count()).select_from(Submission)),
            db.scalar(select(func.count()).select_from(StatementRow).where(StatementRow.verb != "viewed")), files)


def test_teacher_sets_up_student_hands_in_teacher_grades_student_reads_feedback(db: Session, world, client_for) -> None:
    course, lesson = _lesson(db, world)
    teacher = client_for(world.teacher)
    lesson_page = teacher.get(f"/courses/{course.id}/lessons/{lesson.id}")
    assert 'value="assignment"' in lesson_page.text
    added = teacher.post(f"/courses/{course.id}/lessons/{lesson.id}/activities", data={
        "type": "assignment", "title": "Bài viết về trà", "completion": "passed", "threshold": "5",
        "required": ["0", "1"]})
    assert added.status_code == 303, added.text[:500]
    activity = db.scalar(select(Activity).where(Activity.lesson_id == lesson.id))
    base = f"/courses/{course.id}/activities/{activity.id}"

    form = teacher.get(f"{base}/assignment")
    assert form.status_code == 200 and 'name="criterion_title"' in form.text
    _check(form.text)
    saved = teacher.post(f"{base}/assignment", data={
        "accept_text": "1", "accept_file": "1", "file_kinds": ["pdf", "docx"], "max_attempts": "2",
        "criterion_title": ["Nội dung", "Trình bày", ""], "criterion_points": ["6", "4", ""]})
    assert saved.status_code == 303
    db.expire_all()
    assert db.get(Activity, activity.id).settings["rubric"] == [{"title": "Nội dung", "points": 6.0},
                                                                {"title": "Trình bày", "points": 4.0}]

    student = client_for(world.student)
    page = student.get(base)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text and "Nội dung" in page.text
    _check(page.text)
    handed = student.post(f"{base}/submit", data={"text": "Chè Tân Cương"},
                          files={"file": ("Bài làm.pdf", PDF, "application/pdf")})
    assert handed.status_code == 303 and handed.headers["location"].startswith(f"{base}?submitted=1")
    work = db.scalar(select(Submission).where(Submission.student_id == world.student.id))
    after = student.get(base)
    assert "Bài làm.pdf" in after.text and f"/submissions/{work.id}/file" in after.text and 'role="status"' in after.text
    _check(after.text)

    listing = teacher.get(f"{base}/submissions")
    assert listing.status_code == 200 and "Học Sinh A" in listing.text and "Chè Tân Cương" in listing.text
    assert 'name="points"' in listing.text and f'/submissions/{work.id}/grade' in listing.text
    _check(listing.text)
    graded = teacher.post(f"/courses/{course.id}/submissions/{work.id}/grade",
                          data={"points": ["5,5", "3"], "feedback": "Bố cục chưa rõ."})
    assert graded.status_code == 303 and f"graded={work.id}" in graded.headers["location"]
    db.expire_all()
    assert str(db.get(Submission, work.id).score) == "8.5"
    assert db.scalar(select(func.count()).select_from(StatementRow).where(
        StatementRow.user_id == world.student.id, StatementRow.verb == "completed")) == 1  # passed: 8.5 ≥ 5

    feedback = student.get(base).text
    assert "8.5" in feedback and "Bố cục chưa rõ." in feedback
    download = student.get(f"/courses/{course.id}/submissions/{work.id}/file")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert teacher.get(f"/courses/{course.id}/submissions/{work.id}/file").content == PDF
    for outsider in (world.classmate, world.other_teacher, world.other_school_teacher):
        client = client_for(outsider)
        assert client.get(f"/courses/{course.id}/submissions/{work.id}/file").status_code == 404
    assert client_for(world.other_teacher).get(f"{base}/submissions").status_code == 404
    assert client_for(world.classmate).get(f"{base}/submissions").status_code == 403
    assert client_for(world.classmate).post(f"/courses/{course.id}/submissions/{work.id}/grade",
                                            data={"points": ["6", "4"]}).status_code == 404
    db.expire_all()
    assert str(db.get(Submission, work.id).score) == "8.5"


def test_refusals_are_shown_on_the_page_and_store_nothing(db: Session, world, client_for, types) -> None:
    course, lesson = _lesson(db, world)
    activity = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="assignment",
                                    title="Nộp bài", settings={"file_kinds": ["docx"]})
    base = f"/courses/{course.id}/activities/{activity.id}"
    world.student.locale = world.teacher.locale = "en"  # messages are asserted in English, the catalogue aside
    db.commit()
    student, teacher = client_for(world.student), client_for(world.teacher)
    before = _counts(db)
    wrong = student.post(f"{base}/submit", data={"text": ""},
                         files={"file": ("bai.docx", (FIXTURES / "water_rocket_renamed.docx").read_bytes(),
                                         "application/vnd.openxmlformats-officedocument.wordprocessingml.document")})
    assert wrong.status_code == 422 and 'role="alert"' in wrong.text and "not accepted here" in wrong.text
    assert "Word document (DOCX)" in wrong.text
    _check(wrong.text)
    empty = student.post(f"{base}/submit", data={"text": "  "})
    assert empty.status_code == 422 and "Write your answer or choose a file" in empty.text
    assert _counts(db) == before

    work = assignments.submit(db=db, actor=world.student, activity_id=activity.id, text="Bài làm")
    before = _counts(db)
    bad_score = teacher.post(f"/courses/{course.id}/submissions/{work.id}/grade", data={"score": "11", "feedback": "?"})
    assert bad_score.status_code == 422 and 'role="alert"' in bad_score.text and "between 0 and 10" in bad_score.text
    assert 'value="11"' in bad_score.text  # what the teacher typed is kept to correct
    _check(bad_score.text)
    db.expire_all()
    assert db.get(Submission, work.id).score is None and _counts(db) == before

    settings = dict(db.get(Activity, activity.id).settings)
    bad_rubric = teacher.post(f"{base}/assignment", data={
        "accept_text": "1", "max_attempts": "3", "criterion_title": ["Nội dung", "Trình bày"],
        "criterion_points": ["6", "3"]})
    assert bad_rubric.status_code == 422 and "add up to 10" in bad_rubric.text and 'value="Trình bày"' in bad_rubric.text
    _check(bad_rubric.text)
    db.expire_all()
    assert db.get(Activity, activity.id).settings == settings
    assert student.get(f"{base}/assignment").status_code == 403


def test_the_submit_route_takes_a_file_larger_than_an_ordinary_request(db: Session, world, client_for, types) -> None:
    course, lesson = _lesson(db, world)
    activity = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="assignment",
                                    title="Nộp bài lớn", settings={})
    big = PDF + b"\n%" + b"x" * 7_000_000  # over the 6 MB limit of other requests, under the 20 MB of handed-in work
    handed = client_for(world.student).post(f"/courses/{course.id}/activities/{activity.id}/submit",
                                            files={"file": ("lon.pdf", big, "application/pdf")})
    assert handed.status_code == 303, handed.text[:300]
    stored = db.scalar(select(Submission).where(Submission.activity_id == activity.id))
    assert stored.file_size == len(big)
    assert re.fullmatch(r"[0-9a-f]{64}", stored.file_sha256)
