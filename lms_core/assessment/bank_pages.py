"""HTML routes of the question bank: the list with filters, a question and its versions, the form, imports with a
preview, exports (GIFT, Moodle XML) and the pictures questions show."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response

from lms_core import storage
from lms_core.accounts.manage_pages import local_time
from lms_core.accounts.models import User
from lms_core.assessment import bank, rules, sharing
from lms_core.assessment import question_curriculum
from lms_core.assessment.data import from_data
from lms_core.assessment.formats import parse_decimal
from lms_core.assessment.formats.aiken import parse_aiken
from lms_core.assessment.formats.docx_vn import parse_docx
from lms_core.assessment.formats.excel import parse_xlsx, template_xlsx
from lms_core.assessment.formats.gift import parse_gift
from lms_core.assessment.formats.moodle_xml import parse_moodle_xml
from lms_core.assessment.items import (LEVEL_LABELS, TYPE_LABELS, Blank, Choice, Criterion, Item, NumericKey, Pair,
                                       ParseProblem, ParseResult, QType, TFStatement, check)
from lms_core.assessment.models import Question
from lms_core.assessment.render import render_question_text
from lms_core.errors import Invalid, NotFound, TooLarge
from lms_core.i18n import N_, current_locale, gettext
from lms_core.pending import PendingStore
from lms_core.web.deps import CurrentUser, DbSession
from lms_core.web.templating import render

router = APIRouter(include_in_schema=False)
UPLOADS = PendingStore("question-imports")  # question files between preview and confirmation
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
MAX_UPLOAD = 30_000_000
MAX_OPTIONS = 26
MIN_OPTION_ROWS = 6
MAX_FIELD = 200_000
NO_STORE = {"Cache-Control": "no-store"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NO_FILE = N_("Choose a question file to upload.")
UNKNOWN_FORMAT = N_("This file is not in a format the bank reads: upload a GIFT or Aiken text file (.txt, .gift), "
                    "a Moodle XML file (.xml), a Word file (.docx) or the Excel template (.xlsx).")
OLD_EXCEL = N_("The file is in the old Excel format (.xls). Open it in Excel, save it as .xlsx and upload it again.")
NOT_UTF8 = N_("The text file is not in UTF-8. Save it again with the UTF-8 encoding and upload it again.")
FILE_TOO_LARGE = N_("The file is larger than {max_mb} MB.")
BAD_FORM = N_("The request is not valid.")
BAD_NUMBER = N_("“{value}” is not a number.")
BAD_RUBRIC = N_("Write each rubric line as “criterion | points”.")
BAD_PAIR = N_("Write each pair as “left | right”.")
QUESTION_NUMBER = N_("Question {number}")
FORMAT_LABELS = {"gift": "GIFT", "aiken": "Aiken", "moodle_xml": "Moodle XML", "docx": "Word (.docx)",
                 "xlsx": "Excel (.xlsx)"}
SOURCE_LABELS = {**FORMAT_LABELS, "form": N_("Written here"), "copy": N_("Copied from another question")}
VISIBILITY_LABELS = {rules.PRIVATE: N_("Only me"), rules.SCHOOL: N_("Teachers of my school"),
                     rules.SHARED: N_("Shared repository")}
STRUCTURED = (QType.single, QType.multiple, QType.true_false, QType.tf_group, QType.numeric, QType.short_text,
              QType.matching, QType.ordering, QType.cloze, QType.essay)


# ---- helpers ------------------------------------------------------------------------------------------------------

def question_view(item: Item) -> dict[str, Any]:
    """Return what a page shows of a question: texts as safe HTML with MathML, and its key."""
    md = render_question_text
    stem = item.stem
    if item.type == QType.cloze:
        stem = re.sub(r"\{(\d+)\}", lambda m: f"\\_\\_\\_\\_ ({m[1]})", stem)
    return {
        "item": item, "type_label": TYPE_LABELS.get(item.type, item.type), "stem": md(stem),
        "level_label": LEVEL_LABELS.get(item.level) if item.level else None,
        "choices": [{"html": md(c.text), "correct": c.correct, "feedback": md(c.feedback) if c.feedback else ""}
                    for c in item.choices],
        "statements": [{"html": md(s.text), "true": s.true} for s in item.statements],
        "pairs": [{"left": md(p.left), "right": md(p.right)} for p in item.pairs],
        "order": [md(t) for t in item.order],
        "feedback": md(item.general_feedback) if item.general_feedback else "",
        "pictures": len(item.media),
    }


def _problem_text(problem: ParseProblem) -> str:
    text = gettext(problem.message)
    try:
        return text.format(**problem.params) if problem.params else text
    except (KeyError, IndexError, ValueError):
        return text


def _helpers() -> dict[str, Any]:
    return {"TYPE_LABELS": TYPE_LABELS, "Q_LEVEL_LABELS": LEVEL_LABELS, "VISIBILITY_LABELS": VISIBILITY_LABELS,
            "local_time": local_time, "SOURCE_LABELS": SOURCE_LABELS, "TYPES": list(QType), "LEVELS": list(LEVEL_LABELS), "GRADES": range(1, 13)}


def _subject_names(db: Any) -> dict[int, str]:
    locale = current_locale()
    return {s.id: s.name(locale) for s in bank.subjects(db)}


def _int(value: str | None, *, low: int = 1, high: int = MAX_ID) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdecimal() or not low <= int(value) <= high:
        raise Invalid(BAD_FORM)
    return int(value)


# ---- the list -----------------------------------------------------------------------------------------------------

def _filters(params: Any) -> bank.BankFilter:
    level = params.get("level") or None
    qtype = params.get("type") or None
    if (level and level not in bank.LEVELS) or (qtype and qtype not in bank.TYPES):
        raise Invalid(BAD_FORM)
    text = (params.get("q") or "").strip()[:200] or None
    tag = (params.get("tag") or "").strip()[:bank.MAX_TAG] or None
    return bank.BankFilter(subject_id=_int(params.get("subject_id")), grade=_int(params.get("grade"), high=12),
                           level=level, type=qtype, tag=tag, text=text, mine=params.get("mine") == "1",
                           archived=params.get("archived") == "1", shared=params.get("shared") == "1")


@router.get("/question-bank")
def bank_list(request: Request, db: DbSession, user: CurrentUser,
              page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
    """Show the questions the user may see, narrowed by the filters, with export and import links."""
    bank.bank_school(user)
    filters = _filters(request.query_params)
    rows = bank.list_questions(db=db, actor=user, filters=filters, limit=bank.PAGE_SIZE + 1,
                               offset=(page - 1) * bank.PAGE_SIZE)
    more = len(rows) > bank.PAGE_SIZE
    query = {k: v for k, v in request.query_params.items() if k != "page" and v}
    listed = [{"question": q, "version": v, "view": question_view(from_data(v.data))} for q, v in rows[:bank.PAGE_SIZE]]
    return render(request, "assessment/bank_list.html", {
        **_helpers(), "rows": listed, "filters": filters, "subjects": _subject_names(db), "page": page,
        "more": more, "query": urlencode(query), "tags": bank.tags_in_use(db=db, actor=user),
        "imported": _int(request.query_params.get("imported"), low=0),
        "to_review": sharing.waiting_count(db=db, actor=user, host=request.app.state.plugins),
    })


# ---- the form -----------------------------------------------------------------------------------------------------

async def _form_fields(request: Request) -> dict[str, list[str]]:
    """Return the posted form as lists of strings (files are refused)."""
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str) or len(value) > MAX_FIELD or len(fields) > 200:
            raise Invalid(BAD_FORM)
        fields.setdefault(name, []).append(value)
    return fields


def _one(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def _decimal(text: str, problems: list[bank.Problem]) -> Decimal | None:
    value = parse_decimal(text)
    if value is None or not value.is_finite():
        problems.append(bank.Problem(BAD_NUMBER, {"value": text[:40]}))
    return value


def item_from_form(fields: dict[str, list[str]]) -> tuple[Item, list[bank.Problem]]:
    """Return the question a form describes and what could not be read from it."""
    problems: list[bank.Problem] = []
    raw_type = _one(fields, "type")
    if raw_type not in bank.TYPES:
        raise Invalid(BAD_FORM)
    qtype = QType(raw_type)
    item = Item(type=qtype, stem=_one(fields, "stem").strip(), title=_one(fields, "title").strip(),
                general_feedback=_one(fields, "general_feedback").strip())
    points = _one(fields, "points").strip() or "1"
    item.points = _decimal(points, problems) or Decimal(1)
    level = _one(fields, "level")
    item.level = level or None
    difficulty = _one(fields, "difficulty")
    item.difficulty = _int(difficulty, high=5)
    item.tags = [t.strip() for t in re.split(r"[,;]", _one(fields, "tags")) if t.strip()]
    item.curriculum = [c.strip() for c in re.split(r"[,;]", _one(fields, "curriculum")) if c.strip()]
    item.case_sensitive = _one(fields, "case_sensitive") == "1"
    item.accent_sensitive = _one(fields, "accent_sensitive") == "1"
    if qtype in (QType.single, QType.multiple):
        correct = set(fields.get("correct", []))
        for k in range(MAX_OPTIONS):
            text = _one(fields, f"option_{k}").strip()
            if text:
                item.choices.append(Choice(text, correct=str(k) in correct,
                                           feedback=_one(fields, f"feedback_{k}").strip()))
    elif qtype == QType.true_false:
        truth = _one(fields, "truth")
        if truth in ("true", "false"):
            item.choices = [Choice("Đúng", correct=truth == "true", feedback=_one(fields, "feedback_0").strip()),
                            Choice("Sai", correct=truth == "false", feedback=_one(fields, "feedback_1").strip())]
    elif qtype == QType.tf_group:
        for k in range(4):
            text = _one(fields, f"statement_{k}").strip()
            if text:
                item.statements.append(TFStatement(text, _one(fields, f"truth_{k}") == "true"))
    elif qtype == QType.numeric:
        for line in _lines(_one(fields, "numeric")):
            value, _, tolerance = line.replace("+-", "±").partition("±")
            number = _decimal(value, problems)
            spread = _decimal(tolerance, problems) if tolerance.strip() else Decimal(0)
            if number is not None and spread is not None:
                item.numeric.append(NumericKey(number, abs(spread)))
    elif qtype == QType.short_text:
        item.accepted = _lines(_one(fields, "accepted"))
    elif qtype == QType.matching:
        for line in _lines(_one(fields, "pairs")):
            left, bar, right = line.partition("|")
            if not bar or not left.strip() or not right.strip():
                problems.append(bank.Problem(BAD_PAIR))
            else:
                item.pairs.append(Pair(left.strip(), right.strip()))
    elif qtype == QType.ordering:
        item.order = _lines(_one(fields, "order"))
    elif qtype == QType.cloze:
        for line in _lines(_one(fields, "blanks")):
            options = re.match(r"(?i)options?\s*:", line)
            parts = [p.strip() for p in line[options.end() if options else 0:].split("|") if p.strip()]
            item.blanks.append(Blank(options=parts) if options else Blank(accepted=parts))
    elif qtype == QType.essay:
        for line in _lines(_one(fields, "rubric")):
            text, bar, value = line.rpartition("|")
            number = parse_decimal(value) if bar else None
            if number is None or not text.strip():
                problems.append(bank.Problem(BAD_RUBRIC))
            else:
                item.rubric.append(Criterion(text.strip(), number))
    return item, problems


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text.replace(".", ",") if current_locale() == "vi" else text


def values_of(item: Item) -> dict[str, Any]:
    """Return the form's values for a stored question (the inverse of item_from_form)."""
    values: dict[str, Any] = {
        "type": item.type.value, "title": item.title, "stem": item.stem, "points": _fmt(item.points),
        "level": item.level or "", "difficulty": str(item.difficulty or ""), "tags": ", ".join(item.tags),
        "curriculum": ", ".join(item.curriculum), "general_feedback": item.general_feedback,
        "case_sensitive": item.case_sensitive, "accent_sensitive": item.accent_sensitive,
        "options": [c.text for c in item.choices], "feedbacks": [c.feedback for c in item.choices],
        "correct": {str(k) for k, c in enumerate(item.choices) if c.correct},
        "truth": "" if item.type != QType.true_false or not item.choices else
                 ("true" if item.choices[0].correct else "false"),
        "statements": [s.text for s in item.statements], "truths": ["true" if s.true else "false" for s in item.statements],
        "numeric": "\n".join(_fmt(k.value) + (f" ± {_fmt(k.tolerance)}" if k.tolerance else "") for k in item.numeric),
        "accepted": "\n".join(item.accepted), "pairs": "\n".join(f"{p.left} | {p.right}" for p in item.pairs),
        "order": "\n".join(item.order),
        "blanks": "\n".join(("options: " if b.options else "") + " | ".join(b.options or b.accepted) for b in item.blanks),
        "rubric": "\n".join(f"{r.text} | {_fmt(r.points)}" for r in item.rubric),
    }
    return values


def _posted_values(fields: dict[str, list[str]]) -> dict[str, Any]:
    """Return the form's values as typed, to show them again with the problems."""
    values: dict[str, Any] = {name: _one(fields, name) for name in (
        "type", "title", "stem", "points", "level", "difficulty", "tags", "curriculum", "general_feedback", "truth",
        "numeric", "accepted", "pairs", "order", "blanks", "rubric", "note")}
    values["case_sensitive"] = _one(fields, "case_sensitive") == "1"
    values["accent_sensitive"] = _one(fields, "accent_sensitive") == "1"
    values["options"] = [_one(fields, f"option_{k}") for k in range(MAX_OPTIONS)]
    while values["options"] and not values["options"][-1]:
        values["options"].pop()
    values["feedbacks"] = [_one(fields, f"feedback_{k}") for k in range(MAX_OPTIONS)]
    values["correct"] = set(fields.get("correct", []))
    values["statements"] = [_one(fields, f"statement_{k}") for k in range(4)]
    values["truths"] = [_one(fields, f"truth_{k}") for k in range(4)]
    values["curriculum_item_ids"] = fields.get("curriculum_item", [])
    return values


def _form_page(request: Request, db: Any, user: User, *, values: dict[str, Any], place: dict[str, Any],
               question: Question | None = None, problems: list[str] | None = None, status_code: int = 200) -> Response:
    rows = max(MIN_OPTION_ROWS, min(MAX_OPTIONS, len(values.get("options", [])) + 1))
    ticked = values.get("curriculum_item_ids")
    if ticked is None:  # the form as stored: the items the question assesses
        ticked = bank.curriculum_ids(db, question) if question is not None else []
    picker = question_curriculum.picker(
        db=db, host=request.app.state.plugins, school_id=_question_school(user, question),
        subject_id=place.get("subject_id"), grade=place.get("grade"),
        checked=[int(v) for v in ticked if str(v).isdecimal() and int(v) <= MAX_ID])
    return render(request, "assessment/question_form.html", {
        **_helpers(), "values": values, "place": place, "question": question, "problems": problems or [],
        "subjects": _subject_names(db), "option_rows": rows, "letters": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "type_label": TYPE_LABELS[QType(values["type"])], "picker": picker,
    }, status_code=status_code)


def _question_school(user: User, question: Question | None) -> int | None:
    """Return the school whose province's curriculum applies: the question's, or the bank a new one goes to."""
    return question.school_id if question is not None else bank.bank_school(user)


def _curriculum_choice(request: Request, db: Any, user: User, fields: dict[str, list[str]], place: dict[str, Any],
                       question: Question | None = None) -> list[int] | None:
    """Return the ticked curriculum items, refused unless each is in the tree of the chosen subject and grade
    (None: no curriculum is installed, so the form showed none and the question keeps what it had)."""
    raw = [v.strip() for v in fields.get("curriculum_item", [])]
    bad = [v for v in raw if not v.isdecimal() or len(v) > 10 or int(v) > MAX_ID]
    if bad:
        raise Invalid(question_curriculum.UNKNOWN_ITEMS, ids=", ".join(v[:12] for v in bad[:5]))
    ids = [int(v) for v in raw]
    if not ids and question_curriculum.reader(request.app.state.plugins) is None:
        return None
    if not (place["subject_id"] and place["grade"]):
        return ids  # the bank refuses the missing subject or grade first, storing nothing
    return question_curriculum.check_choice(db=db, host=request.app.state.plugins,
                                            school_id=_question_school(user, question),
                                            subject_id=place["subject_id"], grade=place["grade"], item_ids=ids)


@router.get("/question-bank/new")
def new_question(request: Request, db: DbSession, user: CurrentUser,
                 type: Annotated[str | None, Query(max_length=20)] = None) -> Response:  # noqa: A002
    """Show the choice of question types, then the form of the chosen type."""
    bank.bank_school(user)
    if type is None or type not in bank.TYPES:
        return render(request, "assessment/question_new.html", {**_helpers()})
    values = values_of(Item(type=QType(type), stem=""))
    values["options"] = [] if type not in ("single", "multiple") else ["", "", "", ""]
    return _form_page(request, db, user, values=values,
                      place={"subject_id": None, "grade": None, "visibility": rules.SCHOOL})


def _place(fields: dict[str, list[str]]) -> dict[str, Any]:
    return {"subject_id": _int(_one(fields, "subject_id")), "grade": _int(_one(fields, "grade"), high=12),
            "visibility": _one(fields, "visibility") or rules.SCHOOL}


@router.post("/question-bank/new")
def create(request: Request, db: DbSession, user: CurrentUser,
           fields: Annotated[dict[str, list[str]], Depends(_form_fields)]) -> Response:
    """Store a new question from the form, or show the form again with what is wrong."""
    bank.bank_school(user)
    item, problems = item_from_form(fields)
    place = _place(fields)
    again = {"values": _posted_values(fields), "place": place, "status_code": 422}
    if _one(fields, "reload"):  # the subject or grade changed: the form again with its curriculum, nothing saved
        return _form_page(request, db, user, values=again["values"], place=place)
    if problems:
        return _form_page(request, db, user, problems=[p.text() for p in problems], **again)
    try:
        question = bank.create_question(db=db, actor=user, subject_id=place["subject_id"] or 0,
                                        grade=place["grade"] or 0, item=item, visibility=place["visibility"],
                                        note=_one(fields, "note"),
                                        curriculum_item_ids=_curriculum_choice(request, db, user, fields, place) or ())
    except Invalid as exc:
        listed = [d["problem"] for d in exc.details] or [exc.translated()]
        return _form_page(request, db, user, problems=listed, **again)
    return RedirectResponse(f"/question-bank/{question.id}", status_code=303)


@router.get("/question-bank/{question_id}/edit")
def edit_form(request: Request, question_id: Id, db: DbSession, user: CurrentUser) -> Response:
    """Show the form filled with the question's newest version."""
    question = bank.editable_question(db=db, actor=user, question_id=question_id)
    return _form_page(request, db, user, values=values_of(sharing.item_to_edit(db, question)), question=question,
                      place={"subject_id": question.subject_id, "grade": question.grade,
                             "visibility": question.visibility})


@router.post("/question-bank/{question_id}/edit")
def edit(request: Request, question_id: Id, db: DbSession, user: CurrentUser,
         fields: Annotated[dict[str, list[str]], Depends(_form_fields)]) -> Response:
    """Store the edited question as a new version, or show the form again with what is wrong."""
    question = bank.editable_question(db=db, actor=user, question_id=question_id)
    item, problems = item_from_form(fields)
    place = _place(fields)
    again = {"values": _posted_values(fields), "place": place, "question": question, "status_code": 422}
    if _one(fields, "reload"):  # the subject or grade changed: the form again with its curriculum, nothing saved
        return _form_page(request, db, user, values=again["values"], place=place, question=question)
    if problems:
        return _form_page(request, db, user, problems=[p.text() for p in problems], **again)
    try:
        shared = question.visibility == rules.SHARED  # the form offers no "shared": it stays what it is
        bank.edit_question(db=db, actor=user, question_id=question.id, item=item, note=_one(fields, "note"),
                           subject_id=place["subject_id"] or 0, grade=place["grade"] or 0,
                           visibility=None if shared else place["visibility"],
                           curriculum_item_ids=_curriculum_choice(request, db, user, fields, place, question))
    except Invalid as exc:
        db.rollback()
        listed = [d["problem"] for d in exc.details] or [exc.translated()]
        return _form_page(request, db, user, problems=listed, **again)
    return RedirectResponse(f"/question-bank/{question.id}", status_code=303)


# ---- import -------------------------------------------------------------------------------------------------------

def detect_format(data: bytes, filename: str) -> str:
    """Return which importer reads a file, from its bytes first and its extension second; refuse others."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(b"PK\x03\x04"):
        if ext in ("docx", "xlsx"):
            return ext
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            raise Invalid(UNKNOWN_FORMAT) from None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise Invalid(UNKNOWN_FORMAT)
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # the old Office formats
        if ext == "doc":
            return "docx"  # its reader says how to save it as .docx
        raise Invalid(OLD_EXCEL if ext == "xls" else UNKNOWN_FORMAT)
    if data.startswith(b"%PDF") or b"\x00" in data[:4096]:
        raise Invalid(UNKNOWN_FORMAT)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(NOT_UTF8) from None
    head = text.lstrip()[:200].lower()
    if head.startswith(("<?xml", "<quiz")) or ext == "xml":
        return "moodle_xml"
    if ext == "gift":
        return "gift"
    if ext not in ("txt", "aiken", ""):
        raise Invalid(UNKNOWN_FORMAT)
    aiken = re.search(r"(?m)^\s*ANSWER\s*:", text) is not None and re.search(r"(?m)^\s*[A-Z][.)]\s", text)
    return "aiken" if aiken and "{" not in text else "gift"


def parse_upload(data: bytes, filename: str) -> tuple[str, ParseResult]:
    """Return the file's format and what its importer read; a file of no known format is an Invalid."""
    fmt = detect_format(data, filename)
    if fmt == "docx":
        return fmt, parse_docx(data)
    if fmt == "xlsx":
        return fmt, parse_xlsx(data)
    if fmt == "moodle_xml":
        return fmt, parse_moodle_xml(data)
    text = data.decode("utf-8-sig")
    return fmt, parse_aiken(text) if fmt == "aiken" else parse_gift(text)


def checked(result: ParseResult) -> list[tuple[str, str]]:
    """Return every problem of a parse as (where, text), the bank's own checks (pictures, lengths) included."""
    found = [(p.where, _problem_text(p)) for p in result.problems]
    for number, item in enumerate(result.items, start=1):
        own = set(check(item))
        for problem in bank.problems_of(bank.normalised(item)):
            if problem.message not in own:
                where = item.title or gettext(QUESTION_NUMBER).format(number=number)
                found.append((where, problem.text()))
    return found


def _import_form(request: Request, db: Any, *, subject_id: int | None = None, grade: int | None = None,
                 error: str | None = None, status_code: int = 200) -> Response:
    return render(request, "assessment/import.html", {
        **_helpers(), "subjects": _subject_names(db), "subject_id": subject_id, "grade": grade, "error": error,
        "max_mb": f"{MAX_UPLOAD / 1_000_000:.3g}",
    }, status_code=status_code)


def _preview(request: Request, db: Any, *, fmt: str, filename: str, result: ParseResult, subject_id: int,
             grade: int, token: str | None, status_code: int) -> Response:
    problems = checked(result)
    return render(request, "assessment/import_preview.html", {
        **_helpers(), "format": FORMAT_LABELS[fmt], "filename": filename, "views": [question_view(i) for i in result.items],
        "problems": problems, "skipped": [(p.where, _problem_text(p)) for p in result.skipped], "token": token,
        "subject": _subject_names(db).get(subject_id, ""), "grade": grade,
    }, status_code=status_code)


@router.get("/question-bank/import")
def import_form(request: Request, db: DbSession, user: CurrentUser) -> Response:
    """Show the upload form of question files and the Excel template link."""
    bank.bank_school(user)
    return _import_form(request, db)


@router.get("/question-bank/import/template.xlsx")
def import_template(user: CurrentUser) -> Response:
    """Download the Excel template of questions."""
    bank.bank_school(user)
    return Response(template_xlsx(), media_type=XLSX_TYPE,
                    headers={"Content-Disposition": 'attachment; filename="mau-cau-hoi.xlsx"'})


@router.post("/question-bank/import")
def import_preview(request: Request, db: DbSession, user: CurrentUser,
                   subject_id: Annotated[int, Form(ge=1, le=MAX_ID)], grade: Annotated[int, Form(ge=1, le=12)],
                   file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Read an uploaded question file and show every question and problem; nothing is imported yet."""
    bank.bank_school(user)
    again = {"subject_id": subject_id, "grade": grade}
    if file is None or not file.filename:
        return _import_form(request, db, error=gettext(NO_FILE), status_code=422, **again)
    filename = (file.filename or "")[-200:]
    data = file.file.read(MAX_UPLOAD + 1)
    try:
        if len(data) > MAX_UPLOAD:
            raise TooLarge(FILE_TOO_LARGE, max_mb=f"{MAX_UPLOAD / 1_000_000:.3g}")
        if _subject_names(db).get(subject_id) is None:
            raise Invalid(bank.UNKNOWN_SUBJECT)
        fmt, result = parse_upload(data, filename)
    except (Invalid, TooLarge) as exc:
        return _import_form(request, db, error=exc.translated(), status_code=exc.status_code, **again)
    clean = result.clean and bool(result.items) and not checked(result)
    token = UPLOADS.keep_bytes(data, user_id=user.id, subject_id=subject_id, grade=grade, filename=filename,
                               format=fmt) if clean else None
    return _preview(request, db, fmt=fmt, filename=filename, result=result, subject_id=subject_id, grade=grade,
                    token=token, status_code=200 if clean else 422)


@router.post("/question-bank/import/confirm")
def import_confirm(request: Request, db: DbSession, user: CurrentUser,
                   token: Annotated[str, Form(min_length=64, max_length=64)]) -> Response:
    """Import the previewed file (read again, all or nothing), delete it, and show the bank."""
    upload = UPLOADS.load(token, user_id=user.id)
    record = upload.record
    try:
        fmt, result = parse_upload(upload.read(), str(record.get("filename", "")))
        if not result.clean or not result.items or checked(result):
            return _preview(request, db, fmt=fmt, filename=str(record.get("filename", "")), result=result,
                            subject_id=int(record["subject_id"]), grade=int(record["grade"]), token=None,
                            status_code=422)
        counts = bank.import_items(db=db, actor=user, subject_id=int(record["subject_id"]),
                                   grade=int(record["grade"]), items=result.items, source=fmt)
    finally:
        UPLOADS.discard(token)
    return RedirectResponse(f"/question-bank?mine=1&imported={counts.questions}", status_code=303)


# ---- export -------------------------------------------------------------------------------------------------------

@router.get("/question-bank/export")
def export(request: Request, db: DbSession, user: CurrentUser,
           format: Annotated[str, Query(pattern="^(gift|xml)$")],  # noqa: A002
           ids: Annotated[list[int] | None, Query()] = None) -> Response:
    """Download the chosen questions (or the filtered list) as GIFT or Moodle XML."""
    bank.bank_school(user)
    items = bank.export_items(db=db, actor=user, filters=_filters(request.query_params), ids=ids or None)
    if format == "gift":
        return Response(bank.export_gift(items).encode("utf-8"), media_type="text/plain; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="ngan-hang-cau-hoi.gift.txt"', **NO_STORE})
    return Response(bank.export_moodle_xml(items), media_type="application/xml",
                    headers={"Content-Disposition": 'attachment; filename="ngan-hang-cau-hoi.xml"', **NO_STORE})


# ---- a question ---------------------------------------------------------------------------------------------------

@router.get("/question-bank/{question_id}")
def question_page(request: Request, question_id: Id, db: DbSession, user: CurrentUser,
                  version: Annotated[int | None, Query(ge=1, le=100_000)] = None) -> Response:
    """Show a question rendered with its key, where it belongs, and its versions."""
    from lms_core.assessment import sharing_pages  # it builds on this module

    question = bank.get_question(db=db, actor=user, question_id=question_id)
    versions = sharing.visible_versions(db, user, question)
    current = next((v for v in versions if v.id == question.current_version_id), versions[0] if versions else None)
    shown = next((v for v in versions if v.number == version), None) if version else current
    if shown is None:
        raise NotFound(bank.QUESTION_NOT_FOUND)
    item = from_data(shown.data)
    return render(request, "assessment/question.html", {
        **_helpers(), "question": question, "view": question_view(item), "versions": versions, "shown": shown,
        "subject": _subject_names(db).get(question.subject_id, ""), "may_edit": question.owner_id == user.id,
        "owner": db.get(User, question.owner_id),
        **_curriculum_shown(request, db, question),
        **sharing_pages.sharing_context(request, db, user, question),
    })


def _curriculum_shown(request: Request, db: Any, question: Question) -> dict[str, Any]:
    """Return the curriculum items a question assesses, by title, and the ids no longer in the curriculum."""
    items, missing = question_curriculum.described(db=db, host=request.app.state.plugins,
                                                   item_ids=bank.curriculum_ids(db, question))
    return {"curriculum_items": items, "curriculum_missing": missing}


@router.post("/question-bank/{question_id}/archive")
def archive(question_id: Id, db: DbSession, user: CurrentUser,
            archived: Annotated[str, Form(pattern="^(0|1)$")] = "1") -> Response:
    """Archive a question (or bring it back) and return to it."""
    bank.archive_question(db=db, actor=user, question_id=question_id, archived=archived == "1")
    return RedirectResponse(f"/question-bank/{question_id}", status_code=303)


# ---- pictures -----------------------------------------------------------------------------------------------------

@router.api_route(bank.IMAGE_PREFIX + "{sha256}", methods=["GET", "HEAD"])
def question_image(request: Request, sha256: Annotated[str, Path(max_length=64)], db: DbSession,
                   user: CurrentUser) -> Response:
    """Serve a picture of a question the user may see."""
    media = bank.visible_image(db=db, actor=user, sha256=sha256)
    etag = f'"{media.sha256}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": "sandbox", "Content-Disposition": "inline"}
    if etag in (t.strip() for t in request.headers.get("if-none-match", "").split(",")):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": headers["Cache-Control"]})
    path = storage.path_for(media.sha256)
    if not path.is_file():
        raise NotFound(bank.IMAGE_NOT_FOUND)
    return FileResponse(path, media_type=media.media_type, headers=headers)

