"""Assignments: students hand in text or a file (type decided by the bytes), resubmit up to a limit, late work is
refused or marked late as the course says; teachers grade out of 10 or by a rubric. Every refusal stores nothing."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core import storage
from lms_core.courses import assignments
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Submission
from lms_core.db import utcnow
from lms_core.errors import Forbidden, Invalid, NotFound, TooLarge
from lms_core.progress.models import StatementRow
from lms_core.settings import get_settings
from tests.courses.conftest import course_for_6a

FIXTURES = Path(__file__).parents[1] / "fixtures" / "content"
PDF = (FIXTURES / "water_rocket.pdf").read_bytes()
DOCX = (FIXTURES / "reading_culture.docx").read_bytes()


def _assignment(db: Session, world, types, *, settings=None, completion=None, closes_at=None,  # noqa: ANN001
                lesson_closes_at=None, late_policy: str | None = None) -> Activity:
    course = course_for_6a(db, world)
    if late_policy:
        course.late_policy = late_policy
        db.commit()
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    lesson = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1", closes_at=lesson_closes_at)
    return courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=lesson.id, type="assignment",
                                title="Viết về trà Tân Cương", settings=settings or {}, completion=completion,
                                closes_at=closes_at)


def _stored(db: Session) -> tuple[int, int, frozenset[str]]:
    """Return the submissions, the statements, and the files kept (temporary uploads included)."""
    db.expire_all()
    files = frozenset(str(p.relative_to(storage.files_dir())) for p in storage.files_dir().rglob("*") if p.is_file())
    return (db.scalar(select(func.count()).select_from(Submission)),
            db.scalar(select(func.count()).select_from(StatementRow)), files)


def _verbs(db: Session, user_id: int) -> list[str]:
    return sorted(db.scalars(select(StatementRow.verb).where(StatementRow.user_id == user_id)))


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (11, 110, 79)).save(out, format="PNG")
    return out.getvalue()


def test_a_student_hands_in_text_and_a_file_which_completes_the_assignment(db: Session, world, types) -> None:
    activity = _assignment(db, world, types)
    assert activity.completion == "submitted" and activity.settings["max_attempts"] == 3
    work = assignments.submit(db=db, actor=world.student, activity_id=activity.id,
                              text="Che Tân Cương thơm.\r\nNước xanh.", stream=io.BytesIO(PDF),
                              filename="C:\\Users\\em\\Bài làm.pdf")
    assert work.attempt == 1 and not work.late
    assert work.text == "Che Tân Cương thơm.\nNước xanh."
    assert work.file_name == "Bài làm.pdf" and work.file_size == len(PDF)
    assert storage.path_for(work.file_sha256).read_bytes() == PDF
    assert _verbs(db, world.student.id) == ["completed", "submitted"]
    assert not list((storage.files_dir() / "tmp").glob("*"))  # nothing left half-uploaded

    again = assignments.submit(db=db, actor=world.student, activity_id=activity.id, stream=io.BytesIO(DOCX),
                               filename="bai-lam-2.docx")
    assert again.attempt == 2 and again.text == ""
    assert [s.attempt for s in assignments.own_submissions(db=db, actor=world.student, activity_id=activity.id)] == [1, 2]
    assert assignments.own_submissions(db=db, actor=world.classmate, activity_id=activity.id) == []
    path, kind, name = assignments.submission_file(db=db, actor=world.student, submission_id=again.id)
    assert path.read_bytes() == DOCX and kind.family == "docx" and name == "bai-lam-2.docx"


def test_each_accepted_kind_is_known_by_its_bytes_not_its_name(db: Session, world, types) -> None:
    activity = _assignment(db, world, types, settings={"max_attempts": 10})
    for data, name, family in ((_png(), "anh.docx", "image"), ((FIXTURES / "reading_log_utf16.txt").read_bytes(),
                                                              "nhat-ky", "text"), (PDF, "bai.txt", "pdf")):
        work = assignments.submit(db=db, actor=world.student, activity_id=activity.id, stream=io.BytesIO(data),
                                  filename=name)
        assert assignments.submission_file(db=db, actor=world.teacher, submission_id=work.id)[1].family == family


@pytest.mark.parametrize(("kinds", "data"), [
    (["docx"], (FIXTURES / "water_rocket_renamed.docx").read_bytes()),  # a PDF named .docx
    (["docx", "pdf"], (FIXTURES / "tea_lesson.pptx").read_bytes()),  # a zip, but a slide deck
    (["docx"], (FIXTURES / "broken.docx").read_bytes()),
    (["text", "image"], b"\x00\x01\x02 binary \xff\xfe\x00"),
    (["pdf"], b""),
])
def test_a_file_of_a_refused_type_is_refused_with_nothing_stored(db: Session, world, types, kinds, data) -> None:
    activity = _assignment(db, world, types, settings={"file_kinds": kinds})
    before = _stored(db)
    with pytest.raises(Invalid) as refused:
        assignments.submit(db=db, actor=world.student, activity_id=activity.id, text="kèm tệp",
                           stream=io.BytesIO(data), filename="bai.docx")
    assert refused.value.message in (assignments.WRONG_FILE_TYPE, assignments.EMPTY_FILE,
                                     "The file is damaged and cannot be opened. Save it again and upload it again.")
    assert _stored(db) == before


def test_a_file_over_the_limit_is_refused_and_leaves_no_file(db: Session, world, types, monkeypatch) -> None:
    monkeypatch.setitem(get_settings().upload_limits_mb, "assignment", 1)
    activity = _assignment(db, world, types)
    before = _stored(db)
    with pytest.raises(TooLarge) as refused:
        assignments.submit(db=db, actor=world.student, activity_id=activity.id,
                           stream=io.BytesIO(PDF + b" " * 1_000_000), filename="big.pdf")
    assert refused.value.message == assignments.FILE_TOO_LARGE and refused.value.params == {"max_mb": "1"}
    assert _stored(db) == before


def test_text_or_file_only_and_attempt_limits_are_kept(db: Session, world, types) -> None:
    text_only = _assignment(db, world, types, settings={"accept_file": False, "max_attempts": 1})
    before = _stored(db)
    for kwargs, message in (({"stream": io.BytesIO(PDF), "filename": "a.pdf"}, assignments.NO_FILE_HERE),
                            ({"text": "   \n "}, assignments.NOTHING_HANDED_IN),
                            ({"text": "x" * (assignments.MAX_TEXT + 1)}, assignments.TEXT_TOO_LONG)):
        with pytest.raises((Invalid, TooLarge)) as refused:
            assignments.submit(db=db, actor=world.student, activity_id=text_only.id, **kwargs)
        assert refused.value.message == message
    assert _stored(db) == before
    assignments.submit(db=db, actor=world.student, activity_id=text_only.id, text="Bài làm")
    before = _stored(db)
    with pytest.raises(Invalid) as refused:
        assignments.submit(db=db, actor=world.student, activity_id=text_only.id, text="Bài làm lại")
    assert refused.value.message == assignments.NO_ATTEMPTS_LEFT and _stored(db) == before

    file_only = courses.add_activity(db=db, actor=world.teacher, types=types, lesson_id=text_only.lesson_id,
                                     type="assignment", title="Nộp ảnh", settings={"accept_text": False})
    with pytest.raises(Invalid) as refused:
        assignments.submit(db=db, actor=world.student, activity_id=file_only.id, text="chữ")
    assert refused.value.message == assignments.NO_TEXT_HERE and _stored(db) == before


def test_late_work_is_refused_or_marked_late_as_the_course_says(db: Session, world, types) -> None:
    past = utcnow() - timedelta(days=1)
    refusing = _assignment(db, world, types, lesson_closes_at=past, late_policy="refuse")
    before = _stored(db)
    with pytest.raises(Invalid) as refused:
        assignments.submit(db=db, actor=world.student, activity_id=refusing.id, stream=io.BytesIO(PDF + b"late"),
                           filename="muon.pdf")
    assert refused.value.message == assignments.CLOSED_REFUSED
    assert _stored(db) == before  # neither row nor statement nor file
    on_time = assignments.submit(db=db, actor=world.student, activity_id=refusing.id, text="Đúng hạn",
                                 now=past - timedelta(hours=1))
    assert not on_time.late

    marking = _assignment(db, world, types, closes_at=past, late_policy="mark_late")
    assert assignments.submit(db=db, actor=world.student, activity_id=marking.id, text="Muộn").late
    # the activity's own closing date comes before the lesson's
    own_date = _assignment(db, world, types, lesson_closes_at=past, closes_at=utcnow() + timedelta(days=2),
                           late_policy="refuse")
    assert not assignments.submit(db=db, actor=world.student, activity_id=own_date.id, text="Còn hạn").late


def test_a_crash_after_the_file_was_kept_removes_it(db: Session, world, types, monkeypatch) -> None:
    activity = _assignment(db, world, types, settings={"max_attempts": 5})
    shared = assignments.submit(db=db, actor=world.classmate, activity_id=activity.id, stream=io.BytesIO(DOCX),
                                filename="chung.docx")

    def crash(**_: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(assignments.progress, "record", crash)
    before = _stored(db)
    unique = PDF + b"\n% only this upload"
    with pytest.raises(RuntimeError):
        assignments.submit(db=db, actor=world.student, activity_id=activity.id, stream=io.BytesIO(unique),
                           filename="a.pdf")
    assert _stored(db) == before
    with pytest.raises(RuntimeError):  # the same bytes as stored work: that file stays for its submission
        assignments.submit(db=db, actor=world.student, activity_id=activity.id, stream=io.BytesIO(DOCX),
                           filename="b.docx")
    assert _stored(db) == before and storage.path_for(shared.file_sha256).read_bytes() == DOCX


def test_a_teacher_scores_work_and_a_pass_mark_completes_it(db: Session, world, types) -> None:
    activity = _assignment(db, world, types, completion="passed")
    assert activity.threshold == 5.0
    work = assignments.submit(db=db, actor=world.student, activity_id=activity.id, text="Bài làm")
    assert _verbs(db, world.student.id) == ["submitted"]  # handing in does not pass

    graded = assignments.grade(db=db, actor=world.teacher, submission_id=work.id, score="4,5", feedback="Thiếu ý.")
    assert graded.score == Decimal("4.5") and graded.feedback == "Thiếu ý." and graded.graded_by_id == world.teacher.id
    assert _verbs(db, world.student.id) == ["scored", "submitted"]
    assignments.grade(db=db, actor=world.teacher, submission_id=work.id, score="4.5", feedback="Thiếu ý, viết thêm.")
    assert _verbs(db, world.student.id) == ["scored", "submitted"]  # the same score is not recorded twice
    assignments.grade(db=db, actor=world.teacher, submission_id=work.id, score=8, feedback="Tốt.")
    assert _verbs(db, world.student.id) == ["completed", "scored", "scored", "submitted"]
    row = db.scalars(select(StatementRow).where(StatementRow.verb == "scored").order_by(StatementRow.stored.desc())).first()
    assert row.body["result"]["score"] == {"raw": 8.0, "min": 0, "max": 10, "scaled": 0.8}
    assert row.body["result"]["success"] is True and row.score_scaled == 0.8


@pytest.mark.parametrize("score", ["10.5", "-1", "7.25", "bảy", "nan"])
def test_a_score_outside_zero_to_ten_is_refused_and_changes_nothing(db: Session, world, types, score) -> None:
    activity = _assignment(db, world, types)
    work = assignments.submit(db=db, actor=world.student, activity_id=activity.id, text="Bài làm")
    assignments.grade(db=db, actor=world.teacher, submission_id=work.id, score="6", feedback="Khá.")
    before = _stored(db)
    with pytest.raises(Invalid) as refused:
        assignments.grade(db=db, actor=world.teacher, submission_id=work.id, score=score, feedback="Sửa")
    assert score in refused.value.translated()  # the message names the wrong value
    db.expire_all()
    stored = db.get(Submission, work.id)
    assert stored.score == Decimal("6.0") and stored.feedback == "Khá." and _stored(db) == before


def test_rubrics_add_up_to_ten_and_score_by_criterion(db: Session, world, types) -> None:
    activity = _assignment(db, world, types)
    original = dict(activity.settings)
    for rubric, message in (([{"title": "Nội dung", "points": 6}, {"title": "Trình bày", "points": 3}],
                             assignments.RUBRIC_NOT_TEN),
                            ([{"title": "Nội dung", "points": 5}, {"title": "nội dung", "points": 5}],
                             assignments.RUBRIC_TITLES),
                            ([{"title": "Nội dung", "points": 9.75}, {"title": "Trình bày", "points": 0.25}],
                             assignments.RUBRIC_POINTS)):
        with pytest.raises(Invalid) as refused:
            assignments.configure(db=db, actor=world.teacher, activity_id=activity.id,
                                  settings={**original, "rubric": rubric})
        assert refused.value.message == message
        db.expire_all()
        assert db.get(Activity, activity.id).settings == original
    with pytest.raises(Invalid) as refused:
        assignments.configure(db=db, actor=world.teacher, activity_id=activity.id,
                              settings={"accept_text": False, "accept_file": False})
    assert refused.value.message == assignments.NO_WAY_TO_HAND_IN
    with pytest.raises(Forbidden):
        assignments.configure(db=db, actor=world.student, activity_id=activity.id, settings={"max_attempts": 9})

    rubric = [{"title": "Nội dung", "points": 6}, {"title": "Trình bày", "points": 4}]
    assignments.configure(db=db, actor=world.teacher, activity_id=activity.id, settings={"rubric": rubric})
    work = assignments.submit(db=db, actor=world.student, activity_id=activity.id, text="Bài làm")
    before = _stored(db)
    for points, score in (([6.5, 3], None), (["5", ""], None), ([5], None), (None, "9")):
        with pytest.raises(Invalid):
            assignments.grade(db=db, actor=world.teacher, submission_id=work.id, rubric=points, score=score)
    assert _stored(db) == before and db.get(Submission, work.id).score is None
    graded = assignments.grade(db=db, actor=world.teacher, submission_id=work.id, rubric=["5,5", "3"],
                               feedback="Trình bày chưa gọn.")
    assert graded.score == Decimal("8.5") and graded.rubric_scores == {"Nội dung": 5.5, "Trình bày": 3.0}


def test_only_the_course_teachers_see_and_grade_and_a_student_only_their_own(db: Session, world, types) -> None:
    activity = _assignment(db, world, types)
    mine = assignments.submit(db=db, actor=world.student, activity_id=activity.id, text="Của em",
                              stream=io.BytesIO(PDF), filename="em.pdf")
    work = assignments.class_submissions(db=db, actor=world.teacher, activity_id=activity.id)
    assert {w.student.id: [s.id for s in w.attempts] for w in work} == {world.student.id: [mine.id],
                                                                        world.classmate.id: []}
    assert assignments.class_submissions(db=db, actor=world.school_admin, activity_id=activity.id)
    before = _stored(db)
    for outsider in (world.other_teacher, world.other_school_teacher, world.student_7a):
        with pytest.raises(NotFound):
            assignments.class_submissions(db=db, actor=outsider, activity_id=activity.id)
        with pytest.raises(NotFound):
            assignments.grade(db=db, actor=outsider, submission_id=mine.id, score="9")
        with pytest.raises(NotFound):
            assignments.submission_file(db=db, actor=outsider, submission_id=mine.id)
    with pytest.raises(NotFound):
        assignments.submission_file(db=db, actor=world.classmate, submission_id=mine.id)
    with pytest.raises(NotFound):  # a student cannot grade, not even their own work
        assignments.grade(db=db, actor=world.student, submission_id=mine.id, score="10")
    with pytest.raises(Forbidden):
        assignments.class_submissions(db=db, actor=world.classmate, activity_id=activity.id)
    with pytest.raises(Forbidden):  # teachers do not hand in
        assignments.submit(db=db, actor=world.teacher, activity_id=activity.id, text="Thầy nộp")
    with pytest.raises(NotFound):
        assignments.submit(db=db, actor=world.student_7a, activity_id=activity.id, text="Không phải lớp em")
    assert _stored(db) == before and db.get(Submission, mine.id).score is None
