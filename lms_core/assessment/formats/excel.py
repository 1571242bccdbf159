"""Questions from the Excel template (one row per question) and the template itself, with its guide sheet.

The header row (within the first rows of the first sheet that has one) names the columns in any order; headers
are recognised without accents and with synonyms, as the class-list import does. Each bad row is a problem
"row n"; nothing is guessed.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from lms_core.accounts.import_sheet import BROKEN_FILE, HEADER_SCAN_ROWS, check_size, check_xlsx, clean
from lms_core.assessment.formats.docx_vn import parse_letters, parse_tf
from lms_core.assessment.items import (Blank, Choice, Criterion, Item, Level, NumericKey, Pair, ParseProblem,
                                       ParseResult, QType, TFStatement, check)
from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import N_, gettext
from lms_core.text import fold, nfc
from lms_core.spreadsheets import workbook_bytes

NO_HEADER = N_("No header row was found in the first {rows} rows of any sheet. The header row must have the columns “Loại câu hỏi” and “Nội dung câu hỏi”; download the template to see them.")
NO_ROWS = N_("The file has a header row but no question below it.")
TOO_MANY_ROWS = N_("The file has more than {max} questions. Split it into smaller files.")
UNKNOWN_TYPE = N_("The question type “{value}” is not known. Choose one from the list in the template.")
NO_TYPE = N_("The question type is empty.")
OPTION_GAP = N_("Option {letter} is empty but a later option is filled in.")
KEY_NOT_OPTION = N_("The key {key} is not one of the options filled in.")
BAD_KEY = N_("The key “{key}” cannot be read for this kind of question.")
BAD_POINTS = N_("The points “{value}” are not a number.")
BAD_DIFFICULTY = N_("The difficulty must be a whole number from 1 to 5.")
BAD_LEVEL = N_("The level “{value}” is not known: use Nhận biết, Thông hiểu, Vận dụng or Vận dụng cao.")
BAD_PAIR = N_("Option {letter} must be written “left | right”.")
TEXT_TOO_LONG = N_("A text of this row is longer than {max} characters.")

MAX_BYTES = 10_000_000
MAX_ROWS = 5_000
MAX_COLUMNS = 40
MAX_TEXT = 20_000
LETTERS = "ABCDEF"

HEADERS: dict[str, str] = {
    "type": "Loại câu hỏi", "stem": "Nội dung câu hỏi",
    **{letter: f"Phương án {letter}" for letter in LETTERS},
    "key": "Đáp án đúng", "points": "Điểm", "level": "Mức độ", "difficulty": "Độ khó (1–5)", "tags": "Thẻ",
    "curriculum": "Mã yêu cầu cần đạt", "feedback": "Lời giải / phản hồi",
}
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "type": ("loai cau hoi", "loai", "dang cau hoi", "kieu cau hoi", "type", "question type"),
    "stem": ("noi dung cau hoi", "noi dung", "cau hoi", "de bai", "question", "question text", "stem"),
    **{letter: (f"phuong an {letter.lower()}", f"dap an {letter.lower()}", f"lua chon {letter.lower()}",
                f"option {letter.lower()}", letter.lower()) for letter in LETTERS},
    "key": ("dap an dung", "dap an", "key", "answer", "correct answer"),
    "points": ("diem", "so diem", "points", "score"),
    "level": ("muc do", "muc do nhan thuc", "cap do", "level", "cognitive level"),
    "difficulty": ("do kho", "do kho 1 5", "difficulty"),
    "tags": ("the", "tu khoa", "tags", "tag"),
    "curriculum": ("ma yeu cau can dat", "ma yccd", "yccd", "yeu cau can dat", "ma chuong trinh", "curriculum",
                   "curriculum code"),
    "feedback": ("loi giai phan hoi", "loi giai", "phan hoi", "huong dan giai", "giai thich", "feedback"),
}
_FIELD_OF = {synonym: name for name, synonyms in _SYNONYMS.items() for synonym in synonyms}
_TEXT_FIELDS = {"stem", "feedback", *LETTERS}

TYPE_LABELS: dict[QType, str] = {
    QType.single: "Một đáp án", QType.multiple: "Nhiều đáp án", QType.true_false: "Đúng/Sai",
    QType.tf_group: "Đúng/Sai 4 ý", QType.numeric: "Trả lời ngắn (số)", QType.short_text: "Trả lời ngắn (chữ)",
    QType.matching: "Ghép đôi", QType.ordering: "Sắp xếp", QType.cloze: "Điền khuyết", QType.essay: "Tự luận",
}
_TYPE_OF: dict[str, QType] = {
    **{fold(label): qtype for qtype, label in TYPE_LABELS.items()}, **{fold(q.value): q for q in QType},
    "trac nghiem": QType.single, "trac nghiem nhieu lua chon": QType.single, "nhieu lua chon": QType.single,
    "mot lua chon": QType.single, "tn": QType.single, "mcq": QType.single, "nhieu dap an dung": QType.multiple,
    "dung sai": QType.true_false, "tf": QType.true_false, "dung sai nhom": QType.tf_group,
    "tra loi ngan": QType.numeric, "dien tu": QType.short_text, "dien vao cho trong": QType.cloze,
    "ghep noi": QType.matching, "noi cot": QType.matching, "sap xep thu tu": QType.ordering,
}
LEVEL_LABELS = {Level.recognise: "Nhận biết", Level.understand: "Thông hiểu", Level.apply: "Vận dụng",
                Level.apply_high: "Vận dụng cao"}
_LEVEL_OF: dict[str, str] = {
    **{fold(label): level.value for level, label in LEVEL_LABELS.items()}, **{fold(lv.value): lv.value for lv in Level},
    "nb": Level.recognise.value, "th": Level.understand.value, "vd": Level.apply.value, "vdc": Level.apply_high.value,
}
_TRUE = {"d", "dung", "t", "true", "1"}  # folded: "Đ" and "Đúng" fold to "d" and "dung"
_FALSE = {"s", "sai", "f", "false", "0"}


def _text(value: Any) -> str:
    """Return a cell as question text: NFC, trimmed, line breaks kept, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    lines = nfc(str(value)).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


def _decimal(value: Any) -> Decimal | None:
    """Return a number from a cell (a number, or text "0,5", "-2" or "1.5"), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip().replace(" ", "").replace("−", "-")
    if not re.fullmatch(r"[+-]?\d{1,12}(?:[.,]\d{1,12})?", text):
        return None
    return Decimal(text.replace(",", "."))


def _split(value: str | None, separators: str = ",;") -> list[str]:
    """Return the non-empty parts of a cell split at the separators."""
    return [part.strip() for part in re.split(f"[{separators}]", value or "") if part.strip()]


def _numeric_keys(value: Any) -> list[NumericKey] | None:
    """Return the numbers a key cell accepts ("2", "0,5 ± 0,01", "2; 3"), or None when one cannot be read."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [NumericKey(value=Decimal(str(value)))]
    keys = []
    for part in _split(str(value), ";"):
        number, _, tolerance = part.partition("±")
        read, spread = _decimal(number), _decimal(tolerance) if tolerance.strip() else Decimal(0)
        if read is None or spread is None or spread < 0:
            return None
        keys.append(NumericKey(value=read, tolerance=spread))
    return keys or None


def _fill(item: Item, options: list[str], key: Any, problems: list[tuple[str, dict[str, object]]]) -> None:
    """Set the answer fields of an item from its option cells and key cell, noting what cannot be read."""
    key_text = _text(key)
    if item.type in (QType.single, QType.multiple):
        letters = parse_letters(key_text) if key_text else []
        if letters is None:
            problems.append((BAD_KEY, {"key": key_text}))
            letters = []
        missing = [letter for letter in letters if LETTERS.index(letter) >= len(options)]
        if missing:
            problems.append((KEY_NOT_OPTION, {"key": ", ".join(missing)}))
        item.choices = [Choice(text=text, correct=LETTERS[i] in letters) for i, text in enumerate(options)]
    elif item.type == QType.true_false:
        truth = fold(key_text)
        if key_text and truth not in _TRUE | _FALSE:
            problems.append((BAD_KEY, {"key": key_text}))
        item.choices = [Choice(text="Đúng", correct=truth in _TRUE), Choice(text="Sai", correct=truth in _FALSE)]
    elif item.type == QType.tf_group:
        values = parse_tf(key_text) if key_text else None
        if values is None:
            problems.append((BAD_KEY, {"key": key_text}))
        item.statements = [TFStatement(text=text, true=bool(values and values[i])) for i, text in enumerate(options)]
    elif item.type == QType.numeric:
        numbers = _numeric_keys(key) if key_text else []
        if numbers is None:
            problems.append((BAD_KEY, {"key": key_text}))
        item.numeric = numbers or []
    elif item.type == QType.short_text:
        item.accepted = _split(key_text, ";")
    elif item.type == QType.cloze:
        item.blanks = [Blank(accepted=_split(blank, ";")) for blank in key_text.split("|")] if key_text else []
    elif item.type == QType.ordering:
        item.order = options
    elif item.type in (QType.matching, QType.essay):
        for letter, text in zip(LETTERS, options):
            left, bar, right = text.partition("|")
            points = _decimal(right) if item.type == QType.essay else None
            if not bar or not left.strip() or not right.strip() or (item.type == QType.essay and points is None):
                problems.append((BAD_PAIR, {"letter": letter}))
            elif item.type == QType.matching:
                item.pairs.append(Pair(left=left.strip(), right=right.strip()))
            else:
                item.rubric.append(Criterion(text=left.strip(), points=points))

def _row(values: dict[str, Any]) -> tuple[Item | None, list[tuple[str, dict[str, object]]]]:
    """Return the item a row makes and what is wrong with it (no item when its type is unknown)."""
    type_text = clean(values.get("type"))
    if type_text is None:
        return None, [(NO_TYPE, {})]
    qtype = _TYPE_OF.get(fold(str(type_text)))
    if qtype is None:
        return None, [(UNKNOWN_TYPE, {"value": type_text})]
    problems: list[tuple[str, dict[str, object]]] = []
    cells = [_text(values.get(letter)) for letter in LETTERS]
    options = cells[:max((i + 1 for i, text in enumerate(cells) if text), default=0)]
    problems += [(OPTION_GAP, {"letter": letter}) for letter, text in zip(LETTERS, options) if not text]
    stem, feedback = _text(values.get("stem")), _text(values.get("feedback"))
    if any(len(text) > MAX_TEXT for text in (stem, feedback, *options)):
        problems.append((TEXT_TOO_LONG, {"max": MAX_TEXT}))
    points = Decimal(1)
    if _text(values.get("points")):
        read = _decimal(values["points"])
        if read is None:
            problems.append((BAD_POINTS, {"value": _text(values["points"])}))
        else:
            points = read
    level = None
    if clean(values.get("level")) is not None:
        level = _LEVEL_OF.get(fold(str(clean(values["level"]))))
        if level is None:
            problems.append((BAD_LEVEL, {"value": clean(values["level"])}))
    difficulty = None
    if _text(values.get("difficulty")):
        read = _decimal(values["difficulty"])
        if read is None or read != read.to_integral_value() or not 1 <= read <= 5:
            problems.append((BAD_DIFFICULTY, {}))
        else:
            difficulty = int(read)
    item = Item(type=qtype, stem=stem, points=points, level=level, difficulty=difficulty, general_feedback=feedback,
                tags=_split(clean(values.get("tags"))), curriculum=_split(clean(values.get("curriculum"))))
    _fill(item, options, values.get("key"), problems)
    problems += [(message, {}) for message in check(item)]
    return item, problems


def _header(cells: tuple[Any, ...]) -> dict[str, int]:
    """Return the recognised columns of a candidate header row, or nothing without type and question text."""
    columns: dict[str, int] = {}
    for index, value in enumerate(cells):
        text = clean(value)
        name = _FIELD_OF.get(fold(re.sub(r"\(.*?\)|\*", " ", text))) if isinstance(text, str) else None
        if name is not None and name not in columns:
            columns[name] = index
    return columns if {"type", "stem"} <= columns.keys() else {}


def _read(ws: Any) -> ParseResult | None:
    """Return the questions of a sheet, or None when no header row is in its first rows."""
    ws.reset_dimensions()  # some tools declare wrong dimensions; read every row
    columns: dict[str, int] = {}
    result, count = ParseResult(), 0
    for number, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if not columns:
            if number > HEADER_SCAN_ROWS:
                return None
            columns = _header(cells)
            continue
        values = {name: cells[i] if i < len(cells) else None for name, i in columns.items()}
        if all(not _text(value) for value in values.values()):
            continue
        count += 1
        if count > MAX_ROWS:
            raise TooLarge(TOO_MANY_ROWS, max=MAX_ROWS)
        item, problems = _row(values)
        if item is not None:
            result.items.append(item)
        unique = list(dict.fromkeys((m, tuple(sorted(p.items()))) for m, p in problems))
        result.problems += [ParseProblem(where=f"row {number}", message=m, params=dict(p)) for m, p in unique]
    if not columns:
        return None
    if count == 0:
        result.problems.append(ParseProblem(where="", message=NO_ROWS))
    return result


def parse_xlsx(data: bytes) -> ParseResult:
    """Return the questions of a filled-in Excel template, with a problem for each bad row."""
    from openpyxl import load_workbook

    check_size(len(data), MAX_BYTES)
    check_xlsx(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, ParseError, InvalidFileException…)
        raise Invalid(BROKEN_FILE) from None
    guides = {fold(INSTRUCTIONS_SHEET), fold(gettext(INSTRUCTIONS_SHEET)), "huong dan"}
    try:
        for ws in workbook.worksheets:
            if fold(ws.title) not in guides:
                found = _read(ws)
                if found is not None:
                    return found
    except (Invalid, TooLarge):
        raise
    except Exception:
        raise Invalid(BROKEN_FILE) from None
    finally:
        workbook.close()
    raise Invalid(NO_HEADER, rows=HEADER_SCAN_ROWS)


QUESTIONS_SHEET = N_("Questions")
INSTRUCTIONS_SHEET = N_("Instructions")
GUIDE_TITLE = N_("How to fill in the question template")
GUIDE_LINES = [
    N_("Write one question per row of the first sheet, under the header row. Do not change the header texts; the order of the columns does not matter."),
    N_("Maths is written in LaTeX between $ signs, such as $\\frac{1}{2}$ or $x^2$."),
    N_("If a row has an error, the preview lists it with its row number; nothing is imported until every row is correct."),
]
COLUMN_HELP = {
    "type": N_("Required. The kind of question, from the list (see the kinds below)."),
    "stem": N_("Required. The question text. Line breaks are kept."),
    "options": N_("Options A–F of a choice question; the statements a–d of “Đúng/Sai 4 ý”; pairs “left | right” of “Ghép đôi”; the items in the right order for “Sắp xếp”; rubric criteria “criterion | points” for “Tự luận”."),
    "key": N_("The correct answer, written as the kind of question asks (see below)."),
    "points": N_("Optional: the points of the question, such as 0,25; empty means 1."),
    "level": N_("Optional: Nhận biết, Thông hiểu, Vận dụng or Vận dụng cao (or NB, TH, VD, VDC)."),
    "difficulty": N_("Optional: a whole number from 1 (easy) to 5 (hard)."),
    "tags": N_("Optional: words to find the question by, separated by commas."),
    "curriculum": N_("Optional: the codes of the curriculum requirements (yêu cầu cần đạt) the question assesses, separated by commas."),
    "feedback": N_("Optional: the worked solution or feedback shown after answering."),
}
TYPE_HELP = {
    QType.single: N_("One correct option: fill in at least two options and give the letter of the correct one, such as B."),
    QType.multiple: N_("Several correct options: give their letters separated by commas, such as A, C."),
    QType.true_false: N_("One statement in the question text; the key is Đ (true) or S (false)."),
    QType.tf_group: N_("A stem and four statements a–d in options A–D; the key gives Đ or S for each, in order, such as ĐSĐS."),
    QType.numeric: N_("The key is a number, such as 0,25 or -12; a tolerance after ±, such as 3,14 ± 0,01; several accepted numbers separated by semicolons."),
    QType.short_text: N_("The accepted answers separated by semicolons; capitals and accents are not compared."),
    QType.matching: N_("Each option is a pair written “left | right”; no key."),
    QType.ordering: N_("The options in the right order; no key."),
    QType.cloze: N_("Write {1}, {2} … in the question text where the blanks are; the key gives the answers of each blank separated by |, the accepted answers of one blank separated by semicolons."),
    QType.essay: N_("Graded by the teacher; options may hold rubric criteria written “criterion | points”; no key."),
}
EXAMPLES: dict[QType, dict[str, Any]] = {
    QType.single: {"stem": "Vùng chè Tân Cương thuộc tỉnh nào?", "A": "Phú Thọ", "B": "Thái Nguyên", "C": "Lâm Đồng",
                   "D": "Hà Giang", "key": "B", "points": "0,25", "level": "Nhận biết", "difficulty": 1,
                   "tags": "địa lí, chè", "curriculum": "GDĐP6.1.1"},
    QType.multiple: {"stem": "Những chất nào sau đây là kim loại?", "A": "Sắt", "B": "Lưu huỳnh", "C": "Đồng",
                     "D": "Carbon", "key": "A, C", "level": "Thông hiểu"},
    QType.true_false: {"stem": "Ở áp suất tiêu chuẩn, nước tinh khiết sôi ở 100 °C.", "key": "Đ"},
    QType.tf_group: {"stem": "Về cây chè Tân Cương:", "A": "Chè được trồng trên đồi.", "B": "Búp chè hái vào ban đêm.",
                     "C": "Nước chè có màu xanh.", "D": "Chè là cây lương thực.", "key": "ĐSĐS", "points": 1},
    QType.numeric: {"stem": "Một vật rơi tự do từ độ cao 20 m, lấy g = 10 m/s². Thời gian rơi là bao nhiêu giây?",
                    "key": "2", "level": "Vận dụng", "feedback": "$t = \\sqrt{2h/g} = 2$ s."},
    QType.short_text: {"stem": "Thủ đô của Việt Nam là thành phố nào?", "key": "Hà Nội; Thủ đô Hà Nội"},
    QType.matching: {"stem": "Nối mỗi tỉnh với đặc sản của tỉnh đó.", "A": "Thái Nguyên | Chè",
                     "B": "Bắc Giang | Vải thiều", "C": "Hưng Yên | Nhãn lồng"},
    QType.ordering: {"stem": "Sắp xếp các bước làm chè theo đúng thứ tự.", "A": "Hái búp", "B": "Làm héo",
                     "C": "Sao chè", "D": "Đóng gói"},
    QType.cloze: {"stem": "Chè Tân Cương thuộc tỉnh {1}, nước chè có màu {2}.", "key": "Thái Nguyên | xanh; vàng xanh"},
    QType.essay: {"stem": "Viết đoạn văn khoảng 150 chữ giới thiệu về chè Tân Cương.", "A": "Nội dung đúng, đủ ý | 2",
                  "B": "Diễn đạt mạch lạc | 1", "points": 3, "level": "Vận dụng cao"},
}
WIDTHS = {"type": 18, "stem": 50, "key": 14, "tags": 18, "curriculum": 18, "feedback": 40}


def _header_row(ws: Any, row: int) -> None:
    """Make a row bold on the header colour."""
    from lms_core.accounts.import_workbooks import HEADER_FILL, HEADER_FONT

    for cell in ws[row]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT


def template_xlsx() -> bytes:
    """Return the blank question template: the header row with drop-downs, and a guide sheet with examples."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    ws = workbook.active
    ws.title = gettext(QUESTIONS_SHEET)[:31]
    fields = list(HEADERS)
    ws.append(list(HEADERS.values()))
    _header_row(ws, 1)
    ws.freeze_panes = "A2"
    column = {name: get_column_letter(i) for i, name in enumerate(fields, start=1)}
    for name, letter in column.items():
        ws.column_dimensions[letter].width = WIDTHS.get(name, 16)
    ws.column_dimensions[column["key"]].number_format = "@"  # "0,5" and "A, C" stay as typed
    for name, choices in (("type", TYPE_LABELS.values()), ("level", LEVEL_LABELS.values())):
        rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                              showErrorMessage=False)
        rule.add(f"{column[name]}2:{column[name]}{MAX_ROWS + 1}")
        ws.add_data_validation(rule)
    rule = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True)
    rule.add(f"{column['difficulty']}2:{column['difficulty']}{MAX_ROWS + 1}")
    ws.add_data_validation(rule)

    guide = workbook.create_sheet(gettext(INSTRUCTIONS_SHEET)[:31])
    guide.append([gettext(GUIDE_TITLE)])
    guide["A1"].font = Font(bold=True, size=14)
    for line in GUIDE_LINES:
        guide.append([gettext(line)])
    guide.append([])
    for name, header in HEADERS.items():
        if name in LETTERS[1:]:
            continue
        help_key = "options" if name == "A" else name
        guide.append(["Phương án A – F" if name == "A" else header, gettext(COLUMN_HELP[help_key])])
        guide.cell(row=guide.max_row, column=1).font = Font(bold=True)
    guide.append([])
    guide.append(list(HEADERS.values()))
    _header_row(guide, guide.max_row)
    for qtype, example in EXAMPLES.items():
        guide.append([TYPE_LABELS[qtype], *(example.get(name) for name in fields[1:])])
        guide.append(["", gettext(TYPE_HELP[qtype])])
        guide.cell(row=guide.max_row, column=2).font = Font(italic=True)
    for letter, width in (("A", 22), ("B", 60)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(workbook)
