"""The question bank service: questions are created, edited into new versions and archived; people see and
edit only what they may; pictures are kept by hash; imports are all or nothing; exports import back unchanged."""

from __future__ import annotations

import hashlib
import os
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core import storage
from lms_core.assessment import bank
from lms_core.assessment.data import to_data
from lms_core.assessment.formats import true_false_choices
from lms_core.assessment.formats.gift import parse_gift
from lms_core.assessment.formats.moodle_xml import parse_moodle_xml
from lms_core.assessment.items import (
    Blank, Choice, Item, NumericKey, Pair, QType, TFStatement,
)
from lms_core.assessment.models import Question, QuestionMedia, QuestionTag, QuestionVersion
from lms_core.errors import Forbidden, Invalid, NotFound


def png() -> bytes:
    """Return bytes that are a PNG by their magic bytes, different on every call (so files are new)."""
    return b"\x89PNG\r\n\x1a\n" + os.urandom(40)


def single(stem: str = "Thủ đô của Việt Nam là thành phố nào?", **extra: object) -> Item:
    return Item(QType.single, stem, choices=[Choice("Huế"), Choice("Hà Nội", correct=True), Choice("Đà Nẵng")],
                **extra)


def counts(db: Session) -> tuple[int, int, int, int]:
    """Return how many questions, versions, tags and pictures are stored."""
    db.expire_all()
    return tuple(db.scalar(select(func.count()).select_from(m))  # type: ignore[return-value]
                 for m in (Question, QuestionVersion, QuestionTag, QuestionMedia))


def create(db: Session, world, item: Item | None = None, **kw: object) -> Question:  # noqa: ANN001
    actor = kw.pop("actor", world.teacher)
    return bank.create_question(db=db, actor=actor, subject_id=world.subject.id, grade=kw.pop("grade", 6),
                                item=item or single(), **kw)


def test_a_teacher_creates_a_question_with_its_first_version(db: Session, world) -> None:
    item = single(title="Câu thủ đô", level="nhan_biet", difficulty=2, tags=["địa lí", "Việt Nam", "địa lí"])
    question = create(db, world, item)
    version = db.get(QuestionVersion, question.current_version_id)
    assert (question.school_id, question.owner_id, question.grade) == (world.school.id, world.teacher.id, 6)
    assert (question.type, question.level, question.difficulty, question.title) == ("single", "nhan_biet", 2,
                                                                                      "Câu thủ đô")
    assert version.number == 1 and version.source == "form"
    assert version.data["choices"][1] == {"text": "Hà Nội", "correct": True, "feedback": ""}
    assert sorted(t.tag for t in question.tags) == ["Việt Nam", "địa lí"]


def test_decomposed_vietnamese_is_stored_composed(db: Session, world) -> None:
    decomposed = "Thu\u0309 đô"  # "Thủ" written with a combining hook above
    question = create(db, world, single(stem=decomposed, tags=["đi\u0323a lí"]))
    version = db.get(QuestionVersion, question.current_version_id)
    assert version.data["stem"] == "Thủ đô"
    assert [t.tag for t in question.tags] == ["địa lí"]


def test_a_question_with_problems_is_refused_and_nothing_is_stored(db: Session, world) -> None:
    before = counts(db)
    no_key = Item(QType.single, "Chọn đáp án đúng.", choices=[Choice("A"), Choice("B")])
    with pytest.raises(Invalid) as refused:
        create(db, world, no_key)
    assert refused.value.details == [{"problem": "Câu hỏi chưa có đáp án đúng."}]  # in the user's language
    with pytest.raises(Invalid):
        create(db, world, single(), grade=13)
    with pytest.raises(Invalid):
        bank.create_question(db=db, actor=world.teacher, subject_id=999_999, grade=6, item=single())
    with pytest.raises(Invalid):
        create(db, world, single(), visibility="shared")  # sharing goes through review
    assert counts(db) == before


def test_editing_makes_a_new_version_and_keeps_the_old_one(db: Session, world) -> None:
    question = create(db, world)
    first = db.get(QuestionVersion, question.current_version_id)
    edited = single(stem="Thủ đô của nước ta là?", level="thong_hieu")
    second = bank.edit_question(db=db, actor=world.teacher, question_id=question.id, item=edited, note="sửa câu")
    assert second.number == 2 and second.note == "sửa câu"
    db.expire_all()
    assert db.get(Question, question.id).current_version_id == second.id
    assert db.get(Question, question.id).level == "thong_hieu"
    assert db.get(QuestionVersion, first.id).data["stem"] == "Thủ đô của Việt Nam là thành phố nào?"
    again = bank.edit_question(db=db, actor=world.teacher, question_id=question.id, item=edited)
    assert again.id == second.id  # nothing changed: no third version
    assert [v.number for v in bank.versions_of(db, question)] == [2, 1]


def test_only_the_owner_edits_or_archives_and_a_refusal_changes_nothing(db: Session, world) -> None:
    question = create(db, world)
    before = counts(db)
    with pytest.raises(Forbidden):
        bank.edit_question(db=db, actor=world.other_teacher, question_id=question.id, item=single(stem="Khác"))
    with pytest.raises(Forbidden):
        bank.archive_question(db=db, actor=world.school_admin, question_id=question.id)
    with pytest.raises(NotFound):
        bank.edit_question(db=db, actor=world.other_school_teacher, question_id=question.id, item=single(stem="Khác"))
    with pytest.raises(NotFound):
        bank.archive_question(db=db, actor=world.student, question_id=question.id)
    assert counts(db) == before
    db.expire_all()
    assert db.get(Question, question.id).archived is False


def _ids(db: Session, actor, **filters: object) -> set[int]:  # noqa: ANN001
    return {q.id for q, _v in bank.list_questions(db=db, actor=actor, filters=bank.BankFilter(**filters))}


def test_who_sees_which_question(db: Session, world) -> None:
    school_q = create(db, world, single(stem="Câu của trường"))
    private_q = create(db, world, single(stem="Câu riêng"), visibility="private")
    shared_q = create(db, world, single(stem="Câu dùng chung"))
    shared_q.visibility = "shared"  # as the review flow will set it
    db.commit()
    everyone = {school_q.id, private_q.id, shared_q.id}
    assert _ids(db, world.teacher) == everyone
    assert _ids(db, world.other_teacher) == {school_q.id, shared_q.id}
    assert _ids(db, world.school_admin) == {school_q.id, shared_q.id}
    assert _ids(db, world.other_school_teacher) == {shared_q.id}
    assert _ids(db, world.student) == set()
    assert _ids(db, world.district_staff) == set()
    with pytest.raises(NotFound):
        bank.get_question(db=db, actor=world.other_school_teacher, question_id=school_q.id)
    with pytest.raises(NotFound):
        bank.get_question(db=db, actor=world.other_teacher, question_id=private_q.id)
    with pytest.raises(NotFound):
        bank.get_question(db=db, actor=world.student, question_id=shared_q.id)
    assert bank.get_question(db=db, actor=world.other_school_teacher, question_id=shared_q.id).id == shared_q.id
    with pytest.raises(Forbidden):
        bank.bank_school(world.student)


def test_archived_questions_leave_the_lists_but_their_owner_finds_them(db: Session, world) -> None:
    question = create(db, world)
    bank.archive_question(db=db, actor=world.teacher, question_id=question.id)
    assert question.id not in _ids(db, world.teacher)
    assert question.id not in _ids(db, world.other_teacher)
    assert _ids(db, world.teacher, archived=True) == {question.id}
    assert _ids(db, world.other_teacher, archived=True) == set()
    with pytest.raises(NotFound):
        bank.get_question(db=db, actor=world.other_teacher, question_id=question.id)
    bank.archive_question(db=db, actor=world.teacher, question_id=question.id, archived=False)
    assert question.id in _ids(db, world.other_teacher)


def test_the_list_filters(db: Session, world) -> None:
    a = create(db, world, single(stem="Sông Hồng chảy qua Hà Nội.", level="nhan_biet", tags=["sông ngòi"]))
    b = create(db, world, Item(QType.numeric, "Tính $2+3$.", numeric=[NumericKey(Decimal(5))], title="Phép cộng"),
               grade=7)
    c = create(db, world, single(stem="Câu của bạn"), actor=world.other_teacher)
    assert _ids(db, world.teacher, grade=7) == {b.id}
    assert _ids(db, world.teacher, level="nhan_biet") == {a.id}
    assert _ids(db, world.teacher, type="numeric") == {b.id}
    assert _ids(db, world.teacher, tag="sông ngòi") == {a.id}
    assert _ids(db, world.teacher, text="Sông Hồng") == {a.id}
    assert _ids(db, world.teacher, text="phép cộng") == {b.id}  # the title, case aside
    assert _ids(db, world.teacher, text="50%") == set()  # % is text, not a wildcard
    assert _ids(db, world.teacher, mine=True) == {a.id, b.id}
    assert c.id in _ids(db, world.teacher)
    assert _ids(db, world.teacher, subject_id=world.subject.id + 1) == set()


def test_pictures_are_kept_by_hash_and_the_text_points_at_them(db: Session, world) -> None:
    picture = png()
    item = single(stem="Hình bên là lá cây gì?\n\n![lá](la.png)")
    item.media = {"la.png": picture}
    question = create(db, world, item)
    media = db.scalars(select(QuestionMedia).where(QuestionMedia.question_id == question.id)).all()
    assert [(m.file_name, m.media_type) for m in media] == [("la.png", "image/png")]
    sha = media[0].sha256
    assert storage.path_for(sha).read_bytes() == picture
    stem = db.get(QuestionVersion, question.current_version_id).data["stem"]
    assert stem == f"Hình bên là lá cây gì?\n\n![lá](/question-images/{sha})"
    assert bank.visible_image(db=db, actor=world.other_teacher, sha256=sha).question_id == question.id
    with pytest.raises(NotFound):
        bank.visible_image(db=db, actor=world.other_school_teacher, sha256=sha)
    with pytest.raises(NotFound):
        bank.visible_image(db=db, actor=world.student, sha256=sha)


def test_a_file_that_is_not_a_picture_is_refused(db: Session, world) -> None:
    before = counts(db)
    item = single(stem="![x](x.png)")
    item.media = {"x.png": b"<svg onload=alert(1)></svg>"}
    with pytest.raises(Invalid) as refused:
        create(db, world, item)
    assert "x.png" in refused.value.translated()
    assert counts(db) == before


def _every_type() -> list[Item]:
    return [
        single(title="Một lựa chọn", level="nhan_biet", difficulty=1, tags=["địa lí"]),
        Item(QType.multiple, "Chọn các số nguyên tố.", title="Nhiều lựa chọn",
             choices=[Choice("2", True), Choice("4"), Choice("5", True)]),
        Item(QType.true_false, "Chè Tân Cương ở Thái Nguyên.", title="Đúng sai", choices=true_false_choices(True)),
        Item(QType.tf_group, "Về cây chè:", title="Nhóm đúng sai", statements=[
            TFStatement("Chè là cây công nghiệp.", True), TFStatement("Chè ưa đất ngập nước.", False),
            TFStatement("Búp chè hái vào buổi sáng.", True), TFStatement("Chè chỉ trồng ở miền Nam.", False)]),
        Item(QType.numeric, "Giá trị của $\\sqrt{2}$ làm tròn đến hàng phần trăm.", title="Số",
             numeric=[NumericKey(Decimal("1.41"), Decimal("0.005"))]),
        Item(QType.short_text, "Thủ đô của Lào là?", title="Trả lời ngắn", accepted=["Viêng Chăn", "Vientiane"]),
        Item(QType.matching, "Ghép tỉnh với vùng chè.", title="Ghép", pairs=[
            Pair("Thái Nguyên", "Tân Cương"), Pair("Lâm Đồng", "Bảo Lộc")]),
        Item(QType.cloze, "Sông Hồng chảy qua {1} của Việt Nam.", title="Điền",
             blanks=[Blank(options=["Hà Nội", "Huế", "Đà Nẵng"])]),
        Item(QType.essay, "Trình bày ba điều kiện tự nhiên của cây chè.", title="Tự luận"),
    ]


@pytest.mark.parametrize("fmt", ["xml", "gift"])
def test_export_then_import_gives_back_every_question(db: Session, world, fmt: str) -> None:
    items = _every_type()
    if fmt == "xml":
        items.append(Item(QType.ordering, "Xếp theo thứ tự.", title="Thứ tự", order=["Hái", "Héo", "Sao"]))
    created = bank.import_items(db=db, actor=world.teacher, subject_id=world.subject.id, grade=9, items=items,
                                source="test")
    exported = bank.export_items(db=db, actor=world.teacher, ids=created.question_ids)
    if fmt == "xml":
        back = parse_moodle_xml(bank.export_moodle_xml(exported))
    else:
        back = parse_gift(bank.export_gift(exported))
    assert back.clean and not back.skipped, back.problems
    again = bank.import_items(db=db, actor=world.teacher, subject_id=world.subject.id, grade=9, items=back.items,
                              source=fmt)
    stored = bank.export_items(db=db, actor=world.teacher, ids=again.question_ids)
    assert [to_data(i) for i in stored] == [to_data(bank.normalised(i)) for i in items]


def test_gift_export_names_a_question_gift_cannot_hold(db: Session, world) -> None:
    ordering = Item(QType.ordering, "Xếp theo thứ tự.", title="Thứ tự", order=["Hái", "Héo", "Sao"])
    created = bank.import_items(db=db, actor=world.teacher, subject_id=world.subject.id, grade=9,
                                items=[single(), ordering], source="test")
    items = bank.export_items(db=db, actor=world.teacher, ids=created.question_ids)
    with pytest.raises(Invalid) as refused:
        bank.export_gift(items)
    assert "Thứ tự" in refused.value.translated()


def test_an_import_with_one_bad_question_stores_nothing(db: Session, world) -> None:
    before = counts(db)
    bad = Item(QType.single, "Không có đáp án", choices=[Choice("A"), Choice("B")], title="Câu 2")
    with pytest.raises(Invalid) as refused:
        bank.import_items(db=db, actor=world.teacher, subject_id=world.subject.id, grade=6,
                          items=[single(), bad], source="gift")
    assert "Câu 2" in refused.value.translated()
    assert counts(db) == before


def test_a_crash_in_the_middle_of_an_import_leaves_no_question_and_no_new_file(db: Session, world,
                                                                             monkeypatch) -> None:
    before = counts(db)
    items = []
    for k in range(3):
        item = single(stem=f"Câu {k} ![h](h{k}.png)")
        item.media = {f"h{k}.png": png()}
        items.append(item)
    shas = [hashlib.sha256(i.media[f"h{k}.png"]).hexdigest() for k, i in enumerate(items)]
    real = bank.to_data
    calls = {"n": 0}

    def crash_on_third(item: Item) -> dict:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the server stopped")
        return real(item)

    monkeypatch.setattr(bank, "to_data", crash_on_third)
    with pytest.raises(RuntimeError):
        bank.import_items(db=db, actor=world.teacher, subject_id=world.subject.id, grade=6, items=items, source="gift")
    assert counts(db) == before
    assert not any(storage.path_for(sha).exists() for sha in shas)


def test_an_image_already_stored_stays_when_an_import_fails(db: Session, world, monkeypatch) -> None:
    picture = png()
    kept = single(stem="![h](h.png)")
    kept.media = {"h.png": picture}
    create(db, world, kept)
    again = single(stem="Lại ![h](h.png)")
    again.media = {"h.png": picture}
    monkeypatch.setattr(bank, "to_data", lambda item: (_ for _ in ()).throw(RuntimeError("stop")))
    with pytest.raises(RuntimeError):
        bank.import_items(db=db, actor=world.teacher, subject_id=world.subject.id, grade=6, items=[again], source="x")
    assert storage.path_for(hashlib.sha256(picture).hexdigest()).read_bytes() == picture
