"""The live online session activity: a time, a duration, and either a https link or a room; a "join" link from
15 minutes before the start; attendance taken by a teacher of the course (present, late, absent).

Present and late write an "attended" statement for the student (by the teacher), which completes the activity;
absent writes none. Statements are append-only, so a correction never edits one: when a student marked present
is corrected to absent, the teacher's voiding statements are appended for the student's "attended" and
"completed" statements (xAPI 1.0.3 voiding), and progress ignores voided statements; present ↔ late voids the
old "attended" and records a new one, so the live statements always say what the attendance row says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import ClassEnrolment, User
from lms_core.courses import service as courses
from lms_core.courses.discussion import teaches
from lms_core.courses.models import Activity, Attendance, Course
from lms_core.db import utcnow
from lms_core.errors import Forbidden, Invalid, NotFound
from lms_core.i18n import N_
from lms_core.org.models import SchoolClass
from lms_core.plugins.types import ActivityType
from lms_core.progress import service as progress
from lms_core.progress.models import StatementRow
from lms_core.text import nfc

TYPE = "live"
JOIN_BEFORE = timedelta(minutes=15)
STATUSES = ("present", "late", "absent")
ATTENDED = {"present", "late"}
STATUS_LABELS = {"present": N_("Present"), "late": N_("Late"), "absent": N_("Absent")}
MAX_LINK, MAX_ROOM = 500, 100
BAD_SETTINGS = N_("Give the start time and a duration from 5 to 600 minutes.")
BAD_LINK = N_("The link must be a full https:// address (at most 500 characters).")
BAD_ROOM = N_("The room name may have at most 100 characters.")
ONE_PLACE = N_("Give either a link or a room, not both and not neither.")
NOT_LIVE = N_("This activity is not a live session.")
NOT_TEACHER = N_("Only a teacher of this course can take attendance.")
TOO_EARLY = N_("Attendance can be taken from 15 minutes before the session starts.")
BAD_STATUS = N_("Mark each student present, late or absent.")
NOT_IN_CLASS = N_("Attendance can only be taken for students of this course's classes.")


class LiveSettings(BaseModel):
    """When a live session starts, how long it lasts, and where: a https link or a room."""

    model_config = ConfigDict(extra="ignore")
    starts_at: AwareDatetime
    duration_minutes: int = Field(ge=5, le=600)
    link: str = Field(default="", max_length=2000)  # checked (and its real limit given) by prepare
    room: str = Field(default="", max_length=2000)


def clean_link(value: str) -> str:
    """Return a https link as given, or refuse anything else (other schemes, credentials, spaces)."""
    link = value.strip()
    try:
        parts = urlsplit(link)
        host = parts.hostname
        parts.port  # noqa: B018 (raises on a malformed port)
    except ValueError:
        raise Invalid(BAD_LINK) from None
    if (parts.scheme != "https" or not host or parts.username or parts.password or len(link) > MAX_LINK
            or any(ch.isspace() or ord(ch) < 32 for ch in link)):
        raise Invalid(BAD_LINK)
    return link


def prepare(*, db: Session, actor: User, course: Any, settings: dict[str, Any]) -> dict[str, Any]:
    """Check the place of a live session: exactly one of a https link and a room name."""
    link = (settings.get("link") or "").strip()
    room = " ".join(nfc(settings.get("room") or "").split())
    if bool(link) == bool(room):
        raise Invalid(ONE_PLACE)
    if room and len(room) > MAX_ROOM:
        raise Invalid(BAD_ROOM)
    return {"starts_at": settings["starts_at"], "duration_minutes": settings["duration_minutes"],
            "link": clean_link(link) if link else "", "room": room}


@dataclass(frozen=True)
class Schedule:
    """A live session's time and place, read from its activity's settings."""

    starts_at: datetime
    ends_at: datetime
    link: str
    room: str

    def state(self, now: datetime) -> str:
        """Return "upcoming", "open" (from 15 minutes before the start to the end) or "ended"."""
        if now < self.starts_at - JOIN_BEFORE:
            return "upcoming"
        return "open" if now < self.ends_at else "ended"


def session_of(activity: Activity) -> Schedule:
    """Return the time and place of a live session activity."""
    settings = activity.settings or {}
    starts = datetime.fromisoformat(settings["starts_at"].replace("Z", "+00:00"))
    starts = starts.replace(tzinfo=UTC) if starts.tzinfo is None else starts.astimezone(UTC)
    return Schedule(starts_at=starts, ends_at=starts + timedelta(minutes=int(settings["duration_minutes"])),
                    link=settings.get("link") or "", room=settings.get("room") or "")


def _live(db: Session, actor: User, activity_id: int) -> tuple[Activity, Course]:
    activity = courses.get_activity(db=db, actor=actor, activity_id=activity_id)
    if activity.type != TYPE:
        raise NotFound(NOT_LIVE)
    return activity, db.get(Course, activity.course_id)


@dataclass
class RosterLine:
    """One student on the attendance form, with the mark taken so far (None: not taken)."""

    student: User
    class_name: str
    mark: Attendance | None


def roster(*, db: Session, actor: User, activity_id: int) -> tuple[Activity, list[RosterLine], dict[int, User]]:
    """Return a live session, its students with their marks, and who took the marks (teachers of the course)."""
    activity, course = _live(db, actor, activity_id)
    if not teaches(actor, course):
        raise Forbidden(NOT_TEACHER)
    students = courses.students_of(db=db, course=course)
    class_ids = [c.id for c in course.classes]
    names = {student_id: name for student_id, name in db.execute(
        select(ClassEnrolment.student_id, SchoolClass.name).join(SchoolClass, SchoolClass.id == ClassEnrolment.class_id)
        .where(ClassEnrolment.class_id.in_(class_ids)))} if class_ids else {}
    marks = {m.student_id: m for m in db.scalars(select(Attendance).where(Attendance.activity_id == activity.id))}
    takers = {m.taken_by_id for m in marks.values()}
    by = {u.id: u for u in db.scalars(select(User).where(User.id.in_(takers)))} if takers else {}
    return activity, [RosterLine(s, names.get(s.id, ""), marks.get(s.id)) for s in students], by


def my_mark(*, db: Session, actor: User, activity: Activity) -> Attendance | None:
    """Return the actor's own attendance mark in a live session, if taken."""
    return db.scalar(select(Attendance).where(Attendance.activity_id == activity.id,
                                              Attendance.student_id == actor.id))


def _live_statements(db: Session, course_id: int, activity_id: int, student_id: int, verbs: tuple[str, ...]) -> list[StatementRow]:
    return list(db.scalars(select(StatementRow).where(
        StatementRow.activity_id == activity_id, StatementRow.user_id == student_id, StatementRow.verb.in_(verbs),
        progress.not_voided(course_id))))


def take_attendance(*, db: Session, actor: User, activity_id: int, marks: dict[int, str],
                    now: datetime | None = None) -> int:
    """Save a teacher's attendance marks (all or none) and the statements they imply; return how many changed."""
    activity, course = _live(db, actor, activity_id)
    if not teaches(actor, course):
        raise Forbidden(NOT_TEACHER)
    now = now or utcnow()
    if now < session_of(activity).starts_at - JOIN_BEFORE:
        raise Invalid(TOO_EARLY)
    if any(status not in STATUSES for status in marks.values()):
        raise Invalid(BAD_STATUS)
    students = {s.id: s for s in courses.students_of(db=db, course=course)}
    if any(student_id not in students for student_id in marks):
        raise Invalid(NOT_IN_CLASS)
    existing = {m.student_id: m for m in db.scalars(select(Attendance).where(Attendance.activity_id == activity.id))}
    changed = 0
    try:
        for student_id, status in sorted(marks.items()):
            row = existing.get(student_id)
            before = row.status if row is not None else None
            if status == before:
                continue
            changed += 1
            if row is None:
                row = Attendance(activity_id=activity.id, student_id=student_id, status=status)
                db.add(row)
            row.status, row.taken_by_id, row.taken_at = status, actor.id, now
            if before in ATTENDED:  # the old "attended" (and, when no longer attended, "completed") stop counting
                gone = ("attended",) if status in ATTENDED else ("attended", "completed")
                progress.void(db, actor=actor, targets=_live_statements(db, course.id, activity.id, student_id, gone))
            if status in ATTENDED:
                progress.record(db=db, actor=actor, activity_id=activity.id, verb="attended",
                                result={"success": True, "response": status}, student=students[student_id],
                                commit=False, when=now)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return changed


def context(*, db: Session, actor: User, activity: Activity) -> dict[str, Any]:
    """Return what the live session template shows: when and where, whether one may join now, one's own mark."""
    course = db.get(Course, activity.course_id)
    session = session_of(activity)
    state = session.state(utcnow())
    return {"live": session, "live_state": state, "join_url": session.link if state == "open" else "",
            "may_take_attendance": teaches(actor, course),
            "my_mark": my_mark(db=db, actor=actor, activity=activity)
            if permissions.can(actor, "course.learn", course) else None,
            "STATUS_LABELS": STATUS_LABELS}


ACTIVITY_TYPE = ActivityType(TYPE, N_("Live online session"), ("attended",), settings=LiveSettings,
                             settings_error=BAD_SETTINGS, prepare=prepare, template="courses/live_session.html",
                             context=context, add_template="courses/live_add.html")
