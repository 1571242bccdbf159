"""A material's owner maps it to the topics and lessons of its subject and grades (page and JSON API);
others are refused, bad choices store nothing, and the material's page shows the mapping."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.curriculum import service
from content.curriculum.models import CurriculumItem, MaterialCurriculumItem
from content.materials.models import Material, MaterialGrade
from lms_core.org.models import Subject
from tests.content.test_curriculum_import_and_coverage import (  # noqa: F401
    curriculum,
    lessons,
    material,
)
from tests.web.test_accessibility import _check


def mapped(db: Session, material_id: int) -> set[int]:
    """Return the item ids a material is mapped to, as stored."""
    db.expire_all()
    return set(db.scalars(select(MaterialCurriculumItem.item_id).where(MaterialCurriculumItem.material_id == material_id)))


def described(db: Session, world, code: str = "CN", grades: tuple[int, ...] = (6,),  # noqa: ANN001
              visibility: str = "shared") -> Material:
    """Add a material of the world's teacher with a subject and grades."""
    m = material(db, world, visibility=visibility)
    m.subject_id = db.scalar(select(Subject.id).where(Subject.code == code))
    m.grade_rows = [MaterialGrade(grade=g) for g in grades]
    db.commit()
    return m


def national(db: Session, code: str, key: str) -> CurriculumItem:
    subject_id = db.scalar(select(Subject.id).where(Subject.code == code))
    return db.scalar(select(CurriculumItem).where(CurriculumItem.province_id.is_(None), CurriculumItem.subject_id == subject_id,
                                                  CurriculumItem.grade == 6, CurriculumItem.key == key))


def test_the_owner_ticks_lessons_of_the_provinces_tree_and_the_material_page_shows_them(
        db: Session, curriculum, client_for) -> None:  # noqa: F811
    world = curriculum
    m = described(db, world, grades=(1, 6, 9))  # CN 1 and 9 ship no tree
    by_title = lessons(db, world)
    c = client_for(world.teacher)
    page = c.get(f"/materials/{m.id}/curriculum")
    assert page.status_code == 200, page.text[:300]
    html = page.text
    boxes = re.findall(r'<input type="checkbox" id="item-(\d+)" name="item_ids" value="\1"', html)
    assert {int(b) for b in boxes} == {i.id for i in by_title.values()} | {
        i.parent_id for i in by_title.values()}  # the province's own tree (2 topics, 4 lessons), not the national one
    assert national(db, "CN", "1.1").id not in {int(b) for b in boxes}
    grade1 = re.search(r'id="grade-1">.*?</section>', html, re.DOTALL).group(0)
    grade9 = re.search(r'id="grade-9">.*?</section>', html, re.DOTALL).group(0)
    assert 'class="empty"' in grade1 and 'class="empty"' in grade9 and 'type="checkbox"' not in grade1 + grade9
    assert " checked" not in html
    _check(html)
    chosen = [by_title["Bài 1"].id, by_title["Bài 3"].id]
    saved = c.post(f"/materials/{m.id}/curriculum", data={"item_ids": [str(i) for i in chosen]})
    assert saved.status_code == 303 and saved.headers["location"] == f"/materials/{m.id}/curriculum?saved=1"
    assert mapped(db, m.id) == set(chosen)
    again = c.get(saved.headers["location"])
    assert 'id="saved"' in again.text
    assert set(map(int, re.findall(r'id="item-(\d+)" name="item_ids" value="\d+" checked', again.text))) == set(chosen)
    detail = c.get(f"/materials/{m.id}")
    section = re.search(r'<section class="card" aria-labelledby="curriculum-heading".*?</section>', detail.text,
                        re.DOTALL).group(0)
    assert "Nhà ở › Bài 1" in section and "Thực phẩm › Bài 3" in section
    assert f'href="/materials/{m.id}/curriculum"' in section
    _check(detail.text)
    cleared = c.post(f"/materials/{m.id}/curriculum", data={})
    assert cleared.status_code == 303 and mapped(db, m.id) == set()


def test_a_material_without_subject_or_grade_is_told_to_set_them_first(db: Session, curriculum,  # noqa: F811
                                                                         client_for) -> None:
    world = curriculum
    m = material(db, world)
    page = client_for(world.teacher).get(f"/materials/{m.id}/curriculum")
    assert page.status_code == 200 and 'id="needs-subject"' in page.text
    assert f'href="/materials/{m.id}/edit"' in page.text and 'type="checkbox"' not in page.text
    _check(page.text)


def test_a_choice_outside_the_shown_trees_is_refused_and_nothing_changes(db: Session, curriculum,  # noqa: F811
                                                                         client_for) -> None:
    world = curriculum
    m = described(db, world)
    keep = lessons(db, world)["Bài 2"].id
    service.set_material_items(db=db, actor=world.teacher, material_id=m.id, item_ids=[keep])
    c = client_for(world.teacher)
    for bad in ([str(national(db, "CN", "1.1").id)], ["999999999"], [str(keep), str(national(db, "NV", "1.1").id)]):
        refused = c.post(f"/materials/{m.id}/curriculum", data={"item_ids": bad})
        assert refused.status_code == 422 and 'id="error"' in refused.text
        assert mapped(db, m.id) == {keep}
    assert c.post(f"/materials/{m.id}/curriculum", data={"item_ids": ["abc"]}).status_code == 422
    assert mapped(db, m.id) == {keep}


def test_mappings_to_other_trees_are_kept_when_the_page_is_saved(db: Session, curriculum, client_for) -> None:  # noqa: F811
    world = curriculum
    m = described(db, world)
    other = national(db, "NV", "1.1")
    service.set_material_items(db=db, actor=world.teacher, material_id=m.id, item_ids=[other.id])
    c = client_for(world.teacher)
    page = c.get(f"/materials/{m.id}/curriculum")
    assert 'id="elsewhere-title"' in page.text and other.title in page.text
    bai4 = lessons(db, world)["Bài 4"].id
    assert c.post(f"/materials/{m.id}/curriculum", data={"item_ids": [str(bai4)]}).status_code == 303
    assert mapped(db, m.id) == {other.id, bai4}


@pytest.mark.parametrize(("who", "status", "visibility"), [
    ("other_teacher", 403, "school"),  # sees the material, does not own it
    ("other_teacher", 404, "private"),  # may not know it exists
    ("school_admin", 403, "school"),
    ("student", 404, "private"),
    ("other_school_teacher", 404, "school"),
])
def test_only_the_owner_maps(db: Session, curriculum, client_for, who: str, status: int, visibility: str) -> None:  # noqa: F811
    world = curriculum
    m = described(db, world, visibility=visibility)
    keep = lessons(db, world)["Bài 2"].id
    service.set_material_items(db=db, actor=world.teacher, material_id=m.id, item_ids=[keep])
    c = client_for(getattr(world, who))
    assert c.get(f"/materials/{m.id}/curriculum").status_code == status
    assert c.post(f"/materials/{m.id}/curriculum", data={"item_ids": [str(keep)]}).status_code == status
    assert c.put(f"/api/materials/{m.id}/curriculum", json={"item_ids": []}).status_code == status
    assert mapped(db, m.id) == {keep}
    if status == 403:
        assert 'href="/materials/{}/curriculum"'.format(m.id) not in c.get(f"/materials/{m.id}").text


def test_the_api_reads_and_replaces_the_mapping(db: Session, curriculum, client_for) -> None:  # noqa: F811
    world = curriculum
    m = described(db, world)
    by_title = lessons(db, world)
    c = client_for(world.teacher)
    assert c.get(f"/api/materials/{m.id}/curriculum").json() == {"material_id": m.id, "items": []}
    put = c.put(f"/api/materials/{m.id}/curriculum", json={"item_ids": [by_title["Bài 4"].id, by_title["Bài 1"].id]})
    assert put.status_code == 200
    body = c.get(f"/api/materials/{m.id}/curriculum").json()
    assert {(i["title"], i["kind"], i["periods"], i["subject_code"], i["grade"], i["province_id"]) for i in body["items"]} == {
        ("Bài 1", "lesson", 5, "CN", 6, world.province.id), ("Bài 4", "lesson", 15, "CN", 6, world.province.id)}
    assert {i["topic_id"] for i in body["items"]} == {by_title["Bài 1"].parent_id, by_title["Bài 4"].parent_id}
    before = mapped(db, m.id)
    for bad in ({"item_ids": [by_title["Bài 2"].id, 999999999]}, {"item_ids": ["x"]}, {"item_ids": [0]}, {}):
        refused = c.put(f"/api/materials/{m.id}/curriculum", json=bad)
        assert refused.status_code == 422 and refused.json()["error"] == "invalid" and refused.json()["message"]
        assert mapped(db, m.id) == before
    too_many = c.put(f"/api/materials/{m.id}/curriculum", json={"item_ids": list(range(1, 52))})
    assert too_many.status_code == 422 and mapped(db, m.id) == before
    assert c.get("/api/materials/999999999/curriculum").status_code == 404
