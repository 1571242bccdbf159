"""Blueprint (ma trận đề): totals are checked against the exam's points, topics must say which questions they take,
the specification table carries the teacher's requirement texts, and the JSON and Excel files give back the same
blueprint while damaged or foreign files are refused with a clear message."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lms_core.assessment import blueprint as bpm
from lms_core.assessment.blueprint import Blueprint, Part, Row
from lms_core.assessment.items import Level
from lms_core.errors import Invalid
from tests.office import declare_entities

R, U, A, H = Level.recognise, Level.understand, Level.apply, Level.apply_high


def exam_2025() -> Blueprint:
    """Return a blueprint in the 2025 layout: 12×0,25 + 2×1 + 4×0,5 + 1×3 = 10 points, 19 questions."""
    return Blueprint(
        title="Kiểm tra giữa kỳ I", subject_id=1, grade=10, minutes=45,
        points={Part.single: Decimal("0.25"), Part.tf_group: Decimal(1), Part.short: Decimal("0.5"),
                Part.essay: Decimal(3)},
        rows=[
            Row("Chủ đề 1: Mệnh đề", tag="mệnh đề", counts={(Part.single, R): 4, (Part.single, U): 2,
                                                               (Part.tf_group, U): 1, (Part.short, A): 2},
                requirements={R: "Nhận biết được mệnh đề, mệnh đề phủ định.", A: "Vận dụng để xét tính đúng sai."}),
            Row("Chủ đề 2: Tập hợp", curriculum_item_id=42, counts={(Part.single, R): 4, (Part.single, U): 2,
                                                                    (Part.tf_group, A): 1, (Part.short, A): 2,
                                                                    (Part.essay, H): 1}),
        ])


def messages(bp: Blueprint) -> list[str]:
    return [p.message for p in bpm.validate(bp)]


def test_a_sound_blueprint_has_no_problem_and_its_totals_add_up() -> None:
    bp = exam_2025()
    assert bpm.validate(bp) == []
    sums = bpm.totals(bp)
    assert (sums.count, sums.points) == (19, Decimal(10))
    assert sums.by_part == {Part.single: 12, Part.tf_group: 2, Part.short: 4, Part.essay: 1}
    # recognition: 8 × 0,25 = 2 points = 20 %; application: 1 + 4 × 0,5 = 3 points = 30 %
    assert (sums.by_level[R], sums.points_by_level[R], sums.percent_by_level[R]) == (8, Decimal(2), Decimal(20))
    assert (sums.by_level[A], sums.points_by_level[A], sums.percent_by_level[A]) == (5, Decimal(3), Decimal(30))
    # topic 1: 6 × 0,25 + 1 + 2 × 0,5 = 3,5; topic 2: 6 × 0,25 + 1 + 2 × 0,5 + 3 = 6,5
    assert sums.points_by_row == [Decimal("3.5"), Decimal("6.5")]


def test_points_that_do_not_add_up_to_the_exam_total_are_refused_with_both_sums() -> None:
    bp = exam_2025()
    bp.points[Part.essay] = Decimal(2)
    problems = bpm.validate(bp)
    assert [p.message for p in problems] == [bpm.TOTAL_MISMATCH]
    assert problems[0].params == {"sum": "9", "total": "10"}
    with pytest.raises(Invalid) as refused:
        bpm.require_valid(bp)
    assert refused.value.message == bpm.TOTAL_MISMATCH


def test_the_teacher_may_set_another_total() -> None:
    bp = exam_2025()
    bp.total_points = Decimal(20)
    assert messages(bp) == [bpm.TOTAL_MISMATCH]
    bp.points = {part: value * 2 for part, value in bp.points.items()}
    assert messages(bp) == []


def test_rows_must_name_their_questions_and_not_repeat_a_topic() -> None:
    bp = exam_2025()
    bp.rows.append(Row("Chủ đề 3", counts={(Part.single, R): 1}))
    assert bpm.NO_TOPIC in messages(bp)
    bp.rows[-1].tag = "MỆNH ĐỀ"  # the same tag as topic 1, case aside
    assert bpm.SAME_TOPIC in messages(bp)
    bp.rows[-1] = Row("", tag="hàm số")
    assert bpm.NO_LABEL in messages(bp)


def test_empty_and_oversized_blueprints_are_refused() -> None:
    assert bpm.NO_ROWS in messages(Blueprint(title="Đề", grade=10))
    empty = Blueprint(title="Đề", grade=10, rows=[Row("Chủ đề", tag="x")])
    assert messages(empty) == [bpm.NO_QUESTIONS]
    huge = Blueprint(title="Đề", grade=10, rows=[Row(f"Chủ đề {i}", tag=f"t{i}", counts={(Part.single, R): 100})
                                                 for i in range(3)])
    assert messages(huge) == [bpm.TOO_MANY_QUESTIONS]
    bad = exam_2025()
    bad.points[Part.single] = Decimal(0)
    bad.minutes = 0
    bad.grade = 13
    assert {bpm.BAD_PART_POINTS, bpm.BAD_DURATION, bpm.BAD_GRADE} <= set(messages(bad))


def test_the_specification_table_lists_each_topic_and_level_with_its_requirement_and_counts() -> None:
    spec = bpm.specification(exam_2025())
    assert [row.label for row in spec] == ["Chủ đề 1: Mệnh đề", "Chủ đề 2: Tập hợp"]
    first = {cell.level: cell for cell in spec[0].cells}
    assert first[R].requirement == "Nhận biết được mệnh đề, mệnh đề phủ định."
    assert (first[R].count, first[U].count, first[A].count, first[H].count) == (4, 3, 2, 0)
    assert first[U].by_part == {Part.single: 2, Part.tf_group: 1, Part.short: 0, Part.essay: 0}
    assert spec[1].cells[3].requirement == "" and spec[1].cells[3].by_part[Part.essay] == 1


def test_json_gives_back_the_same_blueprint() -> None:
    bp = exam_2025()
    again = bpm.from_json(bpm.to_json(bp).encode())
    assert again == bp
    assert "Nhận biết được mệnh đề" in bpm.to_json(bp)  # kept readable, not escaped


@pytest.mark.parametrize("text", [
    b"not json", b"[]", b'{"format": "other", "rows": []}',
    b'{"format": "truongso-blueprint", "rows": [{"label": "A", "counts": {"V": {"nhan_biet": 1}}}]}',
    b'{"format": "truongso-blueprint", "rows": [{"label": "A", "counts": {"I": {"nhan_biet": -1}}}]}',
    b'{"format": "truongso-blueprint", "rows": [{"label": "A", "counts": {"I": {"nhan_biet": 1}}}], "grade": 99}',
    b'[' * 100_000,
])
def test_json_that_is_not_a_blueprint_is_refused(text: bytes) -> None:
    with pytest.raises(Invalid) as refused:
        bpm.from_json(text)
    assert refused.value.message == bpm.BAD_FILE


def test_excel_gives_back_the_same_blueprint_and_shows_the_matrix() -> None:
    bp = exam_2025()
    data = bpm.to_xlsx(bp)
    assert bpm.from_xlsx(data) == bp
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Thông tin", "Ma trận", "Đặc tả"]
    matrix = wb["Ma trận"]
    assert matrix["B3"].value == "Chủ đề 1: Mệnh đề" and matrix["E3"].value == 4  # part I, recognition
    assert matrix["B6"].value == "Tổng số câu" and matrix["U6"].value == 19 and matrix["V6"].value == 10
    assert wb["Đặc tả"]["C2"].value == "Nhận biết được mệnh đề, mệnh đề phủ định."


def test_a_teacher_edit_in_excel_is_read_and_a_bad_cell_is_named() -> None:
    wb = load_workbook(io.BytesIO(bpm.to_xlsx(exam_2025())))
    wb["Ma trận"]["E3"] = 6
    wb["Ma trận"]["E5"] = 0.5  # points per question of part I
    out = io.BytesIO()
    wb.save(out)
    edited = bpm.from_xlsx(out.getvalue())
    assert edited.rows[0].count(Part.single, R) == 6 and edited.points[Part.single] == Decimal("0.5")
    wb["Ma trận"]["F4"] = "hai"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(Invalid) as refused:
        bpm.from_xlsx(out.getvalue())
    assert refused.value.message == bpm.BAD_VALUE and refused.value.params == {"where": "Ma trận F4", "value": "hai"}


def test_foreign_and_hostile_excel_files_are_refused() -> None:
    from openpyxl import Workbook

    other = io.BytesIO()
    Workbook().save(other)
    with pytest.raises(Invalid) as refused:
        bpm.from_xlsx(other.getvalue())
    assert refused.value.message == bpm.BAD_FILE
    with pytest.raises(Invalid):
        bpm.from_xlsx(b"plain text, not a workbook")
    with pytest.raises(Invalid) as refused:
        bpm.from_xlsx(declare_entities(bpm.to_xlsx(exam_2025()), "xl/workbook.xml"))
    assert refused.value.message == bpm.BROKEN_FILE
