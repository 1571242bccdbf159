"""The shared repository's search finds published shared materials by words typed with or without accents."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from content.materials import service as materials
from content.materials.models import Material, MaterialVersion
from content.repository import service
from content.review import service as review
from lms_core.plugins.host import PluginHost
from tests.content.test_review_workflow import maths, plugin_host  # noqa: F401  (the host with the content package)

TEA = "# Chè Tân Cương\n\nVùng chè Tân Cương nằm ở phía tây thành phố Thái Nguyên.\n\n## Sao chè\n\nSao chè bằng chảo gang."


def share(db: Session, host: PluginHost, owner: Any, approver: Any, *, title: str, text: str = "", kind: str = "page",
          subject: Any = None, grades: tuple[int, ...] = (), licence: str = "CC-BY-SA-4.0", language: str = "vi",
          tags: tuple[str, ...] = (), description: str = "") -> Material:
    """Create a material for the shared repository, have it approved and publish it (the hook indexes it)."""
    fields = materials.MaterialFields(title=title, kind=kind, visibility="shared", subject_id=subject.id if subject else None,
                                      grades=grades, licence=licence, language=language, tags=tags,
                                      description=description)
    material = materials.create_material(db=db, actor=owner, fields=fields, body_markdown=text if kind == "page" else None,
                                         external_url="https://example.org/bai" if kind == "link" else None)
    publish_current(db, host, material, owner, approver)
    return material


def publish_current(db: Session, host: PluginHost, material: Material, owner: Any, approver: Any) -> MaterialVersion:
    """Send the material's newest version for review, approve it and publish it."""
    number = db.get(MaterialVersion, material.current_version_id).number
    review.submit(db=db, actor=owner, material_id=material.id, number=number)
    review.approve(db=db, actor=approver, material_id=material.id, number=number)
    return review.publish(db=db, actor=owner, host=host, material_id=material.id, number=number)


def found(db: Session, actor: Any, q: str = "", **filters: Any) -> list[str]:
    """Return the titles a search gives, best first."""
    return [h.material.title for h in service.search(db=db, actor=actor, q=q, **filters).hits]


@pytest.mark.hook("truongso_material_published")
def test_a_query_without_accents_finds_accented_text(db: Session, world, plugin_host: PluginHost) -> None:  # noqa: F811
    share(db, plugin_host, world.teacher, world.school_admin, title="Chè Tân Cương", text=TEA)
    share(db, plugin_host, world.teacher, world.school_admin, title="Tên lửa nước", text="Áp suất đẩy nước ra sau.")
    for q in ("che tan cuong", "CHE TAN CUONG", "tân cương", "Thai Nguyen", "chảo gang"):
        assert found(db, world.other_school_student, q) == ["Chè Tân Cương"], q
    results = service.search(db=db, actor=world.student, q="thai nguyen")
    assert "<mark>Thái</mark> <mark>Nguyên</mark>" in results.hits[0].snippet
    assert service.search(db=db, actor=world.student, q="tan cuong lop").partial  # no material holds "lớp"


def test_an_accented_query_ranks_the_exact_accents_first(db: Session, world, plugin_host: PluginHost) -> None:  # noqa: F811
    share(db, plugin_host, world.teacher, world.school_admin, title="Bài đọc: chè", text="Người dân hái chè trên đồi.")
    share(db, plugin_host, world.teacher, world.school_admin, title="Bài đọc: chẻ", text="Người dân chẻ tre trên đồi.")
    assert found(db, world.student, "chè") == ["Bài đọc: chè", "Bài đọc: chẻ"]
    assert found(db, world.student, "chẻ") == ["Bài đọc: chẻ", "Bài đọc: chè"]
    assert sorted(found(db, world.student, "che")) == ["Bài đọc: chè", "Bài đọc: chẻ"]
    assert found(db, world.student, "hái chè") == ["Bài đọc: chè"]  # every word must occur


def test_a_title_weighs_more_than_the_body(db: Session, world, plugin_host: PluginHost) -> None:  # noqa: F811
    share(db, plugin_host, world.teacher, world.school_admin, title="Nhật ký đọc sách", text="Ghi lại tên sách mỗi ngày.")
    share(db, plugin_host, world.teacher, world.school_admin, title="Góc học tập", text="Học sinh viết nhật ký mỗi ngày.")
    assert found(db, world.student, "nhat ky") == ["Nhật ký đọc sách", "Góc học tập"]


def test_filters_narrow_the_results(db: Session, world, plugin_host: PluginHost) -> None:  # noqa: F811
    share(db, plugin_host, world.teacher, world.school_admin, title="Chè Tân Cương lớp 6", text=TEA,
          subject=world.subject, grades=(6,), licence="CC-BY-SA-4.0", language="vi")
    share(db, plugin_host, world.other_school_teacher, world.other_school_admin, title="Tea of Tan Cuong", kind="link",
          description="Chè Tân Cương in English", subject=maths(db), grades=(7, 8), licence="CC-BY-4.0", language="en")
    everyone = ["Tea of Tan Cuong", "Chè Tân Cương lớp 6"]
    assert found(db, world.student) == everyone  # no words: newest first
    assert sorted(found(db, world.student, "che tan cuong")) == sorted(everyone)
    assert found(db, world.student, "che tan cuong", subject_id=world.subject.id) == ["Chè Tân Cương lớp 6"]
    assert found(db, world.student, "che", grade=7) == ["Tea of Tan Cuong"]
    assert found(db, world.student, "", grade=6) == ["Chè Tân Cương lớp 6"]
    assert found(db, world.student, "che", kind="link") == ["Tea of Tan Cuong"]
    assert found(db, world.student, "che", licence="CC-BY-SA-4.0") == ["Chè Tân Cương lớp 6"]
    assert found(db, world.student, "che", language="en") == ["Tea of Tan Cuong"]
    assert found(db, world.student, "che", language="en", grade=6) == []
    results = service.search(db=db, actor=world.student, q="che", subject_id=world.subject.id)
    # the subject counts ignore the subject filter (to offer the other subjects); the kind counts keep it
    assert {s.id: n for s, n in results.subjects} == {world.subject.id: 1, maths(db).id: 1}
    assert dict(results.kinds) == {"page": 1}


def test_private_school_and_unpublished_materials_are_never_found(db: Session, world,
                                                                  plugin_host: PluginHost) -> None:  # noqa: F811
    for visibility in ("private", "school"):
        fields = materials.MaterialFields(title=f"Gióng {visibility}", kind="page", visibility=visibility)
        m = materials.create_material(db=db, actor=world.teacher, fields=fields, body_markdown="Thánh Gióng nhổ tre.")
        review.publish(db=db, actor=world.teacher, host=plugin_host, material_id=m.id, number=1)
    waiting = materials.create_material(db=db, actor=world.teacher, body_markdown="Thánh Gióng nhổ tre.",
                                        fields=materials.MaterialFields(title="Gióng shared", kind="page",
                                                                        visibility="shared"))
    review.submit(db=db, actor=world.teacher, material_id=waiting.id, number=1)
    review.approve(db=db, actor=world.school_admin, material_id=waiting.id, number=1)  # approved, not published
    for actor in (world.teacher, world.school_admin, world.student, world.system_admin):
        assert found(db, actor, "giong") == [] and found(db, actor) == []


def test_a_partial_match_is_offered_when_no_material_holds_every_word(db: Session, world,
                                                                     plugin_host: PluginHost) -> None:  # noqa: F811
    share(db, plugin_host, world.teacher, world.school_admin, title="Chè Tân Cương", text=TEA)
    results = service.search(db=db, actor=world.student, q="chè khủnglong")
    assert [h.material.title for h in results.hits] == ["Chè Tân Cương"] and results.partial
    assert not service.search(db=db, actor=world.student, q="chè tân").partial
    assert service.search(db=db, actor=world.student, q="khủnglong").total == 0


def test_results_come_in_pages_with_a_total(db: Session, world, plugin_host: PluginHost,  # noqa: F811
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "PER_PAGE", 2)
    for n in range(3):
        share(db, plugin_host, world.teacher, world.school_admin, title=f"Chè bài {n}", text="Chè " * (n + 1))
    first = service.search(db=db, actor=world.student, q="che")
    second = service.search(db=db, actor=world.student, q="che", page=2)
    assert (first.total, first.pages, len(first.hits), second.total, len(second.hits)) == (3, 2, 2, 3, 1)
    assert {h.material.title for h in first.hits + second.hits} == {"Chè bài 0", "Chè bài 1", "Chè bài 2"}
    assert service.search(db=db, actor=world.student, q="che", page=9).hits == []
    assert service.search(db=db, actor=world.student, q="che", page=9).total == 3
