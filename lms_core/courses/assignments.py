"""The assignment activity: a student hands in text or a file (and may hand in again up to a limit), the teacher
scores it out of 10 directly or by a rubric and writes feedback; work after the closing date is refused or marked
late as the course says. Handing in records "submitted", a score records "scored" (so "passed" completion works)."""

from __future__ import annotations

import codecs
import re
import zipfile
from xml.parsers import expat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_core import permissions, storage
from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import ClassEnrolment, User
from lms_core.archives import check_zip
from lms_core.courses import service as courses
from lms_core.courses.models import Activity, Completion, Course, LatePolicy, Lesson, Submission
from lms_core.db import utcnow
from lms_core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from lms_core.gradebook.rules import score as checked_score
from lms_core.i18n import N_, gettext
from lms_core.plugins.types import ActivityType
from lms_core.progress import service as progress
from lms_core.settings import get_settings
from lms_core.text import nfc

NAME = "assignment"
MAX_TEXT, MAX_FEEDBACK, MAX_CRITERIA, MAX_ATTEMPTS = 50_000, 10_000, 10, 10
FILE_KINDS = ("pdf", "docx", "image", "text")
KIND_LABELS = {"pdf": N_("PDF"), "docx": N_("Word document (DOCX)"), "image": N_("image (PNG, JPEG, GIF, WebP)"),
               "text": N_("plain text")}
ACCEPT = {"pdf": ".pdf,application/pdf", "docx": ".docx", "image": "image/png,image/jpeg,image/gif,image/webp",
          "text": ".txt,text/plain"}

BAD_SETTINGS = N_("The settings of this assignment are not valid.")
NO_WAY_TO_HAND_IN = N_("Let students hand in text, a file, or both.")
NO_FILE_KINDS = N_("Choose at least one kind of file students may hand in.")
RUBRIC_NOT_TEN = N_("The points of the rubric's criteria must add up to 10.")
RUBRIC_TITLES = N_("Each criterion of the rubric needs its own name (at most 200 characters).")
RUBRIC_POINTS = N_("Each criterion is worth from 0.5 to 10 points, with at most one decimal.")
NOT_AN_ASSIGNMENT = N_("This activity is not an assignment.")
SUBMISSION_NOT_FOUND = N_("This handed-in work does not exist.")
NOT_OPEN = N_("This assignment is not open yet.")
CLOSED_REFUSED = N_("This assignment closed on {when}; work handed in late is not accepted in this course.")
NO_ATTEMPTS_LEFT = N_("You have already handed in {max} times, the most this assignment allows.")
NOTHING_HANDED_IN = N_("Write your answer or choose a file to hand in.")
NO_TEXT_HERE = N_("This assignment takes a file only, not written text.")
NO_FILE_HERE = N_("This assignment takes written text only, not a file.")
TEXT_TOO_LONG = N_("The text may have at most {max} characters.")
EMPTY_FILE = N_("The file is empty.")
FILE_TOO_LARGE = N_("The file is larger than {max_mb} MB, the limit for handed-in work.")
WRONG_FILE_TYPE = N_("This kind of file is not accepted here; hand in one of: {kinds}.")
HANDED_IN_TWICE = N_("This work was handed in twice at the same moment; reload the page to see it.")
FEEDBACK_TOO_LONG = N_("Feedback may have at most {max} characters.")
NOTHING_TO_SAVE = N_("Give a score or write feedback.")
RUBRIC_NEEDED = N_("Give the points of every criterion of the rubric.")
NO_RUBRIC = N_("This assignment has no rubric: give one score out of 10.")
BAD_CRITERION_POINTS = N_("The points for “{title}” must be a number from 0 to {max}, with at most one decimal.")
NO_FILE = N_("This handed-in work has no file.")
FILE_MISSING = N_("The file of this work is missing on the server. Please tell the school's administrator.")


# --- settings ------------------------------------------------------------------------------------

def _rule(msgid: str) -> PydanticCustomError:
    return PydanticCustomError("assignment_rule", "{rule}", {"rule": msgid})


class Criterion(BaseModel):
    """One criterion of a rubric and the points it is worth (all criteria add up to 10)."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=400)
    points: float

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        value = " ".join(nfc(value).split())
        if not value or len(value) > 200:
            raise _rule(RUBRIC_TITLES)
        return value

    @field_validator("points")
    @classmethod
    def _points(cls, value: float) -> float:
        if not 0.5 <= value <= 10 or abs(round(value, 1) - value) > 1e-9:
            raise _rule(RUBRIC_POINTS)
        return round(value, 1)


class AssignmentSettings(BaseModel):
    """How work is handed in: text and/or a file of some kinds, how many attempts, and an optional rubric."""

    model_config = ConfigDict(extra="ignore")
    accept_text: bool = True
    accept_file: bool = True
    file_kinds: list[Literal["pdf", "docx", "image", "text"]] = Field(default_factory=lambda: list(FILE_KINDS),
                                                                       max_length=len(FILE_KINDS))
    max_attempts: int = Field(default=3, ge=1, le=MAX_ATTEMPTS)
    rubric: list[Criterion] = Field(default_factory=list, max_length=MAX_CRITERIA)

    @model_validator(mode="after")
    def _consistent(self) -> AssignmentSettings:
        if not self.accept_text and not self.accept_file:
            raise _rule(NO_WAY_TO_HAND_IN)
        if self.accept_file and not self.file_kinds:
            raise _rule(NO_FILE_KINDS)
        self.file_kinds = [k for k in FILE_KINDS if k in self.file_kinds]  # no repeats, one order
        titles = [c.title.casefold() for c in self.rubric]
        if len(set(titles)) != len(titles):
            raise _rule(RUBRIC_TITLES)
        if self.rubric and round(sum(c.points for c in self.rubric) * 10) != 100:
            raise _rule(RUBRIC_NOT_TEN)
        return self


def check_settings(raw: dict[str, Any]) -> dict[str, Any]:
    """Return an assignment's settings checked and completed; a broken rule is refused with its own message."""
    try:
        return AssignmentSettings.model_validate(raw or {}).model_dump(mode="json")
    except ValidationError as exc:
        rule = next((e["ctx"]["rule"] for e in exc.errors() if e["type"] == "assignment_rule"), BAD_SETTINGS)
        raise Invalid(rule) from None


def _settings_of(activity: Activity) -> AssignmentSettings:
    return AssignmentSettings.model_validate(activity.settings or {})


def _aware(when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def due_at(activity: Activity, lesson: Lesson) -> datetime | None:
    """Return when the assignment closes: its own closing date, else its lesson's (None: never)."""
    return _aware(activity.closes_at or lesson.closes_at)


def _assignment(db: Session, actor: User, activity_id: int) -> tuple[Activity, Course]:
    activity = courses.get_activity(db=db, actor=actor, activity_id=activity_id)
    if activity.type != NAME:
        raise NotFound(NOT_AN_ASSIGNMENT)
    return activity, db.get(Course, activity.course_id)


def configure(*, db: Session, actor: User, activity_id: int, settings: dict[str, Any]) -> Activity:
    """Change how an assignment is handed in and graded (its teachers only)."""
    activity, course = _assignment(db, actor, activity_id)
    permissions.require(actor, "course.edit", course)
    activity.settings = check_settings(settings)
    db.commit()
    return activity


# --- files: the type is decided by the bytes, never by the name -----------------------------------

@dataclass(frozen=True)
class FileKind:
    """What a handed-in file is: its family (a FILE_KINDS key), media type and usual extension."""

    family: str
    mime: str
    extension: str


_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", FileKind("image", "image/png", "png")),
               (b"\xff\xd8\xff", FileKind("image", "image/jpeg", "jpg")),
               (b"GIF87a", FileKind("image", "image/gif", "gif")), (b"GIF89a", FileKind("image", "image/gif", "gif")))
_PDF = FileKind("pdf", "application/pdf", "pdf")
_DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
_TEXT = FileKind("text", "text/plain; charset=utf-8", "txt")
_TEXT_UTF16 = FileKind("text", "text/plain", "txt")  # the BOM tells the browser the encoding
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def detect(path: Path, head: bytes) -> FileKind | None:
    """Return the kind of a file from its first bytes (and, for DOCX and text, its whole content), None if unknown."""
    if head[:1024].lstrip().startswith(b"%PDF-"):
        return _PDF
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileKind("image", "image/webp", "webp")
    if head.startswith(b"PK\x03\x04"):
        names = {info.filename for info in check_zip(path)}  # refuses broken and unsafe archives first
        if not {"[Content_Types].xml", "word/document.xml"} <= names:
            return None
        return _DOCX if _well_formed(path, "word/document.xml") else None
    data = path.read_bytes()
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            data = data[len(bom):]
            break
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else (_TEXT if encoding == "utf-8" else _TEXT_UTF16)


def _well_formed(path: Path, member: str) -> bool:
    """Return whether a zip member is well-formed XML without a DTD (OOXML never has one; entities stay out)."""
    def no_dtd(*_: Any) -> None:
        raise ValueError("DTD")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = no_dtd
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
            while chunk := stream.read(1 << 16):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (expat.ExpatError, ValueError, zipfile.BadZipFile, OSError, EOFError):
        return False
    return True


def _kinds_text(kinds: list[str]) -> str:
    return ", ".join(gettext(KIND_LABELS[k]) for k in kinds)


def _file_name(name: str | None, kind: FileKind) -> str:
    name = nfc(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip(" .")
    if not name:
        name = f"bai-nop.{kind.extension}"
    stem, dot, ext = name.rpartition(".")
    if len(name) > 255 and dot and len(ext) <= 10:
        return stem[: 254 - len(ext)] + "." + ext
    return name[:255]


def _stage(stream: BinaryIO, settings: AssignmentSettings) -> tuple[storage.Staged, FileKind]:
    limit = get_settings().upload_limit_bytes(NAME)
    try:
        staged = storage.stage(stream, max_bytes=limit)
    except TooLarge:
        raise TooLarge(FILE_TOO_LARGE, max_mb=f"{limit / 1_000_000:.3g}") from None
    try:
        if staged.size == 0:
            raise Invalid(EMPTY_FILE)
        kind = detect(staged.path, staged.head)
        if kind is None or kind.family not in settings.file_kinds:
            raise Invalid(WRONG_FILE_TYPE, kinds=_kinds_text(settings.file_kinds))
    except BaseException:
        staged.discard()
        raise
    return staged, kind


# --- handing in ------------------------------------------------------------------------------------

def _text(value: str) -> str:
    text = nfc(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_TEXT:
        raise TooLarge(TEXT_TOO_LONG, max=f"{MAX_TEXT:,}")
    return text


def submit(*, db: Session, actor: User, activity_id: int, text: str = "", stream: BinaryIO | None = None,
           filename: str | None = None, now: datetime | None = None) -> Submission:
    """Hand in a student's work as a new attempt; a refusal stores nothing and keeps no file."""
    activity, course = _assignment(db, actor, activity_id)
    if not permissions.can(actor, "course.learn", course):
        raise Forbidden(progress.NOT_A_STUDENT)
    settings = _settings_of(activity)
    lesson = db.get(Lesson, activity.lesson_id)
    now = now or utcnow()
    locked = progress.why_locked(db, lesson, progress.completed_ids(db, course_id=course.id, user_id=actor.id), now)
    if locked is not None:
        first = db.get(Lesson, lesson.prerequisite_id) if lesson.prerequisite_id else None
        raise Forbidden(locked, title=first.title if first else "")
    if activity.opens_at and _aware(activity.opens_at) > now:
        raise Forbidden(NOT_OPEN)
    due = due_at(activity, lesson)
    late = due is not None and now > due
    if late and course.late_policy == LatePolicy.refuse:
        raise Invalid(CLOSED_REFUSED, when=local_time(due))
    done = db.scalar(select(func.count()).select_from(Submission).where(
        Submission.activity_id == activity.id, Submission.student_id == actor.id))
    if done >= settings.max_attempts:
        raise Invalid(NO_ATTEMPTS_LEFT, max=settings.max_attempts)
    body = _text(text)
    if body and not settings.accept_text:
        raise Invalid(NO_TEXT_HERE)
    if stream is not None and not settings.accept_file:
        raise Invalid(NO_FILE_HERE)
    if not body and stream is None:
        raise Invalid(NOTHING_HANDED_IN)
    staged = kind = None
    if stream is not None:
        staged, kind = _stage(stream, settings)
    sha = staged.sha256 if staged else None
    fresh = storage.keep(staged) if staged else False
    try:
        submission = Submission(activity_id=activity.id, student_id=actor.id, attempt=done + 1, text=body,
                                file_sha256=sha, file_name=_file_name(filename, kind) if kind else None,
                                file_size=staged.size if staged else None, submitted_at=now, late=late)
        db.add(submission)
        db.flush()
        progress.record(db=db, actor=actor, activity_id=activity.id, verb="submitted", commit=False, when=now)
        db.commit()
    except IntegrityError:
        db.rollback()
        if fresh:
            storage.forget(sha)
        raise Conflict(HANDED_IN_TWICE) from None
    except BaseException:
        db.rollback()
        if fresh:  # a file another row already uses stays
            storage.forget(sha)
        raise
    return submission


# --- grading -------------------------------------------------------------------------------------

def _get_submission(db: Session, actor: User, submission_id: int) -> tuple[Submission, Activity, Course, bool]:
    """Return a submission the actor may see (their own, or one in a course they teach) and whether they may grade."""
    submission = db.get(Submission, submission_id)
    if submission is None:
        raise NotFound(SUBMISSION_NOT_FOUND)
    try:
        activity, course = _assignment(db, actor, submission.activity_id)
    except NotFound:
        raise NotFound(SUBMISSION_NOT_FOUND) from None
    teacher = permissions.can(actor, "course.edit", course)
    if not teacher and submission.student_id != actor.id:
        raise NotFound(SUBMISSION_NOT_FOUND)
    return submission, activity, course, teacher


def _rubric_score(settings: AssignmentSettings, points: list[Any]) -> tuple[Decimal, dict[str, float]]:
    if len(points) != len(settings.rubric) or any(str(p).strip() == "" for p in points):
        raise Invalid(RUBRIC_NEEDED)
    total, given = Decimal(0), {}
    for criterion, raw in zip(settings.rubric, points, strict=True):
        top = Decimal(str(criterion.points))
        try:
            value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            value = Decimal("NaN")
        exact = value.is_finite() and value == value.quantize(Decimal("0.1"))
        if isinstance(raw, bool) or not exact or not 0 <= value <= top:
            raise Invalid(BAD_CRITERION_POINTS, title=criterion.title, max=f"{top:g}")
        total += value
        given[criterion.title] = float(value)
    return checked_score(total), given


def grade(*, db: Session, actor: User, submission_id: int, score: Any = None, rubric: list[Any] | None = None,
          feedback: str = "", now: datetime | None = None) -> Submission:
    """Score a handed-in attempt (out of 10, directly or by the rubric) and give feedback; records "scored"."""
    submission, activity, course, teacher = _get_submission(db, actor, submission_id)
    if not teacher:
        raise NotFound(SUBMISSION_NOT_FOUND)
    settings = _settings_of(activity)
    given: dict[str, float] = {}
    if settings.rubric and rubric is not None and any(str(p).strip() for p in rubric):
        value, given = _rubric_score(settings, list(rubric))
    elif rubric is not None and any(str(p).strip() for p in rubric):
        raise Invalid(NO_RUBRIC)
    elif score is not None and str(score).strip() != "":
        if settings.rubric:
            raise Invalid(RUBRIC_NEEDED)
        value = checked_score(score)
    else:
        value = None
    text = nfc(feedback or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_FEEDBACK:
        raise TooLarge(FEEDBACK_TOO_LONG, max=f"{MAX_FEEDBACK:,}")
    if value is None and not text:
        raise Invalid(NOTHING_TO_SAVE)
    before = Decimal(submission.score).quantize(Decimal("0.1")) if submission.score is not None else None
    try:
        submission.score, submission.rubric_scores, submission.feedback = value, given, text
        submission.graded_by_id, submission.graded_at = actor.id, now or utcnow()
        db.flush()
        if value is not None and value != before:
            result: dict[str, Any] = {"score": {"raw": float(value), "min": 0, "max": 10, "scaled": float(value) / 10}}
            if activity.completion == Completion.passed:
                result["success"] = value >= Decimal(str(activity.threshold if activity.threshold is not None else 5))
            progress.record(db=db, actor=actor, activity_id=activity.id, verb="scored", result=result,
                            student=db.get(User, submission.student_id), commit=False, when=now)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return submission


# --- reading -------------------------------------------------------------------------------------

def own_submissions(*, db: Session, actor: User, activity_id: int) -> list[Submission]:
    """Return the actor's own attempts at an assignment, first to last."""
    activity, _ = _assignment(db, actor, activity_id)
    return list(db.scalars(select(Submission).where(Submission.activity_id == activity.id,
                                                    Submission.student_id == actor.id).order_by(Submission.attempt)))


@dataclass
class StudentWork:
    """One student of the class and their attempts at an assignment (none: not handed in)."""

    student: User
    attempts: list[Submission] = field(default_factory=list)

    @property
    def latest(self) -> Submission | None:
        """Return the last attempt, or None."""
        return self.attempts[-1] if self.attempts else None


def class_submissions(*, db: Session, actor: User, activity_id: int, class_id: int | None = None) -> list[StudentWork]:
    """Return, for a teacher of the course, each student of its classes (or of one) with their attempts."""
    activity, course = _assignment(db, actor, activity_id)
    permissions.require(actor, "course.edit", course)
    if class_id is not None and class_id not in {c.id for c in course.classes}:
        raise Invalid(N_("This class does not take this course."))
    students = courses.students_of(db=db, course=course, class_id=class_id)
    class_ids = [c.id for c in course.classes if class_id is None or c.id == class_id]
    work = {s.id: StudentWork(student=s) for s in students}
    if class_ids:
        in_class = select(ClassEnrolment.student_id).where(ClassEnrolment.class_id.in_(class_ids))
        for row in db.scalars(select(Submission).where(Submission.activity_id == activity.id,
                                                       Submission.student_id.in_(in_class))
                              .order_by(Submission.student_id, Submission.attempt)):
            if row.student_id in work:
                work[row.student_id].attempts.append(row)
    return list(work.values())


def submission_file(*, db: Session, actor: User, submission_id: int) -> tuple[Path, FileKind, str]:
    """Return a handed-in file's path, kind and name for its student or a teacher of the course."""
    submission, _, _, _ = _get_submission(db, actor, submission_id)
    if not submission.file_sha256:
        raise NotFound(NO_FILE)
    path = storage.path_for(submission.file_sha256)
    if not path.is_file():
        raise NotFound(FILE_MISSING)
    with path.open("rb") as handle:
        head = handle.read(storage.HEAD)
    try:
        kind = detect(path, head) or FileKind("", "application/octet-stream", "bin")
    except (Invalid, TooLarge, zipfile.BadZipFile):
        kind = FileKind("", "application/octet-stream", "bin")
    return path, kind, submission.file_name or f"bai-nop.{kind.extension}"


def context(*, db: Session, actor: User, activity: Activity) -> dict[str, Any]:
    """Return what the assignment part of the activity page shows: a student's form and attempts, a teacher's counts."""
    course = db.get(Course, activity.course_id)
    settings = _settings_of(activity)
    due = due_at(activity, db.get(Lesson, activity.lesson_id))
    learner = permissions.can(actor, "course.learn", course)
    mine = own_submissions(db=db, actor=actor, activity_id=activity.id) if learner else []
    closed = due is not None and utcnow() > due
    refuse = course.late_policy == LatePolicy.refuse
    may_edit = permissions.can(actor, "course.edit", course)
    handed_in = db.scalar(select(func.count(func.distinct(Submission.student_id))).where(
        Submission.activity_id == activity.id)) if may_edit else 0
    return {"assignment": {
        "settings": settings, "due": due, "closed": closed, "refuse_late": refuse,
        "attempts": mine, "attempts_left": max(settings.max_attempts - len(mine), 0),
        "may_submit": learner and len(mine) < settings.max_attempts and not (closed and refuse),
        "accept": ",".join(ACCEPT[k] for k in settings.file_kinds), "kinds": _kinds_text(settings.file_kinds),
        "max_mb": f"{get_settings().upload_limit_bytes(NAME) / 1_000_000:.3g}", "may_edit": may_edit,
        "handed_in": handed_in, "students": len(courses.students_of(db=db, course=course)) if may_edit else 0,
    }}


ACTIVITY_TYPE = ActivityType(NAME, N_("Assignment: hand in text or a file"), ("submitted", "passed"),
                             settings=AssignmentSettings, settings_error=BAD_SETTINGS,
                             template="courses/assignment.html", context=context)
