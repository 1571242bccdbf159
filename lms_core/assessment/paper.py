"""Exam papers that print on A4: each version and its answer key as DOCX (python-docx) and PDF (reportlab), and
the blueprint's ma trận and bảng đặc tả as DOCX tables.

The papers follow the layout of Vietnamese school exams, so their fixed words are Vietnamese whatever the language
of the page that asked for them ("Mã đề", "Câu 1.", "PHẦN I", "Trang 1/3"), as the Excel templates' headers are.
Maths ($…$, $$…$$) is drawn as pictures by matplotlib's mathtext (offline, cached by its LaTeX text); the PDF uses
the DejaVu Sans fonts matplotlib ships, which hold every Vietnamese letter. Question pictures kept by the bank are
printed; pictures on the web are not fetched (their alt text is printed).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lms_core import storage
from lms_core.assessment.blueprint import LEVEL_HEADERS, PARTS, Blueprint, Part, specification, totals
from lms_core.assessment.builder import LETTERS, STATEMENT_LETTERS, Exam, KeyEntry, Placed, Version, answer_key
from lms_core.assessment.items import Item, QType
from lms_core.assessment.render import _md as markdown  # the bank's own Markdown + maths reader
from lms_core.settings import get_settings

MATH_LIMIT = 500
MATH_SIZE = 12
MATH_DPI = 300
IMAGE_WIDTH_CM = 12.0
PAGE_CM = (21.0, 29.7)
MARGINS_CM = {"top": 1.5, "bottom": 1.5, "left": 2.0, "right": 1.5}
FONT = "Times New Roman"

PART_TITLES = {
    Part.single: ("PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn.",
                  "Thí sinh trả lời từ câu 1 đến câu {n}. Mỗi câu hỏi thí sinh chỉ chọn một phương án."),
    Part.tf_group: ("PHẦN II. Câu trắc nghiệm đúng sai.",
                    "Thí sinh trả lời từ câu 1 đến câu {n}. Trong mỗi ý a), b), c), d) ở mỗi câu, thí sinh chọn "
                    "đúng hoặc sai."),
    Part.short: ("PHẦN III. Câu trắc nghiệm trả lời ngắn.", "Thí sinh trả lời từ câu 1 đến câu {n}."),
    Part.essay: ("PHẦN IV. Tự luận.", "Thí sinh trình bày lời giải từ câu 1 đến câu {n}."),
}
_IMAGE_SRC = re.compile(r"/question-images/([0-9a-f]{64})")


@dataclass
class PaperInfo:
    """What the header of a paper says: the authority and school, the exam's title, subject, grade and time."""

    school: str = ""
    authority: str = ""
    title: str = "ĐỀ KIỂM TRA"
    subject: str = ""
    grade: int | None = None
    minutes: int = 45
    year: str = ""


# ---- question text: paragraphs of text, maths and pictures ----------------------------------------------------------

@dataclass
class Run:
    """A piece of a paragraph: text, maths (LaTeX) or a picture (a path, or None when it cannot be printed)."""

    kind: str
    value: str
    display: bool = False
    path: Path | None = None


def _runs(tokens: list[Any]) -> list[Run]:
    out: list[Run] = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            out.append(Run("text", token.content))
        elif token.type == "math_inline":
            out.append(Run("math", token.content, display=bool(token.meta.get("display"))))
        elif token.type == "softbreak":
            out.append(Run("text", " "))
        elif token.type == "hardbreak":
            out.append(Run("text", "\n"))
        elif token.type == "image":
            alt = "".join(child.content for child in token.children or [])
            found = _IMAGE_SRC.fullmatch(str(token.attrGet("src") or ""))
            path = storage.path_for(found[1]) if found else None
            out.append(Run("image", alt, path=path if path is not None and path.is_file() else None))
    return out


def paragraphs(text: str) -> list[list[Run]]:
    """Return question text (Markdown with maths) as paragraphs of runs, list items numbered, tables row by row."""
    blocks: list[list[Run]] = []
    prefixes: list[str] = []
    row: list[Run] | None = None
    for token in markdown.parse(text or ""):
        if token.type == "bullet_list_open":
            prefixes.append("-")
        elif token.type == "ordered_list_open":
            prefixes.append(str(int(token.attrGet("start") or 1)))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            prefixes.pop()
        elif token.type == "list_item_open" and prefixes:
            marker = prefixes[-1]
            blocks.append([Run("text", "  " * (len(prefixes) - 1) + ("- " if marker == "-" else f"{marker}. "))])
            if marker != "-":
                prefixes[-1] = str(int(marker) + 1)
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            blocks.append(row)
            row = None
        elif token.type == "inline":
            runs = _runs(token.children or [])
            if row is not None:
                row.extend(([Run("text", " | ")] if row else []) + runs)
            elif blocks and len(blocks[-1]) == 1 and blocks[-1][0].value.endswith((". ", "- ")) and prefixes:
                blocks[-1].extend(runs)
            else:
                blocks.append(runs)
        elif token.type in ("fence", "code_block"):
            blocks.append([Run("text", token.content.rstrip("\n"))])
        elif token.type == "math_block":
            blocks.append([Run("math", token.content, display=True)])
    return blocks or [[]]


def plain_length(text: str) -> int:
    """Return about how wide a text prints, in characters (maths counts its source at half width)."""
    blocks = paragraphs(text)
    return sum(len(r.value) // 2 + 1 if r.kind == "math" else 30 if r.kind == "image" else len(r.value)
               for block in blocks for r in block) + 3 * (len(blocks) - 1)


def _has_block(text: str) -> bool:
    blocks = paragraphs(text)
    return len(blocks) > 1 or any(r.kind == "image" or (r.kind == "math" and r.display) for r in blocks[0])


def option_columns(texts: list[str]) -> int:
    """Return how many columns options print in: 4 when all are short, 2 when medium, else 1 per line."""
    if not texts or any(_has_block(t) for t in texts):
        return 1
    longest = max(plain_length(t) for t in texts)
    return 4 if longest <= 22 and len(texts) <= 4 else 2 if longest <= 45 else 1


# ---- maths as pictures ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MathImage:
    """A formula drawn as a PNG file: its path and its size (and depth below the baseline) in points."""

    path: Path
    width: float
    height: float
    depth: float


_math_lock = threading.Lock()  # matplotlib is not thread-safe; pages render in a thread pool


def _cache_dir() -> Path:
    path = get_settings().resolved_var_dir / "cache" / "mathtext"
    path.mkdir(parents=True, exist_ok=True)
    return path


@lru_cache(maxsize=1024)
def math_image(latex: str, display: bool = False) -> MathImage | None:
    """Return a formula drawn by mathtext (cached by its LaTeX text), or None when mathtext cannot draw it."""
    latex = latex.strip()
    if not latex or len(latex) > MATH_LIMIT:
        return None
    size = MATH_SIZE + (1 if display else 0)
    key = hashlib.sha256(f"{size}:{latex}".encode()).hexdigest()
    path = _cache_dir() / f"{key}.png"
    meta = path.with_suffix(".depth")
    from PIL import Image

    if not (path.is_file() and meta.is_file()):
        from matplotlib import mathtext
        from matplotlib.font_manager import FontProperties

        buffer = io.BytesIO()
        with _math_lock:
            try:
                depth = mathtext.math_to_image(f"${latex}$", buffer, prop=FontProperties(size=size), dpi=MATH_DPI,
                                               format="png")
            except Exception:  # noqa: BLE001 - mathtext raises ValueError and others on LaTeX it does not know
                return None
        temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_bytes(buffer.getvalue())
        os.replace(temporary, path)
        meta.write_text(str(float(depth or 0)))
    with Image.open(path) as picture:
        width, height = picture.size
    scale = 72 / MATH_DPI
    return MathImage(path, width * scale, height * scale, float(meta.read_text() or 0) * scale)


def _math_source(run: Run) -> str:
    return f"$${run.value}$$" if run.display else f"${run.value}$"


# ---- words of the paper -------------------------------------------------------------------------------------------

def points_text(value: Decimal) -> str:
    """Return points as a Vietnamese paper writes them: 1,0 or 0,25."""
    value = value.normalize()
    text = format(value, "f") if value != value.to_integral() else f"{value:.1f}"
    return text.replace(".", ",")


def _subject_line(info: PaperInfo) -> str:
    parts = [f"Môn: {info.subject}" if info.subject else "", f"Lớp {info.grade}" if info.grade else ""]
    return " – ".join(p for p in parts if p)


def _time_line(info: PaperInfo) -> str:
    return f"Thời gian làm bài: {info.minutes} phút, không kể thời gian phát đề"


def _statements_key(truths: list[bool]) -> str:
    return "  ".join(f"{STATEMENT_LETTERS[k]}) {'Đ' if t else 'S'}" for k, t in enumerate(truths))


def _texts_of(item: Item, placed: Placed) -> list[str]:
    order = placed.options if placed.options is not None else list(range(len(item.choices)))
    return [item.choices[k].text for k in order]


def part_heading(part: Part, count: int) -> tuple[str, str]:
    """Return the bold title of a part and the instruction that follows it."""
    title, rest = PART_TITLES[part]
    return title, rest.format(n=count)


def _grouped(entries: list[KeyEntry]) -> Iterator[tuple[Part, list[KeyEntry]]]:
    for part in PARTS:
        found = [e for e in entries if e.part == part]
        if found:
            yield part, found


def _essay_key(entry: KeyEntry) -> str:
    item = entry.item
    if item is None:
        return ""
    lines = [f"{c.text} ({points_text(c.points)} điểm)" for c in item.rubric]
    if item.general_feedback:
        lines.append(item.general_feedback)
    return "\n".join(lines) or "Giáo viên chấm theo hướng dẫn."


# ---- DOCX ---------------------------------------------------------------------------------------------------------

def _docx_document(landscape: bool = False) -> Any:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    width, height = PAGE_CM
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = Cm(width), Cm(height)
    section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(12)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(2)
    style.paragraph_format.space_before = Pt(0)
    return document


def _field(run: Any, code: str) -> None:
    """Put a Word field (PAGE, NUMPAGES) in a run."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    begin, text, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {code} "
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(text)
    run._r.append(end)


def _docx_footer(document: Any, label: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in ("Trang ", "PAGE", "/", "NUMPAGES", f" – {label}"):
        run = paragraph.add_run()
        run.font.size = Pt(10)
        if piece in ("PAGE", "NUMPAGES"):
            _field(run, piece)
        else:
            run.text = piece


def _no_borders(table: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _docx_runs(paragraph: Any, runs: list[Run], *, bold: bool = False) -> list[Path]:
    """Add runs to a paragraph (maths as inline pictures); return the question pictures to print after it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    pictures: list[Path] = []
    for run in runs:
        if run.kind == "text":
            paragraph.add_run(run.value).bold = bold or None
        elif run.kind == "math":
            image = math_image(run.value, run.display)
            if image is None:
                paragraph.add_run(_math_source(run))
                continue
            added = paragraph.add_run()
            added.add_picture(str(image.path), width=Pt(image.width), height=Pt(image.height))
            if image.depth:
                position = OxmlElement("w:position")
                position.set(qn("w:val"), str(-round(image.depth * 2)))
                added._r.get_or_add_rPr().append(position)
        elif run.kind == "image":
            if run.path is not None:
                pictures.append(run.path)
            elif run.value:
                paragraph.add_run(f"[{run.value}]")
    return pictures


def _docx_text(container: Any, text: str, *, lead: str = "", indent_cm: float = 0.0) -> None:
    """Add question text as paragraphs (the first one starting with a bold lead such as "Câu 1.")."""
    from docx.shared import Cm

    for index, runs in enumerate(paragraphs(text)):
        paragraph = container.add_paragraph()
        if indent_cm:
            paragraph.paragraph_format.left_indent = Cm(indent_cm)
        if index == 0 and lead:
            paragraph.add_run(lead + " ").bold = True
        for path in _docx_runs(paragraph, runs):
            try:
                container.add_paragraph().add_run().add_picture(str(path), width=Cm(IMAGE_WIDTH_CM))
            except Exception:  # noqa: BLE001 - a picture python-docx cannot read is left out, not fatal
                continue


def _docx_options(document: Any, texts: list[str]) -> None:
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Cm

    columns = option_columns(texts)
    usable = PAGE_CM[0] - MARGINS_CM["left"] - MARGINS_CM["right"] - 0.5
    if columns == 1:
        for k, text in enumerate(texts):
            _docx_text(document, text, lead=f"{LETTERS[k]}.", indent_cm=0.5)
        return
    for start in range(0, len(texts), columns):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(0.5)
        for step in range(1, columns):
            paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(0.5 + usable * step / columns), WD_TAB_ALIGNMENT.LEFT)
        for k in range(start, min(start + columns, len(texts))):
            if k > start:
                paragraph.add_run("\t")
            paragraph.add_run(f"{LETTERS[k]}. ").bold = True
            _docx_runs(paragraph, paragraphs(texts[k])[0])


def _docx_header(document: Any, info: PaperInfo, code_label: str, *, student: bool = True) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    lines_left = [(info.authority.upper(), False), (info.school.upper(), True)]
    lines_right = [(info.title.upper(), True), (_subject_line(info), True), (info.year, False), (_time_line(info), False)]
    for cell, lines in ((left, lines_left), (right, lines_right)):
        cell.paragraphs[0].text = ""
        first = True
        for text, bold in lines:
            if not text:
                continue
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(text)
            run.bold = bold
            run.font.size = Pt(12)
    document.add_paragraph()
    line = document.add_table(rows=1, cols=2)
    line.style = None
    name, code = line.rows[0].cells
    if student:
        name.paragraphs[0].add_run("Họ và tên thí sinh: ..........................................................")
        name.add_paragraph().add_run("Số báo danh: ...................................................................")
    code.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    code_run = code.paragraphs[0].add_run(code_label)
    code_run.bold = True
    code_run.font.size = Pt(13)
    _no_borders(line)
    document.add_paragraph()


def _answer_grid(document: Any, numbers: int, rows: list[str], per_row: int = 10) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for start in range(1, numbers + 1, per_row):
        count = min(per_row, numbers - start + 1)
        table = document.add_table(rows=1 + len(rows), cols=count + 1)
        table.style = "Table Grid"
        table.cell(0, 0).text = "Câu"
        for k in range(count):
            table.cell(0, k + 1).text = str(start + k)
            table.cell(0, k + 1).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for r, label in enumerate(rows, start=1):
            table.cell(r, 0).text = label
        document.add_paragraph()


def exam_docx(exam: Exam, version: Version, info: PaperInfo) -> bytes:
    """Return a version of the exam as a DOCX paper: header, "Mã đề", parts, questions, options, answer sheet."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

    document = _docx_document()
    label = f"Mã đề {version.code}"
    _docx_footer(document, label)
    _docx_header(document, info, label)
    parts = exam.parts_of(version)
    for part, placed in parts:
        title, rest = part_heading(part, len(placed))
        heading = document.add_paragraph()
        heading.add_run(title + " ").bold = True
        heading.add_run(rest)
        for number, p in enumerate(placed, start=1):
            slot = exam.slots[p.slot]
            item = slot.item
            lead = f"Câu {number}." if part != Part.essay else f"Câu {number} ({points_text(slot.points)} điểm)."
            _docx_text(document, item.stem, lead=lead)
            if item.type in (QType.single, QType.multiple):
                _docx_options(document, _texts_of(item, p))
            elif item.type == QType.tf_group:
                for k, statement in enumerate(item.statements):
                    _docx_text(document, statement.text, lead=f"{STATEMENT_LETTERS[k]})", indent_cm=0.5)
    end = document.add_paragraph("------ HẾT ------")
    end.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sheet = [(part, len(placed)) for part, placed in parts if part != Part.essay]
    if sheet:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        heading = document.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        heading.add_run(f"PHIẾU TRẢ LỜI – {label}").bold = True
        document.add_paragraph("Họ và tên thí sinh: ................................ Số báo danh: ..................")
        for part, count in sheet:
            document.add_paragraph().add_run(PART_TITLES[part][0]).bold = True
            rows = {Part.single: ["Đáp án"], Part.tf_group: [f"{x})" for x in STATEMENT_LETTERS],
                    Part.short: ["Đáp án"]}[part]
            _answer_grid(document, count, rows, per_row=10 if part != Part.short else 6)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _key_rows(entries: list[KeyEntry], part: Part) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of a part's key table."""
    if part == Part.single:
        return ["Câu", "Đáp án", "Điểm"], [[str(e.number), e.letters, points_text(e.points)] for e in entries]
    if part == Part.tf_group:
        return (["Câu", *[f"{x})" for x in STATEMENT_LETTERS], "Điểm"],
                [[str(e.number), *["Đ" if t else "S" for t in e.truths], points_text(e.points)] for e in entries])
    if part == Part.short:
        return ["Câu", "Đáp án", "Điểm"], [[str(e.number), e.text, points_text(e.points)] for e in entries]
    return ["Câu", "Hướng dẫn chấm", "Điểm"], [[str(e.number), _essay_key(e), points_text(e.points)] for e in entries]


def _tf_rule(points: Decimal) -> str:
    shares = (Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal(1))
    values = ", ".join(f"{k} ý: {points_text((points * s).quantize(Decimal('0.01')))}" for k, s in enumerate(shares, 1))
    return f"Mỗi câu đúng/sai: đúng {values} điểm."


def key_docx(exam: Exam, version: Version, info: PaperInfo) -> bytes:
    """Return the answer key of a version as DOCX: a table per part (and how a true/false group is scored)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = _docx_document()
    label = f"Đáp án mã đề {version.code}"
    _docx_footer(document, label)
    _docx_header(document, info, label, student=False)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(f"ĐÁP ÁN VÀ HƯỚNG DẪN CHẤM – MÃ ĐỀ {version.code}").bold = True
    for part, entries in _grouped(answer_key(exam, version)):
        document.add_paragraph().add_run(PART_TITLES[part][0]).bold = True
        if part == Part.tf_group:
            document.add_paragraph(_tf_rule(entries[0].points))
        header, rows = _key_rows(entries, part)
        table = document.add_table(rows=1 + len(rows), cols=len(header))
        table.style = "Table Grid"
        for c, text in enumerate(header):
            table.cell(0, c).paragraphs[0].add_run(text).bold = True
        for r, values in enumerate(rows, start=1):
            for c, text in enumerate(values):
                table.cell(r, c).text = text
        document.add_paragraph()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def matrix_docx(bp: Blueprint, info: PaperInfo) -> bytes:
    """Return the blueprint's ma trận (counts per topic, part and level, with totals) and bảng đặc tả as DOCX."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = _docx_document(landscape=True)
    document.styles["Normal"].font.size = Pt(10)
    _docx_footer(document, f"Ma trận – {bp.title}")

    def title(text: str) -> None:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.font.size = True, Pt(13)

    levels = list(LEVEL_HEADERS)
    sums = totals(bp)
    title(f"MA TRẬN ĐỀ KIỂM TRA – {bp.title.upper()}")
    if _subject_line(info):
        title(_subject_line(info))
    width = 2 + len(PARTS) * len(levels) + 2
    table = document.add_table(rows=2, cols=width)
    table.style = "Table Grid"
    table.cell(0, 0).merge(table.cell(1, 0)).text = "TT"
    table.cell(0, 1).merge(table.cell(1, 1)).text = "Chủ đề / nội dung"
    for p, part in enumerate(PARTS):
        first = 2 + p * len(levels)
        table.cell(0, first).merge(table.cell(0, first + len(levels) - 1)).text = f"Phần {part.value}"
        for k, level in enumerate(levels):
            table.cell(1, first + k).text = LEVEL_HEADERS[level]
    table.cell(0, width - 2).merge(table.cell(1, width - 2)).text = "Tổng số câu"
    table.cell(0, width - 1).merge(table.cell(1, width - 1)).text = "Tổng điểm"
    for r, row in enumerate(bp.rows):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(r + 1), row.label
        for p, part in enumerate(PARTS):
            for k, level in enumerate(levels):
                cells[2 + p * len(levels) + k].text = str(row.count(part, level) or "")
        cells[width - 2].text = str(sums.by_row[r])
        cells[width - 1].text = points_text(sums.points_by_row[r])
    count_row = table.add_row().cells
    count_row[1].text = "Tổng số câu"
    points_row = table.add_row().cells
    points_row[1].text = "Điểm mỗi câu"
    for p, part in enumerate(PARTS):
        for k, level in enumerate(levels):
            count_row[2 + p * len(levels) + k].text = str(sums.questions[part, level])
            points_row[2 + p * len(levels) + k].text = points_text(bp.points[part])
    count_row[width - 2].text = str(sums.count)
    count_row[width - 1].text = points_text(sums.points)
    document.add_paragraph()
    share = document.add_table(rows=4, cols=1 + len(levels))
    share.style = "Table Grid"
    for c, text in enumerate(["Mức độ", *[LEVEL_HEADERS[lv] for lv in levels]]):
        share.cell(0, c).text = text
    for r, (name, values) in enumerate((
            ("Số câu", [str(sums.by_level[lv]) for lv in levels]),
            ("Số điểm", [points_text(sums.points_by_level[lv]) for lv in levels]),
            ("Tỉ lệ %", [f"{str(sums.percent_by_level[lv]).replace('.', ',')} %" for lv in levels])), start=1):
        share.cell(r, 0).text = name
        for c, text in enumerate(values, start=1):
            share.cell(r, c).text = text

    from docx.enum.text import WD_BREAK

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    title(f"BẢNG ĐẶC TẢ ĐỀ KIỂM TRA – {bp.title.upper()}")
    spec = document.add_table(rows=1, cols=4 + len(PARTS))
    spec.style = "Table Grid"
    for c, text in enumerate(["TT", "Chủ đề / nội dung", "Mức độ", "Yêu cầu cần đạt",
                              *[f"Số câu phần {p.value}" for p in PARTS]]):
        spec.cell(0, c).paragraphs[0].add_run(text).bold = True
    for r, row in enumerate(specification(bp), start=1):
        shown = [cell for cell in row.cells if cell.count or cell.requirement]
        for cell in shown:
            cells = spec.add_row().cells
            cells[0].text, cells[1].text = str(r), row.label
            cells[2].text, cells[3].text = LEVEL_HEADERS[cell.level], cell.requirement
            for p, part in enumerate(PARTS):
                cells[4 + p].text = str(cell.by_part[part] or "")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---- PDF ----------------------------------------------------------------------------------------------------------

PDF_FONT, PDF_BOLD = "TruongSoSans", "TruongSoSans-Bold"  # our own names: others may register DejaVu otherwise
_fonts_lock = threading.Lock()


def _register_fonts() -> None:
    """Register the DejaVu Sans fonts matplotlib ships (regular and bold) with reportlab, once."""
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _fonts_lock:
        folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        registered = pdfmetrics.getRegisteredFontNames()
        if PDF_FONT not in registered:
            pdfmetrics.registerFont(TTFont(PDF_FONT, str(folder / "DejaVuSans.ttf")))
        if PDF_BOLD not in registered:
            pdfmetrics.registerFont(TTFont(PDF_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
        for italic in (0, 1):
            addMapping(PDF_FONT, 0, italic, PDF_FONT)
            addMapping(PDF_FONT, 1, italic, PDF_BOLD)


def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    _register_fonts()
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=11, leading=15, spaceAfter=2)
    return {
        "body": body,
        "indent": ParagraphStyle("indent", parent=body, leftIndent=14),
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=body, fontName=PDF_BOLD, alignment=TA_CENTER, fontSize=12),
        "cell": ParagraphStyle("cell", parent=body, fontSize=10, leading=13, spaceAfter=0),
    }


def _pdf_markup(runs: list[Run]) -> tuple[str, list[Path]]:
    """Return runs as reportlab paragraph markup (text escaped, maths as inline pictures) and the pictures to add."""
    out: list[str] = []
    pictures: list[Path] = []
    for run in runs:
        if run.kind == "text":
            out.append(escape(run.value).replace("\n", "<br/>"))
        elif run.kind == "math":
            image = math_image(run.value, run.display)
            if image is None:
                out.append(escape(_math_source(run)))
            else:
                out.append(f'<img src="{escape(str(image.path))}" width="{image.width:.2f}" '
                           f'height="{image.height:.2f}" valign="{-image.depth:.2f}"/>')
        elif run.kind == "image":
            if run.path is not None:
                pictures.append(run.path)
            elif run.value:
                out.append(escape(f"[{run.value}]"))
    return "".join(out), pictures


def _pdf_picture(path: Path) -> Any | None:
    from reportlab.lib.units import cm
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    try:
        width, height = ImageReader(str(path)).getSize()
    except Exception:  # noqa: BLE001 - a picture reportlab cannot read is left out, not fatal
        return None
    scale = min(1.0, IMAGE_WIDTH_CM * cm / max(width, 1))
    return Image(str(path), width=width * scale, height=height * scale, hAlign="LEFT")


def _pdf_text(text: str, style: Any, *, lead: str = "") -> list[Any]:
    from reportlab.platypus import Paragraph

    flow: list[Any] = []
    for index, runs in enumerate(paragraphs(text)):
        markup, pictures = _pdf_markup(runs)
        if index == 0 and lead:
            markup = f"<b>{escape(lead)}</b> {markup}"
        flow.append(Paragraph(markup or "&nbsp;", style))
        flow.extend(p for p in (_pdf_picture(path) for path in pictures) if p is not None)
    return flow


def _plain_table(rows: list[list[Any]], widths: list[float], *, grid: bool, bold_first: bool = False) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=widths, hAlign="LEFT")
    commands: list[Any] = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 2),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 2), ("FONTNAME", (0, 0), (-1, -1), PDF_FONT)]
    if grid:
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    if bold_first:
        commands.append(("FONTNAME", (0, 0), (-1, 0), PDF_BOLD))
    table.setStyle(TableStyle(commands))
    return table


def _pdf_options(texts: list[str], styles: dict[str, Any], usable: float) -> list[Any]:
    from reportlab.platypus import Paragraph

    columns = option_columns(texts)
    if columns == 1:
        flow: list[Any] = []
        for k, text in enumerate(texts):
            flow.extend(_pdf_text(text, styles["indent"], lead=f"{LETTERS[k]}."))
        return flow
    cells = []
    for k, text in enumerate(texts):
        markup, _pictures = _pdf_markup(paragraphs(text)[0])
        cells.append(Paragraph(f"<b>{LETTERS[k]}.</b> {markup}", styles["body"]))
    rows = [cells[i:i + columns] + [""] * (columns - len(cells[i:i + columns])) for i in range(0, len(cells), columns)]
    return [_plain_table(rows, [(usable - 14) / columns] * columns, grid=False)]


def build_pdf(flow: list[Any], *, title: str, page_label: Callable[[int, int], str], landscape: bool = False,
              font_size: float = 9, label_y_cm: float = 0.8) -> bytes:
    """Return the PDF of flowables on A4 with the papers' margins and `page_label(n, total)` centred at the foot of
    every page (a canvas that keeps each page until it knows how many there are)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pagesizes import landscape as turn
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import SimpleDocTemplate

    page = turn(A4) if landscape else A4

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(PDF_FONT, font_size)
                self.drawCentredString(page[0] / 2, label_y_cm * cm, page_label(self._pageNumber, total))
                super().showPage()
            super().save()

    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=page, topMargin=MARGINS_CM["top"] * cm,
                                 bottomMargin=MARGINS_CM["bottom"] * cm, leftMargin=MARGINS_CM["left"] * cm,
                                 rightMargin=MARGINS_CM["right"] * cm, title=title, author="Trường Số")
    document.build(flow, canvasmaker=NumberedCanvas)
    return out.getvalue()


def _pdf_build(flow: list[Any], footer: str, *, landscape: bool = False) -> bytes:
    """Return the PDF of flowables on A4 with the margins of the papers and "Trang i/n – footer" on every page."""
    return build_pdf(flow, title=footer, landscape=landscape,
                     page_label=lambda n, total: f"Trang {n}/{total} – {footer}")


def _usable_width() -> float:
    from reportlab.lib.units import cm

    return (PAGE_CM[0] - MARGINS_CM["left"] - MARGINS_CM["right"]) * cm


def _pdf_header(info: PaperInfo, code_label: str, styles: dict[str, Any], *, student: bool = True) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer

    usable = _usable_width()
    left = [Paragraph(escape(info.authority.upper()), styles["center"]),
            Paragraph(f"<b>{escape(info.school.upper())}</b>", styles["center"])]
    right = [Paragraph(f"<b>{escape(info.title.upper())}</b>", styles["center"])]
    if _subject_line(info):
        right.append(Paragraph(f"<b>{escape(_subject_line(info))}</b>", styles["center"]))
    if info.year:
        right.append(Paragraph(escape(info.year), styles["center"]))
    right.append(Paragraph(escape(_time_line(info)), styles["center"]))
    name: Any = [Paragraph("Họ và tên thí sinh: ...............................................", styles["body"]),
            Paragraph("Số báo danh: .........................................................", styles["body"])
            ] if student else ""
    code = Paragraph(f"<b>{escape(code_label)}</b>", styles["title"])
    return [_plain_table([[left, right]], [usable * 0.42, usable * 0.58], grid=False), Spacer(1, 8),
            _plain_table([[name, code]], [usable * 0.68, usable * 0.32], grid=False), Spacer(1, 8)]


def exam_pdf(exam: Exam, version: Version, info: PaperInfo) -> bytes:
    """Return a version of the exam as a PDF paper on A4, Vietnamese letters and maths intact."""
    from reportlab.platypus import PageBreak, Paragraph

    styles = _styles()
    label = f"Mã đề {version.code}"
    flow = _pdf_header(info, label, styles)
    usable = _usable_width()
    parts = exam.parts_of(version)
    for part, placed in parts:
        title, rest = part_heading(part, len(placed))
        flow.append(Paragraph(f"<b>{escape(title)}</b> {escape(rest)}", styles["body"]))
        for number, p in enumerate(placed, start=1):
            slot = exam.slots[p.slot]
            item = slot.item
            lead = f"Câu {number}." if part != Part.essay else f"Câu {number} ({points_text(slot.points)} điểm)."
            flow.extend(_pdf_text(item.stem, styles["body"], lead=lead))
            if item.type in (QType.single, QType.multiple):
                flow.extend(_pdf_options(_texts_of(item, p), styles, usable))
            elif item.type == QType.tf_group:
                for k, statement in enumerate(item.statements):
                    flow.extend(_pdf_text(statement.text, styles["indent"], lead=f"{STATEMENT_LETTERS[k]})"))
    flow.append(Paragraph("------ HẾT ------", styles["center"]))
    sheet = [(part, len(placed)) for part, placed in parts if part != Part.essay]
    if sheet:
        flow += [PageBreak(), Paragraph(f"PHIẾU TRẢ LỜI – {escape(label)}", styles["title"]),
                 Paragraph("Họ và tên thí sinh: ................................ Số báo danh: ..................",
                           styles["body"])]
        for part, count in sheet:
            flow.append(Paragraph(f"<b>{escape(PART_TITLES[part][0])}</b>", styles["body"]))
            labels = {Part.single: ["Đáp án"], Part.tf_group: [f"{x})" for x in STATEMENT_LETTERS],
                      Part.short: ["Đáp án"]}[part]
            per_row = 10 if part != Part.short else 6
            for start in range(1, count + 1, per_row):
                numbers = list(range(start, min(start + per_row, count + 1)))
                rows = [["Câu", *map(str, numbers)], *[[name] + [""] * len(numbers) for name in labels]]
                width = (usable - 50) / per_row
                flow += [_plain_table(rows, [50] + [width] * len(numbers), grid=True), Paragraph("", styles["body"])]
    return _pdf_build(flow, label)


def key_pdf(exam: Exam, version: Version, info: PaperInfo) -> bytes:
    """Return the answer key of a version as a PDF: a table per part."""
    from reportlab.platypus import Paragraph

    styles = _styles()
    label = f"Đáp án mã đề {version.code}"
    flow = _pdf_header(info, label, styles, student=False)
    flow.append(Paragraph(f"ĐÁP ÁN VÀ HƯỚNG DẪN CHẤM – MÃ ĐỀ {escape(version.code)}", styles["title"]))
    usable = _usable_width()
    for part, entries in _grouped(answer_key(exam, version)):
        flow.append(Paragraph(f"<b>{escape(PART_TITLES[part][0])}</b>", styles["body"]))
        if part == Part.tf_group:
            flow.append(Paragraph(escape(_tf_rule(entries[0].points)), styles["body"]))
        header, rows = _key_rows(entries, part)
        cells = [[Paragraph(f"<b>{escape(h)}</b>", styles["cell"]) for h in header]]
        cells += [[Paragraph(escape(v).replace("\n", "<br/>"), styles["cell"]) for v in row] for row in rows]
        if len(header) == 3:
            widths = [40, usable - 100, 60] if part == Part.essay else [40, usable - 100, 60]
        else:
            widths = [40] + [(usable - 100) / (len(header) - 2)] * (len(header) - 2) + [60]
        flow += [_plain_table(cells, widths, grid=True), Paragraph("", styles["body"])]
    return _pdf_build(flow, label)
