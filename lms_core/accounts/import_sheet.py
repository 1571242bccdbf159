"""Reading a class list from an .xlsx file: type and zip-bomb checks, header detection, raw rows."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from lms_core.archives import BROKEN_ARCHIVE, check_zip, refuse_dtd
from lms_core.text import fold
from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import N_

NOT_XLSX = N_("The file is not an Excel workbook (.xlsx).")
OLD_XLS = N_("The file is in the old Excel format (.xls). Open it in Excel, save it as .xlsx and upload it again.")
BROKEN_FILE = N_("The Excel file is damaged and cannot be read. Open it in Excel, save it again and upload it again.")
FILE_TOO_LARGE = N_("The file is larger than {max_mb} MB.")
TOO_MANY_ROWS = N_("The file has more than {max} people. Split it into smaller files.")
NO_HEADER = N_("No header row was found in the first {rows} rows of any sheet. The header row must have a column named “Họ và tên” and at least one other known column, such as “Lớp”.")
NO_ROWS = N_("The file has a header row but nobody listed below it.")

HEADER_SCAN_ROWS = 15
MAX_COLUMNS = 40
MAX_CELL_CHARS = 500
# Zip-bomb limits, checked on the archive's directory before anything is decompressed. zipfile
# stops at the declared size when reading a member, so the declared sizes bound the real work.
MAX_UNPACKED_BYTES = 100_000_000
MAX_RATIO = 200
MAX_MEMBERS = 2_000

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Canonical Vietnamese header of each field (used in the template and for missing columns).
HEADERS: dict[str, str] = {
    "number": "STT",
    "external_code": "Mã định danh",
    "full_name": "Họ và tên",
    "birth_date": "Ngày sinh",
    "gender": "Giới tính",
    "class_name": "Lớp",
    "role": "Vai trò",
    "subjects": "Môn dạy",
    "teaching_classes": "Lớp dạy",
    "homeroom": "Chủ nhiệm",
    "username": "Tên đăng nhập",
    "password": "Mật khẩu",
}

# Header spellings, compared after folding (no accents, lower case, single spaces).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "number": ("stt", "tt", "so thu tu", "no"),
    "external_code": ("ma hoc sinh", "ma dinh danh", "ma hs", "ma dinh danh hoc sinh", "ma dinh danh ca nhan",
                      "ma giao vien", "ma gv", "ma can bo", "ma so", "ma", "code", "student id"),
    "full_name": ("ho va ten", "ho ten", "ho va ten hoc sinh", "ho ten hoc sinh", "ho va ten giao vien",
                  "ho ten giao vien", "full name", "name"),
    "birth_date": ("ngay sinh", "ngay thang nam sinh", "ngay sinh dd mm yyyy", "date of birth", "birth date"),
    "gender": ("gioi tinh", "gioi", "gender", "sex"),
    "class_name": ("lop", "ten lop", "lop hoc", "class"),
    "role": ("vai tro", "doi tuong", "role"),
    "subjects": ("mon day", "mon giang day", "mon", "subjects", "subject"),
    "teaching_classes": ("lop day", "lop giang day", "cac lop day", "classes taught"),
    "homeroom": ("chu nhiem", "lop chu nhiem", "gvcn", "homeroom"),
    "username": ("ten dang nhap", "tai khoan", "username", "login"),
    "password": ("mat khau", "password"),
}
FIELD_OF: dict[str, str] = {syn: name for name, syns in SYNONYMS.items() for syn in syns}


def clean(value: Any) -> Any:
    """Return a cell value with text NFC-normalised and trimmed, whole numbers as text, blanks as None."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value)).strip()[:MAX_CELL_CHARS]
    return " ".join(text.split()) if text else None


@dataclass
class Column:
    """A recognised column: its field, its header as the file writes it, its position."""

    field: str
    header: str
    index: int


@dataclass
class RawRow:
    """One data row as read: its Excel row number and the cleaned value of each recognised field."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sheet:
    """The recognised part of a workbook: sheet name, header row, columns and data rows."""

    name: str
    header_row: int
    columns: dict[str, Column]
    rows: list[RawRow]

    def header(self, field_name: str) -> str:
        """Return a field's header as written in the file, or its canonical header."""
        column = self.columns.get(field_name)
        return column.header if column else HEADERS[field_name]


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file over the size limit."""
    if size > max_bytes:
        raise TooLarge(FILE_TOO_LARGE, max_mb=f"{max_bytes / 1_000_000:.3g}")


def check_xlsx(data: bytes) -> None:
    """Refuse anything that is not an .xlsx archive of sane unpacked size (by content, not name), or whose XML
    declares a DTD or entities."""
    if data.startswith(OLE_MAGIC):
        raise Invalid(OLD_XLS)
    if not data.startswith(ZIP_MAGIC):
        raise Invalid(NOT_XLSX)
    try:
        infos = check_zip(data, max_total=MAX_UNPACKED_BYTES, max_ratio=MAX_RATIO, max_members=MAX_MEMBERS)
    except Invalid as exc:
        if exc.message == BROKEN_ARCHIVE:
            raise Invalid(BROKEN_FILE) from None
        raise
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise Invalid(NOT_XLSX)
    refuse_dtd(data, broken=BROKEN_FILE)  # openpyxl parses with the standard library, which expands entities


def _match_header(cells: tuple[Any, ...]) -> dict[str, Column]:
    """Return the recognised columns of a candidate header row (first spelling of a field wins)."""
    columns: dict[str, Column] = {}
    for index, value in enumerate(cells):
        text = clean(value)
        if not isinstance(text, str):
            continue
        key = fold(re.sub(r"\(.*?\)|\*", " ", text))
        name = FIELD_OF.get(key)
        if name is not None and name not in columns:
            columns[name] = Column(field=name, header=text, index=index)
    return columns


def _row_values(cells: tuple[Any, ...], columns: dict[str, Column]) -> dict[str, Any]:
    """Return the cleaned values of the recognised columns of a row."""
    return {name: clean(cells[col.index]) if col.index < len(cells) else None for name, col in columns.items()}


def _is_blank(values: dict[str, Any]) -> bool:
    """Return whether a row holds nothing but (perhaps) a running number, like a footer or spacer."""
    return all(v is None for k, v in values.items() if k != "number")


def _read_sheet(ws: Any, max_rows: int) -> Sheet | None:
    """Return the sheet's header and rows, or None when no header is in its first rows."""
    ws.reset_dimensions()  # files from some tools declare wrong dimensions; read every row
    columns: dict[str, Column] | None = None
    header_row = 0
    rows: list[RawRow] = []
    for number, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if columns is None:
            if number > HEADER_SCAN_ROWS:
                return None
            found = _match_header(cells)
            if "full_name" in found and len(found) >= 2:  # a lone "Họ và tên" cell is not a header
                columns, header_row = found, number
            continue
        values = _row_values(cells, columns)
        if _is_blank(values):
            continue
        if len(rows) >= max_rows:
            raise TooLarge(TOO_MANY_ROWS, max=max_rows)
        rows.append(RawRow(row=number, values=values))
    if columns is None:
        return None
    return Sheet(name=ws.title, header_row=header_row, columns=columns, rows=rows)


def read_sheet(data: bytes, *, max_rows: int) -> Sheet:
    """Return the first sheet with a recognisable header and its rows; refuse unreadable files."""
    from openpyxl import load_workbook

    check_xlsx(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, ParseError, InvalidFileException...)
        raise Invalid(BROKEN_FILE) from None
    try:
        for ws in workbook.worksheets:
            sheet = _read_sheet(ws, max_rows)
            if sheet is not None:
                if not sheet.rows:
                    raise Invalid(NO_ROWS)
                return sheet
    except (Invalid, TooLarge):
        raise
    except Exception:
        raise Invalid(BROKEN_FILE) from None
    finally:
        workbook.close()
    raise Invalid(NO_HEADER, rows=HEADER_SCAN_ROWS)
