"""The curriculum page: staff browse subjects, periods and trees; the province's department edits its own tree,
copies the national one, sets its target; every refusal is explained and leaves the stored rows as they were."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.curriculum import editing, service
from content.curriculum.coverage import coverage
from content.curriculum.models import CoverageTarget, CurriculumItem, MaterialCurriculumItem, ProgrammeSubject
from content.curriculum.seed import ensure_curriculum
from content.materials.models import Material
from lms_core.org.models import Subject
from tests.content.test_curriculum_import_and_coverage import (  # noqa: F401
    curriculum,
    lessons,
    material,
)
from tests.web.test_accessibility import _check

# The province's own Công nghệ 6 (imported by the `curriculum` fixture): Nhà ở (Bài 1: 5, Bài 2: 5),
# Thực phẩm (Bài 3: 10, Bài 4: 15). The shipped national tree (data/trees/cn_6.csv) has 4 topics,
# 16 lessons, 35 periods; its lesson 1.1 "Vai trò của nhà ở…" has 2 periods.
NATIONAL_TOPICS, NATIONAL_LESSONS = 4, 16


def snapshot(db: Session) -> list[tuple]:
    """Return every curriculum item, mapping and target as stored (to compare before and after a refusal)."""
    db.expire_all()
    items = db.execute(select(CurriculumItem.id, CurriculumItem.province_id, CurriculumItem.parent_id,
                              CurriculumItem.key, CurriculumItem.title, CurriculumItem.periods)
                       .order_by(CurriculumItem.id)).all()
    maps = db.execute(select(MaterialCurriculumItem.material_id, MaterialCurriculumItem.item_id)
                      .order_by(MaterialCurriculumItem.material_id, MaterialCurriculumItem.item_id)).all()
    targets = db.execute(select(CoverageTarget.province_id, CoverageTarget.percent)).all()
    periods = db.execute(select(ProgrammeSubject.id, ProgrammeSubject.periods_per_year)
                         .order_by(ProgrammeSubject.id)).all()
    return [tuple(items), tuple(maps), tuple(targets), tuple(periods)]


def cn(db: Session) -> Subject:
    return db.scalar(select(Subject).where(Subject.code == "CN"))


def topic(db: Session, world, title: str) -> CurriculumItem:  # noqa: ANN001
    return db.scalar(select(CurriculumItem).where(CurriculumItem.province_id == world.province.id,
                                                  CurriculumItem.title == title))


def tree_url(world, **extra: object) -> str:  # noqa: ANN001
    query = "&".join(f"{k}={v}" for k, v in {"grade": 6, "subject": "CN", **extra}.items())
    return f"/curriculum?{query}"


def test_staff_see_the_subjects_of_a_grade_with_periods_and_an_unconfirmed_mark(db: Session, curriculum,  # noqa: F811
                                                                               client_for) -> None:
    world = curriculum
    row = db.scalar(select(ProgrammeSubject).where(ProgrammeSubject.subject_id == cn(db).id,
                                                   ProgrammeSubject.grade == 6))
    row.confirmed, row.citation = False, "Công văn thử nghiệm 1/2024"
    db.commit()
    page = client_for(world.teacher).get("/curriculum?grade=6")
    assert page.status_code == 200, page.text[:300]
    line = re.search(r'<tr id="subject-CN">(.*?)</tr>', page.text, re.DOTALL).group(1)
    assert '<td class="num">35</td>' in line and "Công nghệ" in line
    assert 'class="badge unconfirmed"' in line
    assert "Công văn thử nghiệm 1/2024" in line
    maths = re.search(r'<tr id="subject-TOAN">(.*?)</tr>', page.text, re.DOTALL).group(1)
    assert '<td class="num">140</td>' in maths and "unconfirmed" not in maths  # Toán 6: 140 periods, confirmed
    _check(page.text)


def test_a_teacher_reads_the_provinces_own_tree_without_edit_forms(db: Session, curriculum, client_for) -> None:  # noqa: F811
    world = curriculum
    page = client_for(world.teacher).get(tree_url(world))
    assert page.status_code == 200
    html = page.text
    assert f'id="tree-owner" data-province="{world.province.id}"' in html and world.province.name in html
    nha_o, thuc_pham = topic(db, world, "Nhà ở"), topic(db, world, "Thực phẩm")
    assert html.index(f'id="item-{nha_o.id}"') < html.index(f'id="item-{thuc_pham.id}"')
    by_title = lessons(db, world)
    assert re.search(rf'id="item-{by_title["Bài 4"].id}">.*?Bài 4 · 15', html, re.DOTALL)
    assert "/curriculum/items/" not in html and "/curriculum/copy" not in html and "/curriculum/target" not in html
    _check(html)
    national = client_for(world.system_admin).get(tree_url(world, province_id=world.other_province.id))
    assert 'id="tree-owner" data-province=""' in national.text  # the other province follows the national tree
    assert national.text.count('class="topic"') == NATIONAL_TOPICS


@pytest.mark.parametrize("url", ["/curriculum", tree_url(None)])
def test_students_are_refused(db: Session, curriculum, client_for, url: str) -> None:  # noqa: F811
    assert client_for(curriculum.student).get(url).status_code == 403


def test_department_staff_change_a_lessons_periods_and_the_topic_is_recounted(db: Session, curriculum,  # noqa: F811
                                                                               client_for) -> None:
    world = curriculum
    staff = client_for(world.province_staff)
    page = staff.get(tree_url(world))
    assert "/curriculum/items/" in page.text and "/curriculum/copy" not in page.text
    _check(page.text)
    lesson = lessons(db, world)["Bài 1"]
    done = staff.post(f"/curriculum/items/{lesson.id}/edit", data={"title": "  Bài   một  ", "periods": "7"})
    assert done.status_code == 303 and done.headers["location"].endswith(f"#item-{lesson.id}")
    db.expire_all()
    assert (db.get(CurriculumItem, lesson.id).title, db.get(CurriculumItem, lesson.id).periods) == ("Bài một", 7)
    assert topic(db, world, "Nhà ở").periods == 12  # 7 + 5
    shown = staff.get(done.headers["location"])
    assert 'id="notice"' in shown.text and "Bài một" in shown.text
    renamed = staff.post(f"/curriculum/items/{topic(db, world, 'Nhà ở').id}/edit", data={"title": "Nhà ở và gia đình"})
    assert renamed.status_code == 303
    db.expire_all()
    assert topic(db, world, "Nhà ở và gia đình").periods == 12


@pytest.mark.parametrize("fields", [
    {"title": "Bài 1", "periods": "mười"},
    {"title": "Bài 1", "periods": "501"},
    {"title": "Bài 1", "periods": "-1"},
    {"title": "   ", "periods": "5"},
    {"title": "x" * 301, "periods": "5"},
])
def test_bad_values_are_explained_and_nothing_changes(db: Session, curriculum, client_for,  # noqa: F811
                                                      fields: dict) -> None:
    world = curriculum
    staff = client_for(world.province_staff)
    before = snapshot(db)
    lesson = lessons(db, world)["Bài 1"]
    refused = staff.post(f"/curriculum/items/{lesson.id}/edit", data=fields)
    assert refused.status_code == 422
    alert = re.search(r'<p class="error" role="alert" id="error">(.*?)</p>', refused.text).group(1)
    assert alert.strip()
    added = staff.post(f"/curriculum/items/{topic(db, world, 'Nhà ở').id}/lessons", data=fields)
    assert added.status_code == 422 and 'role="alert"' in added.text
    assert snapshot(db) == before
    _check(refused.text)


@pytest.mark.parametrize("who", ["teacher", "school_admin", "district_staff", "student"])
def test_only_the_provinces_department_may_change_its_tree(db: Session, curriculum, client_for, who: str) -> None:  # noqa: F811
    world = curriculum
    before = snapshot(db)
    c = client_for(getattr(world, who))
    lesson, nha_o = lessons(db, world)["Bài 1"], topic(db, world, "Nhà ở")
    assert c.post(f"/curriculum/items/{lesson.id}/edit", data={"title": "Khác", "periods": "1"}).status_code == 403
    assert c.post(f"/curriculum/items/{lesson.id}/edit", data={"title": "", "periods": "x"}).status_code == 403
    assert c.post(f"/curriculum/items/{nha_o.id}/lessons", data={"title": "Bài mới", "periods": "1"}).status_code == 403
    assert c.post(f"/curriculum/items/{nha_o.id}/delete", data={"confirm": "true"}).status_code == 403
    assert c.post("/curriculum/topics", data={"grade": 6, "subject": "CN", "province_id": world.province.id,
                                              "title": "Chủ đề mới"}).status_code == 403
    assert c.post("/curriculum/target", data={"province_id": world.province.id, "percent": "5"}).status_code == 403
    assert snapshot(db) == before


def test_staff_of_another_province_and_unknown_items_are_refused(db: Session, curriculum, client_for) -> None:  # noqa: F811
    from tests.builders import build_world

    world, elsewhere = curriculum, build_world(db, tag="x")
    db.commit()
    before = snapshot(db)
    c = client_for(elsewhere.province_staff)
    lesson = lessons(db, world)["Bài 1"]
    assert c.post(f"/curriculum/items/{lesson.id}/edit", data={"title": "Khác", "periods": "1"}).status_code == 403
    assert c.post("/curriculum/target", data={"province_id": world.province.id, "percent": "5"}).status_code == 403
    assert c.post("/curriculum/copy", data={"grade": 6, "subject": "NV", "province_id": world.province.id}
                  ).status_code == 403
    assert c.get(tree_url(world, province_id=world.province.id)).status_code == 403
    mine = client_for(world.province_staff)
    assert mine.post("/curriculum/items/999999999/edit", data={"title": "Khác", "periods": "1"}).status_code == 404
    assert mine.post("/curriculum/items/999999999/delete").status_code == 404
    assert mine.post("/curriculum/topics", data={"grade": 6, "subject": "XX", "title": "A"}).status_code == 404
    assert snapshot(db) == before


def test_staff_add_a_lesson_and_a_topic(db: Session, curriculum, client_for) -> None:  # noqa: F811
    world = curriculum
    staff = client_for(world.province_staff)
    thuc_pham = topic(db, world, "Thực phẩm")
    done = staff.post(f"/curriculum/items/{thuc_pham.id}/lessons", data={"title": "Bài 5", "periods": "3"})
    assert done.status_code == 303
    db.expire_all()
    new = lessons(db, world)["Bài 5"]
    assert (new.parent_id, new.key, new.position, new.periods) == (thuc_pham.id, "2.3", 3, 3)
    assert topic(db, world, "Thực phẩm").periods == 28  # 10 + 15 + 3
    added = staff.post("/curriculum/topics", data={"grade": 6, "subject": "CN", "province_id": world.province.id,
                                                   "title": "Trang phục"})
    assert added.status_code == 303
    t = topic(db, world, "Trang phục")
    assert (t.key, t.position, t.periods, t.parent_id) == ("3", 3, 0, None)
    page = staff.get(added.headers["location"])
    assert f'id="item-{t.id}"' in page.text
    _check(page.text)


def test_a_province_following_the_national_tree_must_copy_it_before_adding(db: Session, curriculum,  # noqa: F811
                                                                           client_for) -> None:
    world = curriculum
    before = snapshot(db)
    refused = client_for(world.province_staff).post("/curriculum/topics", data={
        "grade": 6, "subject": "NV", "province_id": world.province.id, "title": "Chủ đề riêng"})
    assert refused.status_code == 422 and 'id="error"' in refused.text
    assert snapshot(db) == before


def test_deleting_a_mapped_lesson_asks_first_then_removes_the_mappings(db: Session, curriculum,  # noqa: F811
                                                                        client_for) -> None:
    world = curriculum
    bai3 = lessons(db, world)["Bài 3"].id
    m = material(db, world)
    service.set_material_items(db=db, actor=world.teacher, material_id=m.id, item_ids=[bai3])
    staff = client_for(world.province_staff)
    shown = staff.get(tree_url(world))
    assert re.search(rf'id="item-{bai3}">.*?class="badge">1 ', shown.text, re.DOTALL)
    before = snapshot(db)
    ask = staff.post(f"/curriculum/items/{bai3}/delete")
    assert ask.status_code == 409 and 'id="delete-warning"' in ask.text and ": 1." in ask.text
    assert 'name="confirm" value="true"' in ask.text
    _check(ask.text)
    assert snapshot(db) == before
    done = staff.post(f"/curriculum/items/{bai3}/delete", data={"confirm": "true"})
    assert done.status_code == 303
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(CurriculumItem).where(
        CurriculumItem.id == bai3)) == 0
    assert db.scalar(select(func.count()).select_from(MaterialCurriculumItem).where(
        MaterialCurriculumItem.material_id == m.id)) == 0
    assert db.get(Material, m.id) is not None
    assert topic(db, world, "Thực phẩm").periods == 15  # Bài 4 alone


def test_deleting_a_topic_asks_first_then_removes_its_lessons(db: Session, curriculum, client_for) -> None:  # noqa: F811
    world = curriculum
    nha_o = topic(db, world, "Nhà ở").id
    staff = client_for(world.province_staff)
    before = snapshot(db)
    ask = staff.post(f"/curriculum/items/{nha_o}/delete")
    assert ask.status_code == 200 and re.search(r'id="delete-warning">[^<]*\b2\b', ask.text)
    _check(ask.text)
    assert snapshot(db) == before
    assert staff.post(f"/curriculum/items/{nha_o}/delete", data={"confirm": "true"}).status_code == 303
    db.expire_all()
    assert sorted(lessons(db, world)) == ["Bài 3", "Bài 4"]
    assert topic(db, world, "Nhà ở") is None


def _national_cn6(db: Session) -> list[CurriculumItem]:
    return list(db.scalars(select(CurriculumItem).where(CurriculumItem.province_id.is_(None),
                                                        CurriculumItem.subject_id == cn(db).id,
                                                        CurriculumItem.grade == 6)))


def test_a_provincial_copy_mirrors_the_national_tree_and_keeps_coverage(db: Session, world, client_for) -> None:
    ensure_curriculum(db)
    national = _national_cn6(db)
    first = next(i for i in national if i.key == "1.1")
    m = material(db, world)
    service.set_material_items(db=db, actor=world.teacher, material_id=m.id, item_ids=[first.id])

    def cn6_covered() -> int:
        result = coverage(db=db, province_id=world.province.id)
        return next(s for s in result.subjects if s.programme.subject.code == "CN" and s.programme.grade == 6).covered

    assert cn6_covered() == 2
    staff = client_for(world.province_staff)
    page = staff.get(tree_url(world))
    assert 'action="/curriculum/copy"' in page.text and "/curriculum/items/" not in page.text
    done = staff.post("/curriculum/copy", data={"grade": 6, "subject": "CN", "province_id": world.province.id})
    assert done.status_code == 303
    db.expire_all()
    own = list(db.scalars(select(CurriculumItem).where(CurriculumItem.province_id == world.province.id)))
    assert sum(i.kind == "topic" for i in own) == NATIONAL_TOPICS and sum(i.kind == "lesson" for i in own) == NATIONAL_LESSONS
    assert sum(i.periods for i in own if i.kind == "lesson") == 35
    keyed = {i.key: i for i in own}
    assert {(i.key, i.title, i.periods) for i in national} == {(i.key, i.title, i.periods) for i in own}
    assert all(keyed[i.key.split(".")[0]].id == i.parent_id for i in own if i.kind == "lesson")
    assert keyed["1.1"].id in {i.id for i in service.material_items(db=db, actor=world.teacher, material_id=m.id)}
    assert cn6_covered() == 2
    assert len(_national_cn6(db)) == NATIONAL_TOPICS + NATIONAL_LESSONS  # the national tree is untouched
    page = staff.get(done.headers["location"])
    assert f'data-province="{world.province.id}"' in page.text and "/curriculum/items/" in page.text
    before = snapshot(db)
    again = staff.post("/curriculum/copy", data={"grade": 6, "subject": "CN", "province_id": world.province.id})
    assert again.status_code == 409 and 'id="error"' in again.text
    assert snapshot(db) == before


def test_a_copy_that_fails_half_way_stores_nothing(db: Session, world, monkeypatch) -> None:
    ensure_curriculum(db)
    m = material(db, world)
    service.set_material_items(db=db, actor=world.teacher, material_id=m.id, item_ids=[_national_cn6(db)[0].id])
    before = snapshot(db)

    def broken(*_: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(db, "add_all", broken)  # after every item was added and flushed
    with pytest.raises(RuntimeError):
        editing.copy_national_tree(db=db, actor=world.province_staff, province_id=world.province.id,
                                   subject_id=cn(db).id, grade=6)
    assert snapshot(db) == before


def test_the_department_sets_its_coverage_target(db: Session, curriculum, client_for) -> None:  # noqa: F811
    world = curriculum
    staff = client_for(world.province_staff)
    page = staff.get("/curriculum")
    assert 'action="/curriculum/target"' in page.text
    _check(page.text)
    assert staff.post("/curriculum/target", data={"province_id": world.province.id, "percent": "12,5"}).status_code == 303
    assert service.target_of(db=db, province_id=world.province.id) == 12.5
    before = snapshot(db)
    for bad in ("abc", "150", "-3", ""):
        refused = staff.post("/curriculum/target", data={"province_id": world.province.id, "percent": bad})
        assert refused.status_code == 422, bad
    assert snapshot(db) == before
    assert 'action="/curriculum/target"' not in client_for(world.teacher).get("/curriculum").text


def test_only_system_administrators_change_periods_per_year(db: Session, curriculum, client_for) -> None:  # noqa: F811
    world = curriculum
    row = db.scalar(select(ProgrammeSubject).where(ProgrammeSubject.subject_id == cn(db).id,
                                                   ProgrammeSubject.grade == 6))
    before = snapshot(db)
    staff = client_for(world.province_staff)
    assert 'id="periods_per_year"' not in staff.get(tree_url(world)).text
    assert staff.post(f"/curriculum/programme/{row.id}/periods", data={"periods_per_year": "70"}).status_code == 403
    admin = client_for(world.system_admin)
    for bad in ("nhiều", "2001"):
        assert admin.post(f"/curriculum/programme/{row.id}/periods", data={"periods_per_year": bad}).status_code == 422
    assert admin.post("/curriculum/programme/999999999/periods", data={"periods_per_year": "70"}).status_code == 404
    assert snapshot(db) == before
    page = admin.get(tree_url(world))
    assert 'id="periods_per_year"' in page.text
    _check(page.text)
    assert admin.post(f"/curriculum/programme/{row.id}/periods", data={"periods_per_year": "70"}).status_code == 303
    db.expire_all()
    assert (db.get(ProgrammeSubject, row.id).periods_per_year, db.get(ProgrammeSubject, row.id).source) == (70, "edited")


def test_the_coverage_page_links_to_the_curriculum_and_to_uncovered_topics(db: Session, curriculum,  # noqa: F811
                                                                           client_for) -> None:
    world = curriculum
    html = client_for(world.province_staff).get("/coverage").text
    assert f'href="/curriculum?province_id={world.province.id}"' in html
    thuc_pham = topic(db, world, "Thực phẩm")
    link = f'href="/curriculum?grade=6&amp;subject=CN&amp;province_id={world.province.id}#item-{thuc_pham.id}"'
    assert link in html
    target = client_for(world.province_staff).get(f"/curriculum?grade=6&subject=CN&province_id={world.province.id}")
    assert f'id="item-{thuc_pham.id}"' in target.text
