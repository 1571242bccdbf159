"""A term of plausible history in a demo course, written through the services: lessons opened (a batch of xAPI
statements), questions asked and answered, assignments handed in (some late, some missing) and graded, a live
session's attendance, the gradebook fed from the quizzes and the assignment, and the mid-term and end-of-term tests
marked once the term has reached them. Each step does only what is not there yet, so running it again adds
nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.demo import texts
from content.demo.courses import DemoCourse
from content.demo.people import Learner, stream
from content.demo.timeline import Term
from lms_core.courses import assignments, discussion, live
from lms_core.courses.models import DiscussionPost, Submission
from lms_core.gradebook import service as gradebooks
from lms_core.gradebook.models import GradeEntry, Gradebook, Kind, Mode
from lms_core.org.models import Term as SchoolTerm
from lms_core.plugins.types import ActivityType
from lms_core.progress import service as progress
from lms_core.progress.models import StatementRow

GRADING_LAG = timedelta(days=2)  # work handed in more recently than this is not graded yet
MARKING_DAYS = 5  # a term test's marks are in the gradebook this many days after it is sat


def _aware(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def open_lessons(*, db: Session, demo: DemoCourse, term: Term, learners: list[Learner]) -> int:
    """Record students opening (and, for audio and video, playing) the lesson materials, in one batch."""
    seen = set(db.execute(select(StatementRow.user_id, StatementRow.activity_id).where(
        StatementRow.course_id == demo.course.id, StatementRow.verb == "viewed")).tuples())
    events = []
    for activity, row in demo.materials:
        opens = _aware(demo.lessons[activity.lesson_id].opens_at)
        age = (term.horizon - opens) / timedelta(days=1)
        if age <= 0:
            continue
        for student in learners:
            rng = stream(demo.key, "open", row.entry.slug, student.user.username)
            if rng.random() > min(0.98, (student.engagement + 0.2) * min(1.0, 0.3 + age / 12)):
                continue
            if student.showcase and (activity, row) == demo.materials[-1]:
                continue  # left for whoever signs in as them
            first = term.moment(rng, opens, 0.6 + (1 - student.engagement) * 5)
            again = term.moment(rng, first, 6) if first is not None and rng.random() < 0.3 else None
            if first is None or (student.user.id, activity.id) in seen:
                continue
            for when in (first, again):
                if when is None:
                    continue
                events.append(progress.PastEvent(student.user.id, activity, "viewed", when))
                if activity.completion == "watched":
                    share = rng.uniform(0.85, 1.0) if rng.random() < 0.85 else rng.uniform(0.2, 0.7)
                    events.append(progress.PastEvent(student.user.id, activity, "watched", when + timedelta(minutes=6),
                                                     {"extensions": {progress.PROGRESS_KEY: round(share, 3)}}))
    written = progress.record_past(db=db, course=demo.course, events=events) if events else 0
    db.commit()
    return written


def discuss(*, db: Session, demo: DemoCourse, term: Term, learners: list[Learner]) -> None:
    """Let a few students ask in the first lesson's discussion, the teacher answer, and a classmate chip in."""
    activity = demo.discussion
    if activity is None or not learners or db.scalar(select(DiscussionPost.id).where(
            DiscussionPost.activity_id == activity.id).limit(1)) is not None:
        return
    rng = stream(demo.key, "discussion")
    opens = _aware(demo.lessons[activity.lesson_id].opens_at)
    title = demo.materials[0][1].entry.title
    askers = rng.sample(learners, min(3, len(learners)))
    for n, student in enumerate(askers):
        asked_at = term.moment(rng, opens, 4)
        if asked_at is None:
            continue
        question = discussion.post(db=db, actor=student.user, activity_id=activity.id, now=asked_at,
                                   body=texts.QUESTIONS[n % len(texts.QUESTIONS)].format(m=title))
        answered_at = term.moment(rng, asked_at, 0.5)
        if answered_at is not None:
            discussion.post(db=db, actor=demo.teacher, activity_id=activity.id, parent_id=question.id,
                            now=answered_at, body=texts.ANSWERS_BY_TEACHER[n % len(texts.ANSWERS_BY_TEACHER)])
        helper = rng.choice(learners)
        helped_at = term.moment(rng, asked_at, 1)
        if n == 0 and helper is not student and helped_at is not None:
            discussion.post(db=db, actor=helper.user, activity_id=activity.id, parent_id=question.id,
                            now=helped_at, body=rng.choice(texts.ANSWERS_BY_STUDENT))


def hand_in(*, db: Session, demo: DemoCourse, term: Term, learners: list[Learner]) -> None:
    """Let students hand in the assignment (some late, some not at all), and the teacher grade most of it."""
    activity = demo.assignment
    if activity is None:
        return
    opens, due = _aware(demo.lessons[activity.lesson_id].opens_at), _aware(activity.closes_at)
    handed = set(db.scalars(select(Submission.student_id).where(Submission.activity_id == activity.id)))
    material = demo.materials[0][1].entry.title if demo.materials else demo.course.title
    for student in learners:
        rng = stream(demo.key, "assignment", student.user.username)
        missing = rng.random() < 0.04 + (1 - student.engagement) * 0.25
        late = rng.random() < 0.06 + (1 - student.engagement) * 0.25
        when = (term.moment(rng, due, 1.2) if late else
                term.moment(rng, opens, (due - opens) / timedelta(days=1) / 3, latest=due))
        text = texts.student_text(rng, material, demo.area.english, korean=demo.subject.code == "NN2")
        if missing or when is None or student.user.id in handed:
            continue
        assignments.submit(db=db, actor=student.user, activity_id=activity.id, text=text, now=when)
    ability = {s.user.id: s for s in learners}
    for sub in db.scalars(select(Submission).where(Submission.activity_id == activity.id, Submission.score.is_(None),
                                                   Submission.graded_by_id.is_(None)).order_by(Submission.id)):
        student = ability.get(sub.student_id)
        submitted = _aware(sub.submitted_at)
        if student is None or submitted > term.horizon - GRADING_LAG:
            continue
        rng = stream(demo.key, "grade", student.user.username, sub.attempt)
        if rng.random() < 0.06:  # the teacher has not got to it yet
            continue
        raw = 6.3 + 1.3 * student.ability + rng.gauss(0, 0.8) - (0.5 if sub.late else 0)
        score = max(2.0, min(10.0, round(raw * 2) / 2))
        when = min(max(due, submitted) + timedelta(days=rng.uniform(0.5, 4)), term.horizon - timedelta(hours=1))
        assignments.grade(db=db, actor=demo.teacher, submission_id=sub.id, score=f"{score:.1f}",
                          feedback=texts.feedback(score, sub.late), now=when)


def take_attendance(*, db: Session, demo: DemoCourse, term: Term, learners: list[Learner]) -> None:
    """Let the teacher take attendance of the live session that took place (taking it again changes nothing)."""
    activity = demo.live
    if activity is None or not learners:
        return
    session = live.session_of(activity)
    if session.ends_at > term.horizon:
        return
    marks = {}
    for student in learners:
        r = stream(demo.key, "live", student.user.username).random()
        absent = 0.03 + (1 - student.engagement) * 0.3
        marks[student.user.id] = "absent" if r < absent else "late" if r < absent + 0.06 else "present"
    live.take_attendance(db=db, actor=demo.teacher, activity_id=activity.id, marks=marks, now=session.ends_at)


def keep_gradebook(*, db: Session, demo: DemoCourse, term: Term, types: dict[str, ActivityType],
                   learners: list[Learner]) -> None:
    """Open the class's sổ điểm for the term and fill its regular assessments from the quizzes and the assignment
    as the teacher would: mapped and pulled where scores flow, typed as Đ / CĐ where the subject is commented."""
    today = term.day_of(term.horizon)
    terms = list(db.scalars(select(SchoolTerm).where(SchoolTerm.academic_year_id == demo.course.academic_year_id)
                            .order_by(SchoolTerm.number)))
    chosen = next((t for t in reversed(terms) if t.start_date <= today), terms[0] if terms else None)
    if chosen is None:
        return
    book = gradebooks.open_gradebook(db=db, actor=demo.teacher, course_id=demo.course.id, class_id=demo.klass.id,
                                     term_id=chosen.id)
    feeds = [a for a in (demo.quizzes[:1] + [demo.assignment] + demo.quizzes[1:]) if a is not None]
    regular = sorted((c for c in book.columns if c.kind == Kind.tx), key=lambda c: c.number)
    sit_term_tests(db=db, demo=demo, book=book, school_term=chosen, today=today, learners=learners)
    if book.mode == Mode.comment:  # scores do not flow here: the teacher types Đ / CĐ from them
        students = [s.id for s in gradebooks.roll(db=db, gradebook=book)]
        marks = {}
        for column, activity in zip(regular, feeds):
            kind = types.get(activity.type)
            scores = (kind.scores(db=db, activity=activity, student_ids=students) if kind and kind.scores else
                      {sid: sub.score for sid, sub in gradebooks.latest_graded(db, activity.id, students).items()})
            marks.update({(column.id, sid): "Đ" if score >= 5 else "CĐ" for sid, score in scores.items()})
        if marks:
            gradebooks.enter_marks(db=db, actor=demo.teacher, gradebook_id=book.id, marks=marks)
        return
    if book.mode != Mode.score:
        return
    mapped = {c.activity_id for c in book.columns}
    for column, activity in zip(regular, feeds):
        if column.activity_id is None and activity.id not in mapped:
            gradebooks.map_column(db=db, actor=demo.teacher, gradebook_id=book.id, column_id=column.id,
                                  activity_id=activity.id)
    gradebooks.pull_from_activities(db=db, actor=demo.teacher, gradebook_id=book.id, types=types)


def sit_term_tests(*, db: Session, demo: DemoCourse, book: Gradebook, school_term: SchoolTerm, today: date,
                   learners: list[Learner]) -> None:
    """Mark the mid-term test (sat half-way through the school term) and the end-of-term test (its last week) once
    their marks are due, for the students who have none yet: a score from the student's ability in a scored
    subject, Đ / CĐ in a commented one. The term average appears only when both are in, as in a real sổ điểm."""
    if book.mode not in (Mode.score, Mode.comment):
        return
    sat = {Kind.gk: school_term.start_date + (school_term.end_date - school_term.start_date) / 2,
           Kind.ck: school_term.end_date - timedelta(days=7)}
    ability = {s.user.id: s for s in learners}
    students = [s.id for s in gradebooks.roll(db=db, gradebook=book)]
    have = set(db.execute(select(GradeEntry.column_id, GradeEntry.student_id).where(
        GradeEntry.column_id.in_([c.id for c in book.columns]))).tuples())
    marks: dict[tuple[int, int], str] = {}
    for column in book.columns:
        if column.kind not in sat or today < sat[column.kind] + timedelta(days=MARKING_DAYS):
            continue
        for student_id in students:
            learner = ability.get(student_id)
            if learner is None or (column.id, student_id) in have:
                continue
            rng = stream(demo.key, "term-test", column.kind, learner.user.username)
            score = max(1.0, min(10.0, round((6.4 + 1.4 * learner.ability + rng.gauss(0, 0.9)) * 2) / 2))
            marks[(column.id, student_id)] = (f"{score:g}" if book.mode == Mode.score else
                                              "Đ" if score >= 5 else "CĐ")
    if marks:
        gradebooks.enter_marks(db=db, actor=demo.teacher, gradebook_id=book.id, marks=marks)
