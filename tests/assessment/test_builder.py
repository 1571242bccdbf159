"""Exam builder: questions are drawn by topic, part and level, never twice; what the bank lacks is reported per cell
exactly; versions shuffle questions and options with keys that follow; a seed gives the same exam again; the exam
record gives back the same versions and a changed record is refused; nobody draws questions they may not see."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lms_core.assessment import bank, builder
from lms_core.assessment.blueprint import Blueprint, Part, Row
from lms_core.assessment.builder import Candidate, answer_key, build, candidate, draw
from lms_core.assessment.items import Choice, Criterion, Item, Level, NumericKey, QType, TFStatement
from lms_core.errors import Forbidden, Invalid

R, U, A, H = Level.recognise, Level.understand, Level.apply, Level.apply_high


def single(n: int, level: Level = R, *, tags: tuple[str, ...] = ("hàm số",), answer: int = 0) -> Item:
    """Return a single-choice question with four options, the `answer`-th correct."""
    return Item(QType.single, f"Câu hỏi trắc nghiệm số {n}: giá trị của $x^{n}$ khi $x = 1$?", level=level.value,
                tags=list(tags), choices=[Choice(f"Phương án {n}.{k}", correct=k == answer) for k in range(4)])


def group(n: int, level: Level = U, *, tags: tuple[str, ...] = ("hàm số",)) -> Item:
    return Item(QType.tf_group, f"Chè Tân Cương, nhóm ý số {n}:", level=level.value, tags=list(tags), statements=[
        TFStatement(f"Ý a của câu {n}.", True), TFStatement(f"Ý b của câu {n}.", False),
        TFStatement(f"Ý c của câu {n}.", False), TFStatement(f"Ý d của câu {n}.", True)])


def number(n: int, level: Level = A, *, tags: tuple[str, ...] = ("hàm số",)) -> Item:
    return Item(QType.numeric, f"Tính giá trị số {n} chia 4.", level=level.value, tags=list(tags),
                numeric=[NumericKey(Decimal(n) / 4)])


def essay(n: int, level: Level = H, *, tags: tuple[str, ...] = ("hàm số",)) -> Item:
    return Item(QType.essay, f"Bài tự luận số {n}: giải phương trình $x^2 - 5x + 6 = 0$.", level=level.value,
                tags=list(tags), rubric=[Criterion("Tính biệt thức", Decimal(1)), Criterion("Kết luận", Decimal(1))])


def pool(items: list[Item], start: int = 1) -> list[Candidate]:
    """Return candidates of items with ids from start (version id = 1000 + question id)."""
    return [candidate(start + k, 1000 + start + k, item, item.tags) for k, item in enumerate(items)]


def small_blueprint(**counts: int) -> Blueprint:
    """Return a one-topic blueprint: 8 single (R) × 0,5 + 2 groups (U) × 1 + 2 numeric (A) × 0,5 + 1 essay (H) × 3."""
    return Blueprint(title="Kiểm tra 45 phút", subject_id=1, grade=10,
                     points={Part.single: Decimal("0.5"), Part.tf_group: Decimal(1), Part.short: Decimal("0.5"),
                             Part.essay: Decimal(3)},
                     rows=[Row("Hàm số", tag="Hàm số", counts={(Part.single, R): counts.get("single", 8),
                                                             (Part.tf_group, U): counts.get("group", 2),
                                                             (Part.short, A): counts.get("short", 2),
                                                             (Part.essay, H): counts.get("essay", 1)})])


def full_pool() -> list[Candidate]:
    return pool([single(n, answer=n % 4) for n in range(12)] + [group(n) for n in range(3)]
                + [number(n) for n in range(3)] + [essay(n) for n in range(2)])


def test_drawing_takes_the_right_questions_and_never_one_twice() -> None:
    bp = small_blueprint()
    noise = pool([single(90, U), group(91, R), Item(QType.multiple, "Chọn các số chẵn.", level="nhan_biet",
                  tags=["hàm số"], choices=[Choice("2", True), Choice("3"), Choice("4", True)]),
                  single(92, tags=("lượng giác",))], start=90)
    drawn = draw(bp, full_pool() + noise, "seed-1")
    assert drawn.complete
    ids = [c.question_id for picks in drawn.picks.values() for c in picks]
    assert len(ids) == len(set(ids)) == 13
    assert not set(ids) & {90, 91, 92, 93}  # wrong level, wrong type or wrong topic
    assert all(c.item.type == QType.single and c.item.level == R.value for c in drawn.picks[0, Part.single, R])


def test_a_question_fitting_two_topics_is_moved_so_both_are_filled() -> None:
    bp = Blueprint(title="Đề", grade=10, rows=[Row("Chủ đề 1", tag="a", counts={(Part.single, R): 1}),
                                              Row("Chủ đề 2", tag="b", counts={(Part.single, R): 1})])
    both, only_a = single(1, tags=("a", "b")), single(2, tags=("a",))
    for seed in ("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"):
        drawn = draw(bp, pool([both, only_a]), seed)
        assert drawn.complete, seed
        assert [c.question_id for c in drawn.picks[1, Part.single, R]] == [1]
        assert [c.question_id for c in drawn.picks[0, Part.single, R]] == [2]


def test_missing_questions_are_reported_per_cell_exactly() -> None:
    bp = Blueprint(title="Đề", grade=10, rows=[
        Row("Chủ đề 1", tag="a", counts={(Part.single, R): 2}),
        Row("Chủ đề 2", tag="b", counts={(Part.single, A): 2, (Part.single, R): 1})])
    drawn = draw(bp, pool([single(1, tags=("a",)), single(2, tags=("a", "b")), single(3, A, tags=("b",))]), "x")
    assert not drawn.complete
    short = {(c.topic, c.level): (c.needed, c.available, c.drawn) for c in drawn.shortages}
    assert short == {("Chủ đề 2", A): (2, 1, 1), ("Chủ đề 2", R): (1, 1, 0)}
    apply = next(c for c in drawn.shortages if c.level == A)
    message, params = apply.message()
    assert message == builder.NEEDED_HAVE
    assert message.format(**params).startswith("Chủ đề 2 × Application (Part I: single choice): 2 questions needed, "
                                               "1 in the bank.")
    shared = next(c for c in drawn.shortages if c.level == R)
    message, params = shared.message()
    assert message == builder.NEEDED_SHARED and params["used"] == 1  # its only question went to topic 1
    with pytest.raises(Invalid) as refused:
        build(bp, drawn, "x")
    assert refused.value.message == builder.SHORTAGE


def test_versions_have_the_same_questions_in_other_orders_and_keys_that_follow_the_options() -> None:
    bp = small_blueprint()
    exam = build(bp, draw(bp, full_pool(), "lop-10a"), "lop-10a", versions=4)
    assert [v.code for v in exam.versions] == ["101", "102", "103", "104"]
    layouts = [[(p.slot, tuple(p.options or ())) for p in v.questions] for v in exam.versions]
    assert len({tuple(layout) for layout in layouts}) == 4
    assert len({tuple(p.slot for p in v.questions[:8]) for v in exam.versions}) > 1  # questions reordered
    for version in exam.versions:
        assert sorted(p.slot for p in version.questions) == list(range(13))
        assert [part for part, _ in exam.parts_of(version)] == [Part.single, Part.tf_group, Part.short, Part.essay]
        for entry, placed in zip(answer_key(exam, version), version.questions, strict=True):
            item = exam.slots[placed.slot].item
            if item.type == QType.single:
                shown = [item.choices[k] for k in placed.options]
                assert [c.correct for c in shown].index(True) == "ABCD".index(entry.letters)
                assert sorted(placed.options) == [0, 1, 2, 3]
            elif item.type == QType.tf_group:
                assert placed.options is None and entry.truths == [True, False, False, True]  # a–d keep their order
        numbers = [(e.part, e.number) for e in answer_key(exam, version)]
        assert numbers[:3] == [(Part.single, 1), (Part.single, 2), (Part.single, 3)] and (Part.tf_group, 1) in numbers
    shuffled = {tuple(p.options) for v in exam.versions for p in v.questions if p.options}
    assert len(shuffled) > 1


def test_numeric_and_essay_keys() -> None:
    bp = small_blueprint(single=0, group=0, short=2, essay=1)
    bp.points[Part.short], bp.points[Part.essay] = Decimal(2), Decimal(6)
    exam = build(bp, draw(bp, pool([number(2), number(6), essay(1)]), "k"), "k", versions=1)
    keys = answer_key(exam, exam.versions[0])
    assert sorted(e.text for e in keys if e.part == Part.short) == ["0,5", "1,5"]
    essay_key = next(e for e in keys if e.part == Part.essay)
    assert essay_key.points == Decimal(6) and [c.text for c in essay_key.item.rubric] == ["Tính biệt thức", "Kết luận"]


def test_options_that_name_other_options_keep_their_order() -> None:
    item = Item(QType.single, "Chọn câu đúng.", level="nhan_biet", tags=["hàm số"], choices=[
        Choice("Hai"), Choice("Ba"), Choice("Bốn"), Choice("Cả A và B đều đúng", True)])
    bp = small_blueprint(single=1, group=0, short=0, essay=0)
    exam = build(bp, draw(bp, pool([item]), "z"), "z", versions=3)
    assert all(v.questions[0].options == [0, 1, 2, 3] for v in exam.versions)
    assert answer_key(exam, exam.versions[0])[0].letters == "D"


def test_the_same_seed_gives_the_same_exam_and_another_seed_another() -> None:
    bp = small_blueprint()
    first = builder.record_json(build(bp, draw(bp, full_pool(), "abc"), "abc", versions=3))
    again = builder.record_json(build(bp, draw(bp, list(reversed(full_pool())), "abc"), "abc", versions=3))
    other = builder.record_json(build(bp, draw(bp, full_pool(), "abd"), "abd", versions=3))
    assert first == again
    assert json.loads(first)["versions"] != json.loads(other)["versions"]


def test_bad_seed_and_version_counts_are_refused() -> None:
    bp = small_blueprint()
    with pytest.raises(Invalid):
        draw(bp, full_pool(), "không hợp lệ")
    drawn = draw(bp, full_pool(), "ok")
    for count in (0, builder.MAX_VERSIONS + 1):
        with pytest.raises(Invalid) as refused:
            build(bp, drawn, "ok", versions=count)
        assert refused.value.message == builder.BAD_VERSIONS


def _items(exam: Any) -> dict[int, tuple[int, Item]]:
    return {s.version_id: (s.question_id, s.item) for s in exam.slots}


def test_the_record_gives_back_the_same_versions_and_a_changed_one_is_refused() -> None:
    bp = small_blueprint()
    exam = build(bp, draw(bp, full_pool(), "rec"), "rec", versions=2)
    text = builder.record_json(exam)
    again = builder.exam_from_record(builder.parse_record(text), _items(exam))
    assert builder.record_json(again) == text
    assert answer_key(again, again.versions[1]) == answer_key(exam, exam.versions[1])
    data = json.loads(text)
    broken: list[dict[str, Any]] = []
    for change in ("options", "twice", "parts", "code", "points"):
        copy = json.loads(text)
        first = copy["versions"][0]["questions"]
        if change == "options":
            first[0][1] = [0, 0, 1, 2]
        elif change == "twice":
            first[1][0] = first[0][0]
        elif change == "parts":
            first[0], first[-1] = first[-1], first[0]
        elif change == "code":
            copy["versions"][1]["code"] = copy["versions"][0]["code"]
        else:
            copy["questions"][0]["points"] = "-1"
        broken.append(copy)
    for copy in broken:
        with pytest.raises(Invalid) as refused:
            builder.exam_from_record(builder.parse_record(json.dumps(copy)), _items(exam))
        assert refused.value.message == builder.BAD_RECORD
    with pytest.raises(Invalid) as gone:
        items = _items(exam)
        items.pop(data["questions"][0]["version_id"])
        builder.exam_from_record(builder.parse_record(text), items)
    assert gone.value.message == builder.RECORD_GONE
    for junk in ("", "{}", "[1]", '{"format": "truongso-exam"}'):
        with pytest.raises(Invalid):
            builder.parse_record(junk)


# ---- from the bank (database) -------------------------------------------------------------------------------------

def store(db: Session, world: Any, items: list[Item], *, owner: Any = None, visibility: str = "school",
          grade: int = 6, curriculum: tuple[int, ...] = ()) -> list[int]:
    """Store bank questions through the bank service and return their ids."""
    owner = owner or world.teacher
    return [bank.create_question(db=db, actor=owner, subject_id=world.subject.id, grade=grade, item=item,
                                 visibility=visibility, curriculum_item_ids=curriculum).id for item in items]


def bank_blueprint(world: Any, **counts: int) -> Blueprint:
    bp = small_blueprint(**counts)
    bp.subject_id, bp.grade = world.subject.id, 6
    return bp


def test_drawing_from_the_bank_uses_tags_curriculum_items_subject_and_grade(db: Session, world) -> None:
    store(db, world, [single(n) for n in range(3)])
    store(db, world, [single(10 + n, tags=()) for n in range(2)], curriculum=(77,))
    store(db, world, [single(20)], grade=7)
    bp = Blueprint(title="Đề", subject_id=world.subject.id, grade=6, points={**small_blueprint().points,
                                                                            Part.single: Decimal(2)},
                   rows=[Row("Hàm số", tag="HÀM SỐ", counts={(Part.single, R): 3}),
                         Row("Nội dung 77", curriculum_item_id=77, counts={(Part.single, R): 2})])
    drawn = builder.draw_from_bank(db=db, actor=world.teacher, bp=bp, seed="db")
    assert drawn.complete
    assert sorted(c.item.stem[:25] for c in drawn.picks[1, Part.single, R]) == [
        "Câu hỏi trắc nghiệm số 10", "Câu hỏi trắc nghiệm số 11"]


def test_a_teacher_of_another_school_cannot_draw_this_schools_questions(db: Session, world) -> None:
    store(db, world, [single(n) for n in range(8)] + [group(n) for n in range(2)] + [number(n) for n in range(2)]
          + [essay(1)])
    bp = bank_blueprint(world)
    exam = builder.build_from_bank(db=db, actor=world.teacher, bp=bp, seed="s", versions=2)
    assert len(exam.slots) == 13
    outsider = builder.draw_from_bank(db=db, actor=world.other_school_teacher, bp=bp, seed="s")
    assert [c.available for c in outsider.cells] == [0, 0, 0, 0]
    with pytest.raises(Invalid) as refused:
        builder.build_from_bank(db=db, actor=world.other_school_teacher, bp=bp, seed="s", versions=2)
    assert refused.value.message == builder.SHORTAGE and len(refused.value.details) == 4
    with pytest.raises(Invalid) as gone:
        builder.load_record(db=db, actor=world.other_school_teacher, data=builder.record_json(exam))
    assert gone.value.message == builder.RECORD_GONE
    again = builder.load_record(db=db, actor=world.teacher, data=builder.record_json(exam))
    assert builder.record_json(again) == builder.record_json(exam)


def test_private_questions_stay_with_their_owner_and_students_draw_nothing(db: Session, world) -> None:
    store(db, world, [single(n) for n in range(8)], visibility="private")
    bp = bank_blueprint(world, group=0, short=0, essay=0)
    bp.points[Part.single] = Decimal("1.25")
    assert builder.draw_from_bank(db=db, actor=world.teacher, bp=bp, seed="p").complete
    colleague = builder.draw_from_bank(db=db, actor=world.other_teacher, bp=bp, seed="p")
    assert colleague.cells[0].available == 0
    with pytest.raises(Forbidden):
        builder.candidates(db=db, actor=world.student, subject_id=world.subject.id, grade=6)
