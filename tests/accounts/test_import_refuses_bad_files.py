"""Files that are not a readable .xlsx class list, or are too large, are refused with a clear message
and nothing is stored (database, or the preview's kept file)."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy.orm import Session

from lms_core import archives, i18n
from lms_core.accounts import import_sheet, importer
from lms_core.errors import DomainError, Invalid, TooLarge
from lms_core.settings import get_settings
from tests.accounts.conftest import fixture_bytes, stored_counts
from tests.office import damage_member, declare_entities, rename_member, rewrite_member

REFUSED = [
    ("truncated.xlsx", import_sheet.BROKEN_FILE),
    ("corrupt_workbook.xlsx", import_sheet.BROKEN_FILE),
    ("png_renamed.xlsx", import_sheet.NOT_XLSX),
    ("docx_renamed.xlsx", import_sheet.NOT_XLSX),
    ("csv_renamed.xlsx", import_sheet.NOT_XLSX),
    ("xls_renamed.xlsx", import_sheet.OLD_XLS),
    ("no_header.xlsx", import_sheet.NO_HEADER),
    ("header_only.xlsx", import_sheet.NO_ROWS),
]


def zip_bomb(unpacked: int) -> bytes:
    """Return an .xlsx-looking archive with a sheet of `unpacked` zero bytes (compresses ~1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = bytes(1_000_000)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "message"), REFUSED)
def test_unreadable_files_are_refused_with_a_clear_message(db: Session, school, name: str, message: str) -> None:
    before = stored_counts(db)
    with pytest.raises(Invalid) as refused:
        importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id, data=fixture_bytes(name))
    assert refused.value.message == message
    assert refused.value.status_code == 422
    assert stored_counts(db) == before


def test_a_class_list_declaring_xml_entities_is_refused(db: Session, school) -> None:
    clean = fixture_bytes("clean.xlsx")
    assert importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id, data=clean,
                                 dry_run=True).ok  # the clean list reads
    before = stored_counts(db)
    for member in ("xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"):
        with pytest.raises(Invalid) as refused:
            importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                                  data=declare_entities(clean, member))
        assert refused.value.message == import_sheet.BROKEN_FILE, member
    assert stored_counts(db) == before


def test_a_renamed_part_declaring_entities_or_a_damaged_part_is_refused(db: Session, school) -> None:
    """The DTD check reads every XML part, whatever its name (a reader follows the relationships to a sheet called
    sheet1.dat just as well), and a part whose compressed bytes are damaged is a broken file, not a server error."""
    clean = fixture_bytes("clean.xlsx")
    renamed = rename_member(clean, "xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.dat")
    assert importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id, data=renamed,
                                 dry_run=True).ok  # the renamed sheet is still read
    before = stored_counts(db)
    hostile = declare_entities(renamed, "xl/worksheets/sheet1.dat")
    utf16 = rewrite_member(hostile, "xl/worksheets/sheet1.dat", encoding="utf-16-be")  # no byte-order mark
    assert zipfile.ZipFile(io.BytesIO(utf16)).read("xl/worksheets/sheet1.dat").startswith(b"\x00<")
    for data in (hostile, utf16, damage_member(clean, "xl/worksheets/sheet1.xml")):
        with pytest.raises(Invalid) as refused:
            importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id, data=data)
        assert refused.value.message == import_sheet.BROKEN_FILE
    assert stored_counts(db) == before


def test_a_picture_in_svg_with_its_usual_doctype_line_is_no_reason_to_refuse(db: Session, school) -> None:
    svg = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
           b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg"/>')
    with_picture = rewrite_member(fixture_bytes("clean.xlsx"), "xl/media/image1.svg", svg)
    assert importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id, data=with_picture,
                                 dry_run=True).ok
    entity = svg.replace(b'svg11.dtd">', b'svg11.dtd" [<!ENTITY a "aaaa">]>')
    with pytest.raises(Invalid):  # entities stay refused in any part
        import_sheet.check_xlsx(rewrite_member(fixture_bytes("clean.xlsx"), "xl/media/image1.svg", entity))


def test_the_type_is_read_from_the_bytes_not_the_name() -> None:
    with pytest.raises(Invalid) as refused:
        import_sheet.check_xlsx(b"STT,H\xe1\xbb\x8d v\xc3\xa0 t\xc3\xaan\n1,An\n")
    with i18n.use_locale("en"):
        assert refused.value.translated() == "The file is not an Excel workbook (.xlsx)."
    import_sheet.check_xlsx(fixture_bytes("clean.xlsx"))  # the real thing passes, whatever it is called


def test_a_zip_bomb_is_refused_before_it_is_unpacked(db: Session, school) -> None:
    bomb = zip_bomb(20_000_000)
    assert len(bomb) < 100_000
    with pytest.raises(DomainError) as refused:
        importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id, data=bomb)
    assert refused.value.message in (archives.ZIP_BOMB, archives.TOO_MUCH_UNPACKED)


def test_too_much_unpacked_data_in_total_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(import_sheet, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(DomainError) as refused:
        import_sheet.check_xlsx(fixture_bytes("clean.xlsx"))
    assert refused.value.message == archives.TOO_MUCH_UNPACKED


def test_an_oversized_file_is_refused(db: Session, school, monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "max_import_bytes", 2000)
    before = stored_counts(db)
    with pytest.raises(TooLarge) as refused:
        importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                              data=fixture_bytes("clean.xlsx"))
    assert refused.value.status_code == 413
    assert stored_counts(db) == before


def test_too_many_rows_are_refused(db: Session, school, monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "max_import_rows", 4)
    with pytest.raises(TooLarge) as refused:
        importer.import_users(db=db, actor=school.school_admin, school_id=school.school.id,
                              data=fixture_bytes("clean.xlsx"))
    assert refused.value.message == import_sheet.TOO_MANY_ROWS and refused.value.params == {"max": 4}


@pytest.mark.parametrize("name", ["png_renamed.xlsx", "truncated.xlsx", "csv_renamed.xlsx"])
def test_the_api_refuses_bad_files_as_json_and_stores_nothing(db: Session, school, client_for, name: str) -> None:
    client = client_for(school.school_admin)
    before = stored_counts(db)
    response = client.post(f"/api/schools/{school.school.id}/users/import", params={"dry_run": "false"},
                            files={"file": (name, fixture_bytes(name), "application/octet-stream")})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid" and response.json()["message"]
    assert stored_counts(db) == before


def test_the_api_refuses_an_oversized_file_with_413(db: Session, school, client_for, monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "max_import_bytes", 2000)
    client = client_for(school.school_admin)
    response = client.post(f"/api/schools/{school.school.id}/users/import", params={"dry_run": "false"},
                           files={"file": ("clean.xlsx", fixture_bytes("clean.xlsx"))})
    assert response.status_code == 413 and response.json()["error"] == "too_large"


@pytest.mark.parametrize("name", ["png_renamed.xlsx", "truncated.xlsx", "xls_renamed.xlsx"])
def test_the_page_shows_the_refusal_on_the_form_and_keeps_no_file(db: Session, school, client_for, name: str) -> None:
    client = client_for(school.school_admin)
    imports = get_settings().resolved_var_dir / "imports"
    kept = set(imports.iterdir()) if imports.exists() else set()
    response = client.post("/admin/import", data={"school_id": str(school.school.id)},
                           files={"file": (name, fixture_bytes(name), "application/octet-stream")})
    assert response.status_code == 422
    assert 'role="alert"' in response.text and 'name="file"' in response.text
    assert (set(imports.iterdir()) if imports.exists() else set()) == kept
