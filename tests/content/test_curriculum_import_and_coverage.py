"""A department imports its own tree (all or nothing) and coverage counts only published shared materials."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.curriculum import importer, service
from content.curriculum.coverage import coverage
from content.curriculum.models import CurriculumItem, MaterialCurriculumItem
from content.curriculum.seed import ensure_curriculum
from content.materials.models import Material, MaterialVersion
from lms_core.errors import Forbidden, Invalid
from lms_core.org.models import Subject

CLEAN = ("subject_code,grade,topic,lesson,periods\n"
         "CN,6,Nhà ở,Bài 1,5\nCN,6,Nhà ở,Bài 2,5\nCN,6,Thực phẩm,Bài 3,10\nCN,6,Thực phẩm,Bài 4,15\n").encode()
BAD = ("subject_code,grade,topic,lesson,periods\n"
       "CN,6,Nhà ở,Bài 1,5\nXX,6,Nhà ở,Bài 2,5\nCN,13,Thực phẩm,Bài 3,mười\n").encode()


def province_items(db: Session, world) -> int:  # noqa: ANN001
    """Return how many curriculum items the world's province has of its own."""
    return db.scalar(select(func.count()).select_from(CurriculumItem).where(CurriculumItem.province_id == world.province.id))


def lessons(db: Session, world) -> dict[str, CurriculumItem]:  # noqa: ANN001
    """Return the province's own lessons by title."""
    return {i.title: i for i in db.scalars(select(CurriculumItem).where(
        CurriculumItem.province_id == world.province.id, CurriculumItem.kind == "lesson"))}


def material(db: Session, world, visibility: str = "shared", published: bool = True) -> Material:  # noqa: ANN001
    """Add a material of the world's teacher (published or only a draft)."""
    m = Material(owner_id=world.teacher.id, school_id=world.school.id, title="Học liệu", kind="page",
                 visibility=visibility)
    db.add(m)
    db.flush()
    v = MaterialVersion(material_id=m.id, number=1, created_by_id=world.teacher.id, body_markdown="x",
                        status="published" if published else "draft")
    db.add(v)
    db.flush()
    m.current_version_id = v.id
    m.published_version_id = v.id if published else None
    db.commit()
    return m


@pytest.fixture()
def curriculum(db: Session, world):  # noqa: ANN001, ANN201
    """Seed the shipped curriculum and import the province's own 35-period Công nghệ 6 tree."""
    ensure_curriculum(db)
    importer.apply_import(db=db, actor=world.province_staff, province_id=world.province.id, data=CLEAN)
    return world


def test_a_preview_with_errors_imports_nothing(db: Session, world) -> None:
    ensure_curriculum(db)
    preview = importer.preview(db=db, data=BAD)
    assert not preview.ok and [bool(r.errors) for r in preview.rows] == [False, True, True]
    assert len(preview.rows[2].errors) == 2  # a bad grade and bad periods, both reported
    with pytest.raises(Invalid) as refused:
        importer.apply_import(db=db, actor=world.province_staff, province_id=world.province.id, data=BAD)
    assert [d["row"] for d in refused.value.details] == [3, 4]
    assert province_items(db, world) == 0


def test_a_clean_import_creates_the_tree_from_csv_or_xlsx(db: Session, world) -> None:
    from openpyxl import Workbook

    ensure_curriculum(db)
    result = importer.apply_import(db=db, actor=world.province_staff, province_id=world.province.id, data=CLEAN)
    assert [(t.subject_code, t.grade, t.periods, t.expected) for t in result.trees] == [("CN", 6, 35, 35)]
    assert province_items(db, world) == 6
    cn = db.scalar(select(Subject).where(Subject.code == "CN"))
    tree = service.tree(db=db, province_id=world.province.id, subject_id=cn.id, grade=6)
    assert [(t.title, t.periods, [c.title for c in t.children]) for t in tree.topics] == [
        ("Nhà ở", 10, ["Bài 1", "Bài 2"]), ("Thực phẩm", 25, ["Bài 3", "Bài 4"])]
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã môn", "Lớp", "Chủ đề", "Bài", "Số tiết"])
    ws.append(["CN", 6, "Nhà ở", "Bài 1", 35])
    buf = io.BytesIO()
    wb.save(buf)
    importer.apply_import(db=db, actor=world.province_staff, province_id=world.province.id, data=buf.getvalue())
    assert province_items(db, world) == 2  # the file replaces the tree


def test_a_workbook_declaring_xml_entities_is_refused_and_the_tree_kept(db: Session, curriculum) -> None:
    from openpyxl import Workbook

    from lms_core.accounts.import_sheet import BROKEN_FILE
    from tests.office import declare_entities

    world = curriculum
    wb = Workbook()
    wb.active.append(["Mã môn", "Lớp", "Chủ đề", "Bài", "Số tiết"])
    wb.active.append(["CN", 6, "Nhà ở", "Bài 1", 35])
    buf = io.BytesIO()
    wb.save(buf)
    before = province_items(db, world)
    with pytest.raises(Invalid) as refused:
        importer.apply_import(db=db, actor=world.province_staff, province_id=world.province.id,
                              data=declare_entities(buf.getvalue(), "xl/worksheets/sheet1.xml"))
    assert refused.value.message == BROKEN_FILE
    assert province_items(db, world) == before == 6  # the curriculum fixture's tree: 2 topics, 4 lessons


@pytest.mark.parametrize("who", ["teacher", "school_admin", "district_staff"])
def test_only_the_provinces_department_imports_or_edits(db: Session, curriculum, who: str) -> None:
    world = curriculum
    item = lessons(db, world)["Bài 1"]
    with pytest.raises(Forbidden):
        importer.apply_import(db=db, actor=getattr(world, who), province_id=world.province.id, data=CLEAN)
    with pytest.raises(Forbidden):
        service.edit_item(db=db, actor=getattr(world, who), item_id=item.id, periods=1)
    db.expire_all()
    assert db.get(CurriculumItem, item.id).periods == 5


def test_staff_of_another_province_cannot_edit(db: Session, curriculum) -> None:
    from tests.builders import build_world

    world, elsewhere = curriculum, build_world(db, tag="x")
    item = lessons(db, world)["Bài 1"]
    with pytest.raises(Forbidden):
        service.edit_item(db=db, actor=elsewhere.province_staff, item_id=item.id, title="Khác")
    with pytest.raises(Forbidden):
        service.set_target(db=db, actor=elsewhere.province_staff, province_id=world.province.id, percent=10)
    service.edit_item(db=db, actor=world.province_staff, item_id=item.id, title="Bài một")
    assert db.get(CurriculumItem, item.id).title == "Bài một" and db.get(CurriculumItem, item.id).source == "edited"


def test_coverage_of_two_of_four_lessons_is_ten_of_thirty_five_periods(db: Session, curriculum) -> None:
    world = curriculum
    by_title = lessons(db, world)
    covering = material(db, world)
    service.set_material_items(db=db, actor=world.teacher, material_id=covering.id,
                               item_ids=[by_title["Bài 1"].id, by_title["Bài 2"].id])
    for m in (material(db, world, "private"), material(db, world, "school"), material(db, world, published=False)):
        service.set_material_items(db=db, actor=world.teacher, material_id=m.id, item_ids=[by_title["Bài 4"].id])
    result = coverage(db=db, province_id=world.province.id)
    cn6 = next(s for s in result.subjects if s.programme.subject.code == "CN" and s.programme.grade == 6)
    assert (cn6.covered, cn6.total, cn6.percent) == (10, 35, 28.6)  # 10 / 35 = 0.2857
    assert [t.title for t in cn6.uncovered_topics] == ["Thực phẩm"]
    lower = result.levels["lower_secondary"]
    assert lower.covered == 10 and lower.total == 4 * 1015 + 2 * 17 + 0  # compulsory periods of grades 6-9
    assert result.overall.covered == 10 and result.target == 50.0 and not result.meets_target
    other = coverage(db=db, province_id=world.other_province.id)  # the national tree applies there
    assert other.overall.covered == 0
    service.set_target(db=db, actor=world.province_staff, province_id=world.province.id, percent=0)
    assert coverage(db=db, province_id=world.province.id).meets_target


def test_only_the_owner_maps_a_material(db: Session, curriculum) -> None:
    world = curriculum
    m = material(db, world)
    item = lessons(db, world)["Bài 1"]
    with pytest.raises(Forbidden):
        service.set_material_items(db=db, actor=world.other_teacher, material_id=m.id, item_ids=[item.id])
    with pytest.raises(Invalid):
        service.set_material_items(db=db, actor=world.teacher, material_id=m.id, item_ids=[item.id, 10**9])
    assert db.scalar(select(func.count()).select_from(MaterialCurriculumItem)) == 0
