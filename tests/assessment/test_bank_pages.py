"""Question bank pages: a teacher imports files after a preview (nothing stored until a clean preview is
confirmed), writes and edits questions in a form, reads them with maths rendered, exports them; others see
only what they may, and every page passes the accessibility check."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.assessment.formats.excel import HEADERS, template_xlsx
from lms_core.assessment.models import Question, QuestionMedia, QuestionVersion
from lms_core.assessment.bank_pages import detect_format
from lms_core.errors import Invalid
from tests.fixtures.assessment import make_docx as gen
from tests.web.test_accessibility import _check

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "assessment"
GIFT = """// [tag:chè]
::Câu 1::Chè Tân Cương được trồng ở tỉnh nào? {
=Thái Nguyên
~Lâm Đồng
~Hà Giang
}

::Câu 2::Giá trị của $\\sqrt\\{2\\}$ làm tròn đến hàng phần trăm {#1.41:0.005}

::Câu 3::Hà Nội là thủ đô của Việt Nam.{T}
"""
BAD_GIFT = GIFT + """
::Câu 4::Câu này thiếu dấu đóng {
=Một
~Hai
"""


def counts(db: Session) -> tuple[int, int]:
    db.expire_all()
    return (db.scalar(select(func.count()).select_from(Question)),
            db.scalar(select(func.count()).select_from(QuestionVersion)))


def upload(client, data: bytes, name: str, world, grade: int = 10):  # noqa: ANN001, ANN201
    return client.post("/question-bank/import", data={"subject_id": str(world.subject.id), "grade": str(grade)},
                       files={"file": (name, data, "application/octet-stream")})


def token_of(page: str) -> str:
    match = re.search(r'name="token" value="([0-9a-f]{64})"', page)
    assert match, "no confirm form"
    return match[1]


def test_a_gift_file_is_previewed_then_imported_on_confirmation(db: Session, world, client_for) -> None:
    client = client_for(world.teacher)
    form = client.get("/question-bank/import")
    assert form.status_code == 200 and "/question-bank/import/template.xlsx" in form.text
    _check(form.text)
    before = counts(db)
    preview = upload(client, GIFT.encode(), "de.txt", world)
    assert preview.status_code == 200, preview.text[:500]
    _check(preview.text)
    assert "Chè Tân Cương được trồng ở tỉnh nào?" in preview.text
    assert "<math" in preview.text  # the maths is rendered
    assert preview.text.count('<li>\n      <p class="meta">') == 3  # every question is listed
    assert counts(db) == before  # a preview stores nothing
    done = client.post("/question-bank/import/confirm", data={"token": token_of(preview.text)})
    assert done.status_code == 303 and done.headers["location"].startswith("/question-bank?mine=1&imported=3")
    questions = db.scalars(select(Question).order_by(Question.id)).all()
    assert [q.type for q in questions] == ["single", "numeric", "true_false"]
    assert all(q.grade == 10 and q.owner_id == world.teacher.id for q in questions)
    assert db.get(QuestionVersion, questions[0].current_version_id).source == "gift"
    listing = client.get(done.headers["location"])
    assert listing.status_code == 200 and "Chè Tân Cương được trồng ở tỉnh nào?" in listing.text
    _check(listing.text)
    again = client.post("/question-bank/import/confirm", data={"token": token_of(preview.text)})
    assert again.status_code == 404  # the upload was used once
    assert counts(db)[0] == 3


def test_a_file_with_one_bad_question_shows_it_and_imports_nothing(db: Session, world, client_for) -> None:
    client = client_for(world.teacher)
    before = counts(db)
    preview = upload(client, BAD_GIFT.encode(), "de.gift", world)
    assert preview.status_code == 422
    _check(preview.text)
    assert 'role="alert"' in preview.text and "line 12" in preview.text
    assert 'name="token"' not in preview.text
    forged = client.post("/question-bank/import/confirm", data={"token": "a" * 64})
    assert forged.status_code == 404
    assert counts(db) == before


def test_a_token_of_another_teacher_imports_nothing(db: Session, world, client_for) -> None:
    preview = upload(client_for(world.teacher), GIFT.encode(), "de.txt", world)
    before = counts(db)
    stolen = client_for(world.other_teacher).post("/question-bank/import/confirm",
                                                  data={"token": token_of(preview.text)})
    assert stolen.status_code == 404
    assert counts(db) == before


def test_skipped_questions_are_listed_with_their_reason(db: Session, world, client_for) -> None:
    client = client_for(world.teacher)
    preview = upload(client, (FIXTURES / "sinh_hoc.moodle.xml").read_bytes(), "sinh_hoc.xml", world)
    assert preview.status_code == 422  # its question 9 lost an embedded picture: a problem to fix first
    _check(preview.text)
    assert "<td>question 9</td>" in preview.text
    skipped = preview.text.split('id="skipped"')[1].split("</section>")[0]
    assert "<td>question 11</td>" in skipped and "<td>question 12</td>" in skipped and "“calculated”" in skipped
    assert 'name="token"' not in preview.text


def test_a_word_file_with_a_picture_is_imported_and_the_picture_served(db: Session, world, client_for) -> None:
    docx = gen.make([
        ["Câu 1. Hình bên là lá của cây nào?"], [("picture",)],
        [("A. Cây chè.", "u")], ["B. Cây lúa."], ["C. Cây ngô."], ["D. Cây mía."],
        ["Câu 2. Thủ đô của Việt Nam là"], ["A. Huế."], [("B. Hà Nội.", "u")], ["C. Đà Nẵng."], ["D. Cần Thơ."],
    ])
    client = client_for(world.teacher)
    preview = upload(client, docx, "de-kiem-tra.docx", world, grade=6)
    assert preview.status_code == 200, preview.text[:800]
    _check(preview.text)
    done = client.post("/question-bank/import/confirm", data={"token": token_of(preview.text)})
    assert done.status_code == 303
    first = db.scalars(select(Question).order_by(Question.id)).first()
    media = db.scalars(select(QuestionMedia).where(QuestionMedia.question_id == first.id)).one()
    assert media.sha256 == hashlib.sha256(gen.png()).hexdigest() and media.media_type == "image/png"
    page = client.get(f"/question-bank/{first.id}")
    assert page.status_code == 200 and f'src="/question-images/{media.sha256}"' in page.text
    _check(page.text)
    image = client.get(f"/question-images/{media.sha256}")
    assert image.status_code == 200 and image.content == gen.png()
    assert image.headers["content-type"] == "image/png" and image.headers["x-content-type-options"] == "nosniff"
    assert client_for(world.other_school_teacher).get(f"/question-images/{media.sha256}").status_code == 404
    assert client_for(world.student).get(f"/question-images/{media.sha256}").status_code == 404
    assert client.get("/question-images/" + "0" * 64).status_code == 404


def test_an_excel_file_is_imported(db: Session, world, client_for) -> None:
    client = client_for(world.teacher)
    template = client.get("/question-bank/import/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    workbook = load_workbook(io.BytesIO(template_xlsx()))
    fields = list(HEADERS)

    def row(**values: object) -> list[object]:
        return [values.get(name) for name in fields]

    workbook.worksheets[0].append(row(type="Một lựa chọn", stem="Sông dài nhất Việt Nam?", A="Sông Hồng",
                                      B="Sông Mê Kông", C="Sông Đà", key="B", level="Nhận biết"))
    workbook.worksheets[0].append(row(type="Trả lời ngắn", stem="$2+3$ bằng bao nhiêu?", key="5"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = upload(client, buffer.getvalue(), "cau-hoi.xlsx", world)
    assert preview.status_code == 200, re.findall(r"<td>[^<]*</td>", preview.text)[:10]
    done = client.post("/question-bank/import/confirm", data={"token": token_of(preview.text)})
    assert done.status_code == 303
    questions = db.scalars(select(Question).order_by(Question.id)).all()
    assert [(q.type, q.level) for q in questions] == [("single", "nhan_biet"), ("numeric", None)]


def test_a_file_of_no_known_format_is_refused_clearly(db: Session, world, client_for) -> None:
    client = client_for(world.teacher)
    before = counts(db)
    for data, name in ((b"%PDF-1.4 ...", "de.pdf"), (b"\x89PNG\r\n\x1a\nxx", "de.png"),
                       ("Câu hỏi".encode("utf-16"), "de.txt"), (b"name,age\n", "de.csv")):
        refused = upload(client, data, name, world)
        assert refused.status_code == 422, name
        assert 'role="alert"' in refused.text
        _check(refused.text)
    assert counts(db) == before


def test_formats_are_told_apart_by_content_and_extension() -> None:
    assert detect_format(GIFT.encode(), "cau-hoi.txt") == "gift"
    assert detect_format((FIXTURES / "lich_su.aiken.txt").read_bytes(), "lich_su.txt") == "aiken"
    assert detect_format((FIXTURES / "sinh_hoc.moodle.xml").read_bytes(), "export.txt") == "moodle_xml"
    assert detect_format((FIXTURES / "key_bold.docx").read_bytes(), "tai-lieu") == "docx"
    assert detect_format(template_xlsx(), "mau") == "xlsx"
    try:
        detect_format(b"\xd0\xcf\x11\xe0" + b"\x00" * 20, "cu.xls")
    except Invalid as exc:
        assert "xls" in exc.message
    else:
        raise AssertionError("an old .xls file was accepted")


def test_export_downloads_import_back_through_the_pages(db: Session, world, client_for) -> None:
    client = client_for(world.teacher)
    preview = upload(client, (FIXTURES / "toan_dia_li.gift").read_bytes(), "toan.gift", world)
    assert preview.status_code == 200, re.findall(r"<td>[^<]*</td>", preview.text)[:10]
    client.post("/question-bank/import/confirm", data={"token": token_of(preview.text)})
    originals = db.scalars(select(Question).order_by(Question.id)).all()
    first_data = [db.get(QuestionVersion, q.current_version_id).data for q in originals]
    chosen_ids = "&".join(f"ids={q.id}" for q in originals)
    filtered = client.get("/question-bank/export?format=xml&mine=1")
    assert filtered.status_code == 200 and filtered.text.count("<questiontext") >= len(originals)
    for fmt in ("xml", "gift"):
        exported = client.get(f"/question-bank/export?format={fmt}&{chosen_ids}")
        assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
        again = upload(client, exported.content, f"lai.{'xml' if fmt == 'xml' else 'gift'}", world)
        assert again.status_code == 200, re.findall(r"<td>[^<]*</td>", again.text)[:10]
        client.post("/question-bank/import/confirm", data={"token": token_of(again.text)})
    db.expire_all()
    questions = db.scalars(select(Question).order_by(Question.id)).all()
    n = len(originals)
    assert len(questions) == 3 * n
    for round_trip in (questions[n:2 * n], questions[2 * n:]):
        assert [db.get(QuestionVersion, q.current_version_id).data for q in round_trip] == first_data
    one = client.get(f"/question-bank/export?format=xml&ids={originals[0].id}")
    assert one.text.count("<questiontext") == 1


def _form(world, **extra: object) -> dict[str, object]:  # noqa: ANN001
    return {"type": "single", "subject_id": str(world.subject.id), "grade": "6", "title": "Thủ đô",
            "stem": "Thủ đô của Việt Nam là $x^2$?", "option_0": "Huế", "option_1": "Hà Nội", "option_2": "Đà Nẵng",
            "correct": "1", "points": "0,5", "level": "nhan_biet", "tags": "địa lí, thủ đô", "visibility": "school",
            **extra}


def test_a_teacher_writes_reads_and_edits_a_question(db: Session, world, client_for) -> None:
    client = client_for(world.teacher)
    chooser = client.get("/question-bank/new")
    assert chooser.status_code == 200
    _check(chooser.text)
    for qtype in ("single", "multiple", "true_false", "tf_group", "numeric", "short_text", "matching", "ordering",
                  "cloze", "essay"):
        blank = client.get(f"/question-bank/new?type={qtype}")
        assert blank.status_code == 200, qtype
        _check(blank.text)
    created = client.post("/question-bank/new", data=_form(world))
    assert created.status_code == 303, created.text[:600]
    question_id = int(created.headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/question-bank/{question_id}")
    assert page.status_code == 200 and "<math" in page.text and "Hà Nội" in page.text
    _check(page.text)
    version = db.get(QuestionVersion, db.get(Question, question_id).current_version_id)
    assert version.data["points"] == "0.5" and version.data["choices"][1]["correct"] is True
    form = client.get(f"/question-bank/{question_id}/edit")
    assert form.status_code == 200 and 'value="Hà Nội"' in form.text
    _check(form.text)
    edited = client.post(f"/question-bank/{question_id}/edit", data=_form(world, option_3="Cần Thơ", note="thêm D"))
    assert edited.status_code == 303
    db.expire_all()
    versions = db.scalars(select(QuestionVersion).where(QuestionVersion.question_id == question_id)
                          .order_by(QuestionVersion.number)).all()
    assert [len(v.data["choices"]) for v in versions] == [3, 4]
    old = client.get(f"/question-bank/{question_id}?version=1")
    assert old.status_code == 200 and "Cần Thơ" not in old.text and "Cần Thơ" in client.get(f"/question-bank/{question_id}").text
    archived = client.post(f"/question-bank/{question_id}/archive", data={"archived": "1"})
    assert archived.status_code == 303 and db.get(Question, question_id).archived is True


def test_the_structured_forms_of_other_types(db: Session, world, client_for) -> None:
    client = client_for(world.teacher)
    forms = {
        "tf_group": {"statement_0": "Một", "truth_0": "true", "statement_1": "Hai", "truth_1": "false",
                     "statement_2": "Ba", "truth_2": "true", "statement_3": "Bốn", "truth_3": "false"},
        "numeric": {"numeric": "3,14 ± 0,01\n22/7"},
        "essay": {"rubric": "Nêu đúng ý | 1,5\nTrình bày rõ | 0,5"},
        "matching": {"pairs": "Thái Nguyên | Tân Cương\nLâm Đồng | Bảo Lộc"},
        "cloze": {"stem": "Sông Hồng chảy qua {1}.", "blanks": "options: Hà Nội | Huế"},
    }
    before = counts(db)
    bad_number = client.post("/question-bank/new", data=_form(world, type="numeric", **forms["numeric"]))
    assert bad_number.status_code == 422 and "22/7" in bad_number.text and 'role="alert"' in bad_number.text
    _check(bad_number.text)
    assert counts(db) == before
    forms["numeric"] = {"numeric": "3,14 ± 0,01"}
    stored = {}
    for qtype, fields in forms.items():
        response = client.post("/question-bank/new", data={**_form(world), "type": qtype, **fields})
        assert response.status_code == 303, (qtype, response.text[:800])
        question = db.get(Question, int(response.headers["location"].rsplit("/", 1)[1]))
        stored[qtype] = db.get(QuestionVersion, question.current_version_id).data
    assert [s["true"] for s in stored["tf_group"]["statements"]] == [True, False, True, False]
    assert stored["numeric"]["numeric"] == [{"value": "3.14", "tolerance": "0.01"}]
    assert [(r["text"], r["points"]) for r in stored["essay"]["rubric"]] == [("Nêu đúng ý", "1.5"),
                                                                             ("Trình bày rõ", "0.5")]
    assert stored["matching"]["pairs"][1] == {"left": "Lâm Đồng", "right": "Bảo Lộc"}
    assert stored["cloze"]["blanks"] == [{"accepted": [], "options": ["Hà Nội", "Huế"]}]


def test_a_refused_form_keeps_what_was_typed_and_stores_nothing(db: Session, world, client_for) -> None:
    client = client_for(world.teacher)
    before = counts(db)
    refused = client.post("/question-bank/new", data=_form(world, correct="", stem="Câu chưa có đáp án"))
    assert refused.status_code == 422 and "Câu chưa có đáp án" in refused.text and 'role="alert"' in refused.text
    _check(refused.text)
    assert counts(db) == before


def test_others_cannot_read_or_change_a_teachers_question(db: Session, world, client_for) -> None:
    created = client_for(world.teacher).post("/question-bank/new", data=_form(world, visibility="private"))
    question_id = int(created.headers["location"].rsplit("/", 1)[1])
    before = counts(db)
    outsider = client_for(world.other_school_teacher)
    assert outsider.get(f"/question-bank/{question_id}").status_code == 404
    assert outsider.post(f"/question-bank/{question_id}/edit", data=_form(world, stem="Đã sửa")).status_code == 404
    assert outsider.post(f"/question-bank/{question_id}/archive", data={"archived": "1"}).status_code == 404
    colleague = client_for(world.other_teacher)
    assert colleague.get(f"/question-bank/{question_id}").status_code == 404  # private
    student = client_for(world.student)
    assert student.get("/question-bank").status_code == 403
    assert student.get(f"/question-bank/{question_id}").status_code == 404
    assert student.get("/question-bank/import").status_code == 403
    assert student.get("/question-bank/export?format=xml").status_code == 403
    assert counts(db) == before
    db.expire_all()
    question = db.get(Question, question_id)
    assert question.archived is False
    assert db.get(QuestionVersion, question.current_version_id).data["stem"] == "Thủ đô của Việt Nam là $x^2$?"


def test_a_school_question_is_read_but_not_edited_by_a_colleague(db: Session, world, client_for) -> None:
    created = client_for(world.teacher).post("/question-bank/new", data=_form(world))
    question_id = int(created.headers["location"].rsplit("/", 1)[1])
    colleague = client_for(world.other_teacher)
    page = colleague.get(f"/question-bank/{question_id}")
    assert page.status_code == 200 and f"/question-bank/{question_id}/edit" not in page.text
    assert colleague.get(f"/question-bank/{question_id}/edit").status_code == 403
    assert colleague.post(f"/question-bank/{question_id}/edit", data=_form(world, stem="Sửa")).status_code == 403
    assert counts(db)[1] == 1


def test_teachers_find_the_bank_in_the_menu(world, client_for) -> None:
    assert 'href="/question-bank"' in client_for(world.teacher).get("/dashboard").text
    assert 'href="/question-bank"' not in client_for(world.student).get("/dashboard").text


def _posted(values: dict, place: dict) -> dict[str, object]:  # noqa: ANN001
    """Return the form fields a browser sends for the edit form filled with these values, unchanged."""
    data: dict[str, object] = {k: values[k] for k in (
        "type", "title", "stem", "points", "level", "difficulty", "tags", "curriculum", "general_feedback", "truth",
        "numeric", "accepted", "pairs", "order", "blanks", "rubric")}
    data.update({f"option_{k}": v for k, v in enumerate(values["options"])})
    data.update({f"feedback_{k}": v for k, v in enumerate(values["feedbacks"])})
    data.update({f"statement_{k}": v for k, v in enumerate(values["statements"])})
    data.update({f"truth_{k}": v for k, v in enumerate(values["truths"])})
    data["correct"] = sorted(values["correct"])
    data.update({k: "1" for k in ("case_sensitive", "accent_sensitive") if values[k]})
    data.update({k: str(v) for k, v in place.items()})
    return data


def test_saving_the_edit_form_unchanged_keeps_every_imported_question(db: Session, world, client_for) -> None:
    from lms_core.assessment import bank
    from lms_core.assessment.bank_pages import values_of

    client = client_for(world.teacher)
    preview = upload(client, (FIXTURES / "toan_dia_li.gift").read_bytes(), "toan.gift", world)
    client.post("/question-bank/import/confirm", data={"token": token_of(preview.text)})
    questions = db.scalars(select(Question).order_by(Question.id)).all()
    assert len({q.type for q in questions}) >= 8
    for question in questions:
        before = db.get(QuestionVersion, question.current_version_id).data
        values = values_of(bank.current_item(db, question))
        place = {"subject_id": question.subject_id, "grade": question.grade, "visibility": question.visibility}
        saved = client.post(f"/question-bank/{question.id}/edit", data=_posted(values, place))
        assert saved.status_code == 303, (question.type, saved.text[:300])
        db.expire_all()
        assert db.get(Question, question.id).current_version_id == question.current_version_id, question.type
        assert db.get(QuestionVersion, question.current_version_id).data == before
