"""Importing a tree through the pages: upload, preview with per-row errors (nothing stored), confirm; the
template holds a tree that can be imported back unchanged; refusals store nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from content.curriculum import service
from content.curriculum.seed import ensure_curriculum
from tests.content.test_curriculum_import_and_coverage import (  # noqa: F401
    BAD,
    CLEAN,
    curriculum,
    lessons,
    material,
    province_items,
)
from tests.content.test_curriculum_pages import snapshot
from tests.web.test_accessibility import _check

KEPT = "curriculum-imports"


def upload(client, data: bytes, name: str = "cay.csv", province_id: object = ""):  # noqa: ANN001, ANN201
    return client.post("/curriculum/import", data={"province_id": str(province_id)}, files={"file": (name, data)})


def kept_files(client, token: str = "") -> list[Path]:  # noqa: ANN001
    """Return the files kept for confirmation (of one token, when given)."""
    folder = Path(client.app.state.settings.resolved_var_dir) / KEPT
    return sorted(folder.glob(f"{token}*")) if folder.exists() else []


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]{64})"', html).group(1)


def test_the_form_offers_the_template_and_only_the_staffs_province(db: Session, world, client_for) -> None:
    ensure_curriculum(db)
    page = client_for(world.province_staff).get("/curriculum/import")
    assert page.status_code == 200
    assert 'href="/curriculum/import/template.xlsx"' in page.text and 'enctype="multipart/form-data"' in page.text
    assert f'name="province_id" value="{world.province.id}"' in page.text and world.other_province.name not in page.text
    _check(page.text)
    admin = client_for(world.system_admin).get("/curriculum/import")
    assert '<option value="" selected>' in admin.text and world.other_province.name in admin.text
    _check(admin.text)


@pytest.mark.parametrize("who", ["teacher", "school_admin", "district_staff", "student"])
def test_people_outside_a_department_cannot_import(db: Session, world, client_for, who: str) -> None:
    ensure_curriculum(db)
    c = client_for(getattr(world, who))
    assert c.get("/curriculum/import").status_code == 403
    assert upload(c, CLEAN, province_id=world.province.id).status_code == 403
    assert province_items(db, world) == 0


def test_a_clean_file_is_previewed_then_imported_on_confirmation(db: Session, world, client_for) -> None:
    ensure_curriculum(db)
    staff = client_for(world.province_staff)
    preview = upload(staff, CLEAN, province_id=world.province.id)
    assert preview.status_code == 200, preview.text[:500]
    trees = re.search(r'<table id="preview-trees">(.*?)</table>', preview.text, re.DOTALL).group(1)
    assert re.search(r"CN</th><td class=\"num\">6</td><td class=\"num\">35</td><td class=\"num\">35</td>", trees)
    token = token_of(preview.text)
    assert province_items(db, world) == 0 and len(kept_files(staff, token)) == 2  # nothing imported yet; file kept
    _check(preview.text)
    done = staff.post("/curriculum/import/confirm", data={"token": token})
    assert done.status_code == 303
    assert done.headers["location"] == f"/curriculum?grade=6&subject=CN&province_id={world.province.id}&notice=imported#tree"
    assert province_items(db, world) == 6 and kept_files(staff, token) == []
    page = staff.get(done.headers["location"])
    assert 'id="notice"' in page.text and f'data-province="{world.province.id}"' in page.text
    again = staff.post("/curriculum/import/confirm", data={"token": token_of(preview.text)})
    assert again.status_code == 404  # the kept file is gone after one use


def test_rows_with_errors_are_shown_and_nothing_is_kept_or_stored(db: Session, world, client_for) -> None:
    ensure_curriculum(db)
    staff = client_for(world.province_staff)
    before, files = snapshot(db), kept_files(staff)
    preview = upload(staff, BAD, province_id=world.province.id)
    assert preview.status_code == 422
    assert 'id="preview-errors"' in preview.text and 'id="row-3"' in preview.text and 'id="row-4"' in preview.text
    assert 'id="row-2"' not in preview.text and 'name="token"' not in preview.text
    row4 = re.search(r'id="row-4">(.*?)</tr>', preview.text, re.DOTALL).group(1)
    assert row4.count("<span>") == 2  # a bad grade and bad periods, both reported
    _check(preview.text)
    assert snapshot(db) == before and kept_files(staff) == files


def _zip_garbage() -> bytes:
    return b"PK\x03\x04" + b"\x00" * 200


@pytest.mark.parametrize("data", [
    "subject_code,grade,topic,lesson,periods\nCN,6,Nhà ở,Bài 1,5\n".encode("utf-16"),  # not UTF-8
    b"ten,lop\nA,6\n",  # missing columns
    b"subject_code,grade,topic,lesson,periods\n",  # a header and no lessons
    _zip_garbage(),  # a damaged workbook
    b"",
])
def test_a_malformed_file_is_refused_with_a_message(db: Session, world, client_for, data: bytes) -> None:
    ensure_curriculum(db)
    staff = client_for(world.province_staff)
    before, files = snapshot(db), kept_files(staff)
    refused = upload(staff, data, name="cay.xlsx" if data.startswith(b"PK") else "cay.csv",
                     province_id=world.province.id)
    assert refused.status_code in (413, 422)
    assert re.search(r'<p class="error" role="alert" id="import-error">\S', refused.text)
    _check(refused.text)
    assert snapshot(db) == before and kept_files(staff) == files


def test_a_file_over_the_size_limit_is_refused(db: Session, world, client_for) -> None:
    ensure_curriculum(db)
    big = CLEAN + b"#" * 2_000_001
    refused = upload(client_for(world.province_staff), big, province_id=world.province.id)
    assert refused.status_code == 413 and 'id="import-error"' in refused.text
    assert province_items(db, world) == 0


def test_staff_cannot_import_into_another_province_nor_confirm_someone_elses_file(db: Session, world,
                                                                                  client_for) -> None:
    from tests.builders import build_world

    ensure_curriculum(db)
    elsewhere = build_world(db, tag="x")
    db.commit()
    assert upload(client_for(elsewhere.province_staff), CLEAN, province_id=world.province.id).status_code == 403
    preview = upload(client_for(world.province_staff), CLEAN, province_id=world.province.id)
    stolen = client_for(elsewhere.province_staff).post("/curriculum/import/confirm",
                                                       data={"token": token_of(preview.text)})
    assert stolen.status_code == 404 and province_items(db, world) == 0
    assert client_for(world.province_staff).post("/curriculum/import/confirm",
                                                 data={"token": "0" * 64}).status_code == 404


def test_the_preview_warns_of_materials_that_lose_their_mapping(db: Session, curriculum, client_for) -> None:  # noqa: F811
    world = curriculum
    m = material(db, world)
    service.set_material_items(db=db, actor=world.teacher, material_id=m.id, item_ids=[lessons(db, world)["Bài 4"].id])
    without_bai4 = b"\n".join(CLEAN.splitlines()[:-1]) + b"\n"
    preview = upload(client_for(world.province_staff), without_bai4, province_id=world.province.id)
    trees = re.search(r'<table id="preview-trees">(.*?)</table>', preview.text, re.DOTALL).group(1)
    assert re.search(r'<strong class="error">1 ', trees) and "(6 " in trees  # replaces 6 items, 1 material loses


def test_the_downloaded_tree_imports_back_unchanged(db: Session, curriculum, client_for) -> None:  # noqa: F811
    world = curriculum
    staff = client_for(world.province_staff)
    blank = staff.get("/curriculum/import/template.xlsx")
    assert blank.status_code == 200 and blank.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(blank.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["Mã môn", "Lớp", "Chủ đề", "Bài", "Số tiết"] and sheet.max_row == 1
    got = staff.get(f"/curriculum/import/template.xlsx?grade=6&subject=CN&province_id={world.province.id}")
    rows = list(load_workbook(io.BytesIO(got.content)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert rows == [("CN", 6, "Nhà ở", "Bài 1", 5), ("CN", 6, "Nhà ở", "Bài 2", 5),
                    ("CN", 6, "Thực phẩm", "Bài 3", 10), ("CN", 6, "Thực phẩm", "Bài 4", 15)]
    ids = {t: i.id for t, i in lessons(db, world).items()}
    preview = upload(staff, got.content, name="cay.xlsx", province_id=world.province.id)
    assert preview.status_code == 200
    assert staff.post("/curriculum/import/confirm", data={"token": token_of(preview.text)}).status_code == 303
    db.expire_all()
    assert {t: i.id for t, i in lessons(db, world).items()} == ids  # same items: mappings to them survive
    csv_file = staff.get("/curriculum/import/template.csv?grade=6&subject=CN")
    assert csv_file.content.startswith(b"\xef\xbb\xbf") and "Thực phẩm,Bài 4,15" in csv_file.content.decode("utf-8-sig")
    assert client_for(world.student).get("/curriculum/import/template.xlsx").status_code == 403


def test_the_template_sheet_lists_subject_codes(db: Session, world, client_for) -> None:
    ensure_curriculum(db)
    got = client_for(world.province_staff).get("/curriculum/import/template.xlsx")
    codes = {r[0] for r in load_workbook(io.BytesIO(got.content)).worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert {"CN", "TOAN", "NV"} <= codes
