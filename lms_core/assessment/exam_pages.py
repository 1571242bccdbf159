"""HTML routes of the exam builder: the blueprint form (with its JSON and Excel files), checking the bank, building
the versions, downloading the papers, using a version as an online quiz, and the teacher's saved exams.

Building is stateless: the blueprint travels in the form (or as a file the teacher keeps); a build is repeatable
from its seed; the exam record (JSON) travels in the versions page's forms and as a file, and every download
re-creates the papers from it with the exact question versions it names. Saving keeps the exam in a table
(lms_core.assessment.exams): "Đề kiểm tra của tôi" lists them, and each opens again with the same papers and keys
whatever the bank became, ready to be taken online as a quiz asking exactly the drawn versions.
"""

from __future__ import annotations

import io
import secrets
import zipfile
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import User
from lms_core.assessment import bank, exams, paper, quiz
from lms_core.assessment import blueprint as bpm
from lms_core.assessment import builder
from lms_core.assessment.blueprint import LEVELS, PART_LABELS, PARTS, Blueprint, Row
from lms_core.assessment.items import LEVEL_LABELS, ParseProblem
from lms_core.courses import pages as course_pages
from lms_core.courses import service as courses
from lms_core.errors import Conflict, Invalid, NotFound, TooLarge
from lms_core.i18n import N_, current_locale, gettext
from lms_core.org.models import School, Subject
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
BASE = "/question-bank/exams"
MAX_FIELDS = 1_500
MAX_FIELD = 300_000
MAX_UPLOAD = 2_000_000
DEFAULT_ROWS = 3
MORE_ROWS = 2
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_STORE = {"Cache-Control": "no-store"}

BAD_FORM = N_("The request is not valid.")
BAD_NUMBER = N_("“{value}” is not a number.")
NO_FILE = N_("Choose a file to upload.")
FILE_TOO_LARGE = N_("The file is larger than {max_mb} MB.")
UNKNOWN_FILE = N_("Upload a blueprint saved from this page: a .json or an .xlsx file.")
UNKNOWN_SUBJECT = N_("Choose a subject from the list.")
NOT_READY = N_("Fix the blueprint first: {problem}")
NO_LESSON = N_("Choose a lesson of one of your courses.")
QUIZ_TITLE = exams.QUIZ_TITLE
SAVED = BASE + "/saved"
ExamId = Annotated[int, Path(ge=1, le=bpm.MAX_ID)]


# ---- reading the form -------------------------------------------------------------------------------------------

async def _fields(request: Request) -> dict[str, str]:
    """Return the posted form as single strings (files and oversized forms refused)."""
    form = await request.form()
    fields: dict[str, str] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str) or len(value) > MAX_FIELD or len(fields) > MAX_FIELDS:
            raise Invalid(BAD_FORM)
        fields.setdefault(name, value)
    return fields


class _Reader:
    """Reads numbers from the form, noting each one that is not a number instead of stopping at the first."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        self.problems: list[str] = []

    def _bad(self, text: str) -> None:
        self.problems.append(gettext(BAD_NUMBER).format(value=text[:40]))

    def whole(self, name: str, *, default: int | None = None, high: int = bpm.MAX_ID) -> int | None:
        text = (self.fields.get(name) or "").strip()
        if not text:
            return default
        if not text.isdecimal() or len(text) > 10 or int(text) > high:
            self._bad(text)
            return default
        return int(text)

    def decimal(self, name: str, default: Decimal) -> Decimal:
        text = (self.fields.get(name) or "").strip().replace(",", ".")
        if not text:
            return default
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or abs(value) > 1000:
            self._bad(self.fields.get(name, ""))
            return default
        return value


def _whole(text: str, *, high: int = bpm.MAX_ID) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdecimal() and len(text) <= 10 and int(text) <= high else None


def _count_name(r: int, part: bpm.Part, level: Any) -> str:
    return f"n_{r}_{part.value}_{level.value}"


def blueprint_from_form(fields: dict[str, str]) -> tuple[Blueprint, list[str]]:
    """Return the blueprint a form describes (rows with nothing filled in left out) and the numbers it could not read."""
    read = _Reader(fields)
    bp = Blueprint(title=fields.get("title", "").strip(), subject_id=read.whole("subject_id"),
                   grade=read.whole("grade", high=12), minutes=read.whole("minutes", default=45,
                                                                           high=bpm.MAX_MINUTES) or 45,
                   total_points=read.decimal("total_points", Decimal(10)))
    for part in PARTS:
        bp.points[part] = read.decimal(f"points_{part.value}", bpm.DEFAULT_POINTS[part])
    rows = read.whole("rows", default=DEFAULT_ROWS, high=bpm.MAX_ROWS) or DEFAULT_ROWS
    for r in range(rows):
        row = Row(label=fields.get(f"label_{r}", "").strip(), tag=fields.get(f"tag_{r}", "").strip(),
                  curriculum_item_id=read.whole(f"item_{r}"))
        for part in PARTS:
            for level in LEVELS:
                n = read.whole(_count_name(r, part, level), default=0, high=bpm.MAX_PER_CELL) or 0
                if n:
                    row.counts[part, level] = n
        for level in LEVELS:
            text = fields.get(f"req_{r}_{level.value}", "").strip()
            if text:
                row.requirements[level] = text[:bpm.MAX_REQUIREMENT * 2]
        if row.label or row.tag or row.curriculum_item_id is not None or row.counts or row.requirements:
            bp.rows.append(row)
    return bp, read.problems


# ---- what pages show --------------------------------------------------------------------------------------------

def _subjects(db: Session) -> dict[int, str]:
    locale = current_locale()
    return {s.id: s.name(locale) for s in bank.subjects(db)}


def _problem_text(message: str, params: dict[str, Any]) -> str:
    values = {k: gettext(v) if isinstance(v, str) and k in ("level", "part") else v for k, v in params.items()}
    text = gettext(message)
    try:
        return text.format(**values) if values else text
    except (KeyError, IndexError, ValueError):
        return text


def _problems(problems: list[ParseProblem]) -> list[str]:
    return [f"{gettext(p.where)}: {_problem_text(p.message, p.params)}" if p.where else
            _problem_text(p.message, p.params) for p in problems]


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value != value.to_integral() else str(int(value))
    return text.replace(".", ",") if current_locale() == "vi" else text


def _form_page(request: Request, db: Session, bp: Blueprint, *, rows: int | None = None,
               problems: list[str] | None = None, availability: list[builder.Availability] | None = None,
               status_code: int = 200) -> Response:
    shown = max(rows or 0, len(bp.rows) + (0 if bp.rows else DEFAULT_ROWS), 1)
    padded = bp.rows + [Row(label="") for _ in range(shown - len(bp.rows))]
    sums = bpm.totals(bp)
    return render(request, "assessment/exam_form.html", {
        "bp": bp, "rows": padded, "row_count": len(padded), "subjects": _subjects(db), "PARTS": PARTS,
        "LEVELS": LEVELS, "PART_LABELS": PART_LABELS, "LEVEL_LABELS": LEVEL_LABELS, "GRADES": range(1, 13),
        "count_name": _count_name, "fmt": _fmt, "totals": sums, "problems": problems or [],
        "availability": availability, "short": [c for c in availability or [] if c.short],
        "shortage_texts": [_problem_text(*c.message()) for c in availability or [] if c.short],
        "seed": secrets.token_hex(4), "max_versions": builder.MAX_VERSIONS,
    }, status_code=status_code)


def _paper_info(db: Session, actor: User, bp: Blueprint, school_id: int | None = None) -> paper.PaperInfo:
    school_id = school_id or actor.school_id
    school = db.get(School, school_id) if school_id else None
    subject = db.get(Subject, bp.subject_id) if bp.subject_id else None
    authority = f"Sở GD&ĐT {school.province.name}" if school is not None and school.province is not None else ""
    return paper.PaperInfo(school=school.name if school else "", authority=authority, title=bp.title,
                           subject=subject.name_vi if subject else "", grade=bp.grade, minutes=bp.minutes)


def _lessons(db: Session, actor: User, bp: Blueprint) -> list[tuple[int, str]]:
    """Return the lessons of the actor's editable courses of the blueprint's subject and grade, as (id, label)."""
    return exams.lessons_for(db, actor, subject_id=bp.subject_id, grade=bp.grade)


def _versions_page(request: Request, db: Session, user: User, exam: builder.Exam, *, error: str | None = None,
                   status_code: int = 200) -> Response:
    keys = {v.code: builder.answer_key(exam, v) for v in exam.versions}
    return render(request, "assessment/exam_versions.html", {
        "exam": exam, "bp": exam.blueprint, "record": builder.record_json(exam), "keys": keys,
        "subject": _subjects(db).get(exam.blueprint.subject_id or 0, ""), "lessons": _lessons(db, user, exam.blueprint),
        "PART_LABELS": PART_LABELS, "error": error, "fmt": _fmt,
        "quiz_title": gettext(QUIZ_TITLE).format(title=exam.blueprint.title, code=exam.versions[0].code),
    }, status_code=status_code)


def _attachment(data: bytes, media_type: str, filename: str) -> Response:
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', **NO_STORE})


def _slug(bp: Blueprint) -> str:
    from lms_core.text import fold

    words = "".join(c if c.isalnum() else "-" for c in fold(bp.title or "de-thi"))
    return "-".join(w for w in words.split("-") if w)[:60] or "de-thi"


# ---- the blueprint ----------------------------------------------------------------------------------------------

@router.get(BASE)
def exam_form(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Show an empty blueprint form (for a subject and grade when the address names them)."""
    bank.bank_school(user)
    params = request.query_params
    bp = Blueprint(subject_id=_whole(params.get("subject_id", "")), grade=_whole(params.get("grade", ""), high=12))
    return _form_page(request, db, bp)


def _check_subject(db: Session, bp: Blueprint) -> None:
    if bp.subject_id is not None and db.get(Subject, bp.subject_id) is None:
        raise Invalid(UNKNOWN_SUBJECT)


@router.post(BASE)
async def exam_form_post(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Act on the blueprint form: add rows, check it against the bank, download it, or build the versions."""
    bank.bank_school(user)
    fields = await _fields(request)
    action = fields.get("action", "check")
    bp, unread = blueprint_from_form(fields)
    if action == "rows":
        return _form_page(request, db, bp, rows=len(bp.rows) + MORE_ROWS, problems=unread)
    if unread:
        return _form_page(request, db, bp, problems=unread, status_code=422)
    if action == "json":
        return _attachment(bpm.to_json(bp).encode(), "application/json", f"ma-tran-{_slug(bp)}.json")
    if action == "xlsx":
        return _attachment(bpm.to_xlsx(bp), XLSX, f"ma-tran-{_slug(bp)}.xlsx")
    problems = bpm.validate(bp)
    if bp.subject_id is None or db.get(Subject, bp.subject_id) is None:
        problems.insert(0, ParseProblem("", UNKNOWN_SUBJECT))
    if problems:
        return _form_page(request, db, bp, problems=_problems(problems), status_code=422)
    if action == "matrix":
        return _attachment(paper.matrix_docx(bp, _paper_info(db, user, bp)), DOCX, f"ma-tran-{_slug(bp)}.docx")
    seed = fields.get("seed", "").strip() or secrets.token_hex(4)
    try:
        drawn = builder.draw_from_bank(db=db, actor=user, bp=bp, seed=seed)
        if action != "build" or not drawn.complete:
            return _form_page(request, db, bp, availability=drawn.cells,
                              status_code=200 if drawn.complete or action != "build" else 422)
        raw = fields.get("versions", "").strip() or "4"
        versions = int(raw) if raw.isdecimal() and len(raw) <= 4 else 0  # 0 is refused by the builder, with its message
        exam = builder.build(bp, drawn, seed, versions=versions)
    except Invalid as exc:
        return _form_page(request, db, bp, problems=[exc.translated()], status_code=422)
    return _versions_page(request, db, user, exam)


async def _upload(file: UploadFile | None) -> tuple[bytes, str]:
    if file is None or not file.filename:
        raise Invalid(NO_FILE)
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise TooLarge(FILE_TOO_LARGE, max_mb=f"{MAX_UPLOAD / 1_000_000:.3g}")
    return data, file.filename[-200:]


@router.post(BASE + "/upload")
async def upload_blueprint(request: Request, db: DbSession, user: CurrentUser,
                           file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Fill the blueprint form from a JSON or Excel file saved earlier."""
    bank.bank_school(user)
    try:
        data, _name = await _upload(file)
        if data.startswith(b"PK\x03\x04"):
            bp = bpm.from_xlsx(data)
        elif data.lstrip()[:1] == b"{":
            bp = bpm.from_json(data)
        else:
            raise Invalid(UNKNOWN_FILE)
        _check_subject(db, bp)
    except (Invalid, TooLarge) as exc:
        return _form_page(request, db, Blueprint(), problems=[exc.translated()], status_code=exc.status_code)
    return _form_page(request, db, bp, problems=_problems(bpm.validate(bp)))


# ---- an exam: its versions and files ----------------------------------------------------------------------------

@router.post(BASE + "/record")
async def upload_record(request: Request, db: DbSession, user: CurrentUser,
                        file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Show the versions of an exam from its uploaded record, ready to download again."""
    bank.bank_school(user)
    try:
        data, _name = await _upload(file)
        exam = builder.load_record(db=db, actor=user, data=data)
    except (Invalid, TooLarge) as exc:
        return _form_page(request, db, Blueprint(), problems=[exc.translated()], status_code=exc.status_code)
    return _versions_page(request, db, user, exam)


def _files(db: Session, user: User, exam: builder.Exam, what: str,
           school_id: int | None = None) -> tuple[bytes, str, str]:
    """Return one file of an exam (bytes, media type, name): "exam-101-pdf", "key-101-docx", "matrix", "zip"."""
    info = _paper_info(db, user, exam.blueprint, school_id)
    slug = _slug(exam.blueprint)
    if what == "record":
        return builder.record_json(exam).encode(), "application/json", f"de-thi-{slug}.json"
    if what == "matrix":
        return paper.matrix_docx(exam.blueprint, info), DOCX, f"ma-tran-{slug}.docx"
    if what == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for version in exam.versions:
                archive.writestr(f"de-{version.code}.docx", paper.exam_docx(exam, version, info))
                archive.writestr(f"de-{version.code}.pdf", paper.exam_pdf(exam, version, info))
                archive.writestr(f"dap-an-{version.code}.docx", paper.key_docx(exam, version, info))
                archive.writestr(f"dap-an-{version.code}.pdf", paper.key_pdf(exam, version, info))
            archive.writestr("ma-tran-dac-ta.docx", paper.matrix_docx(exam.blueprint, info))
            archive.writestr("de-thi.json", builder.record_json(exam))
        return out.getvalue(), "application/zip", f"de-thi-{slug}.zip"
    kind, _, rest = what.partition("-")
    code, _, fmt = rest.partition("-")
    if kind not in ("exam", "key") or fmt not in ("docx", "pdf"):
        raise Invalid(BAD_FORM)
    version = exam.version(code)
    maker = {("exam", "docx"): paper.exam_docx, ("exam", "pdf"): paper.exam_pdf,
             ("key", "docx"): paper.key_docx, ("key", "pdf"): paper.key_pdf}[kind, fmt]
    name = f"{'de' if kind == 'exam' else 'dap-an'}-{code}.{fmt}"
    return maker(exam, version, info), DOCX if fmt == "docx" else "application/pdf", name


@router.post(BASE + "/download")
def download(db: DbSession, user: CurrentUser, record: Annotated[str, Form(max_length=builder.MAX_RECORD)],
             file: Annotated[str, Form(max_length=40)]) -> Response:
    """Download a paper, a key, the matrix, the record or everything (zip) of an exam from its record."""
    exam = builder.load_record(db=db, actor=user, data=record)
    data, media_type, name = _files(db, user, exam, file)
    return _attachment(data, media_type, name)


@router.post(BASE + "/quiz")
def use_as_quiz(request: Request, db: DbSession, user: CurrentUser,
                record: Annotated[str, Form(max_length=builder.MAX_RECORD)],
                lesson_id: Annotated[str, Form(max_length=12)] = "",
                title: Annotated[str, Form(max_length=400)] = "") -> Response:
    """Add the first version of the exam as a quiz in a lesson of one of the teacher's courses."""
    exam = builder.load_record(db=db, actor=user, data=record)
    lesson = _whole(lesson_id)
    if lesson is None or lesson not in {i for i, _ in _lessons(db, user, exam.blueprint)}:
        return _versions_page(request, db, user, exam, error=gettext(NO_LESSON), status_code=422)
    first = exam.versions[0]
    settings = exams.quiz_settings(exam, first.code)  # the versions drawn, not whatever the bank holds now
    try:
        activity = courses.add_activity(db=db, actor=user, types=course_pages.activity_types(request),
                                        lesson_id=lesson, type=quiz.NAME, settings=settings,
                                        title=title.strip() or gettext(QUIZ_TITLE).format(title=exam.blueprint.title,
                                                                                          code=first.code))
    except (Invalid, NotFound) as exc:
        db.rollback()
        return _versions_page(request, db, user, exam, error=exc.translated(), status_code=422)
    return RedirectResponse(f"/courses/{activity.course_id}/lessons/{lesson}?added=1", status_code=303)


# ---- saved exams ("Đề kiểm tra của tôi") ---------------------------------------------------------------------------

@router.post(BASE + "/save")
def save_exam(request: Request, db: DbSession, user: CurrentUser,
              record: Annotated[str, Form(max_length=builder.MAX_RECORD)],
              title: Annotated[str, Form(max_length=400)] = "") -> Response:
    """Keep the exam a record describes among the teacher's saved exams, then open it."""
    try:
        exam = builder.load_record(db=db, actor=user, data=record)
    except (Invalid, TooLarge) as exc:
        return _form_page(request, db, Blueprint(), problems=[exc.translated()], status_code=exc.status_code)
    try:
        saved = exams.save(db=db, actor=user, exam=exam, title=title)
    except Invalid as exc:
        db.rollback()
        return _versions_page(request, db, user, exam, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"{SAVED}/{saved.id}?saved=1", status_code=303)


@router.get(SAVED)
def saved_list(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Show the teacher's saved exams, newest first."""
    page = _whole(request.query_params.get("page", "1"), high=10_000) or 1
    rows = exams.list_mine(db=db, actor=user, limit=exams.PAGE_SIZE + 1, offset=(page - 1) * exams.PAGE_SIZE)
    return render(request, "assessment/exams_saved.html", {
        "exams": rows[:exams.PAGE_SIZE], "more": len(rows) > exams.PAGE_SIZE, "page": page,
        "subjects": _subjects(db), "deleted": request.query_params.get("deleted") == "1", "local_time": local_time,
    })


def _saved_page(request: Request, db: Session, user: User, saved: Any, *, error: str | None = None,
                status_code: int = 200) -> Response:
    exam = exams.exam_of(db, saved)
    keys = {v.code: builder.answer_key(exam, v) for v in exam.versions}
    return render(request, "assessment/exam_saved.html", {
        "saved": saved, "exam": exam, "bp": exam.blueprint, "keys": keys, "error": error,
        "subject": _subjects(db).get(saved.subject_id, ""), "base": f"{SAVED}/{saved.id}",
        "lessons": exams.lessons_for(db, user, subject_id=saved.subject_id, grade=saved.grade),
        "quizzes": exams.quizzes_using(db, saved.id), "just_saved": request.query_params.get("saved") == "1",
        "quiz_title": gettext(QUIZ_TITLE).format(title=saved.title, code=exam.versions[0].code),
        "local_time": local_time,
    }, status_code=status_code)


@router.get(SAVED + "/{exam_id}")
def saved_page(request: Request, exam_id: ExamId, db: DbSession, user: CurrentUser) -> Response:
    """Show a saved exam: its versions and keys to download again, the quizzes made from it, and the quiz form."""
    return _saved_page(request, db, user, exams.get_saved(db=db, actor=user, exam_id=exam_id))


@router.get(SAVED + "/{exam_id}/files/{what}")
def saved_file(exam_id: ExamId, what: Annotated[str, Path(max_length=40)], db: DbSession,
               user: CurrentUser) -> Response:
    """Download a paper, a key, the matrix, the record or everything (zip) of a saved exam, as first drawn."""
    saved = exams.get_saved(db=db, actor=user, exam_id=exam_id)
    exam = exams.exam_of(db, saved)
    kind, _, rest = what.partition("-")
    if kind in ("exam", "key") and rest.partition("-")[0] not in {v.code for v in exam.versions}:
        raise NotFound(exams.NO_SUCH_VERSION, code=rest.partition("-")[0][:12])
    data, media_type, name = _files(db, user, exam, what, saved.school_id)
    return _attachment(data, media_type, name)


@router.post(SAVED + "/{exam_id}/quiz")
def saved_quiz(request: Request, exam_id: ExamId, db: DbSession, user: CurrentUser,
               code: Annotated[str, Form(max_length=12)] = "", lesson_id: Annotated[str, Form(max_length=12)] = "",
               title: Annotated[str, Form(max_length=400)] = "") -> Response:
    """Add one version of a saved exam as a quiz in a lesson of the teacher's course, asking the drawn versions."""
    saved = exams.get_saved(db=db, actor=user, exam_id=exam_id)
    lesson = _whole(lesson_id)
    try:
        if lesson is None:
            raise Invalid(exams.NO_LESSON)
        activity = exams.add_quiz(db=db, actor=user, types=course_pages.activity_types(request), exam_id=saved.id,
                                  code=code.strip(), lesson_id=lesson, title=title)
    except (Invalid, NotFound) as exc:
        db.rollback()
        return _saved_page(request, db, user, saved, error=exc.translated(), status_code=422)
    return RedirectResponse(f"/courses/{activity.course_id}/lessons/{lesson}?added=1", status_code=303)


@router.post(SAVED + "/{exam_id}/delete")
def saved_delete(request: Request, exam_id: ExamId, db: DbSession, user: CurrentUser) -> Response:
    """Delete a saved exam no quiz uses, then show the list."""
    try:
        exams.delete(db=db, actor=user, exam_id=exam_id)
    except Conflict as exc:
        saved = exams.get_saved(db=db, actor=user, exam_id=exam_id)
        return _saved_page(request, db, user, saved, error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"{SAVED}?deleted=1", status_code=303)
