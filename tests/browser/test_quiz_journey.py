"""The quiz journey in a real browser: a teacher imports a GIFT file into the question bank (preview, then confirm)
and builds a quiz from it; a student answers part of it (quiz.js saves each answer), reloads and finds the answers
kept, answers the rest and submits; the teacher's results show the score worked out by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms_core import demo
from lms_core.demo import DEMO_PASSWORD
from tests.web.test_accessibility import _check

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GIFT = Path(__file__).resolve().parents[1] / "fixtures" / "assessment" / "quiz_journey.gift"
TITLES = ("Từ vựng: teacher", "Ngữ pháp: She go", "Chia táo", "Viết từ: con mèo", "Ngữ pháp: I am")
QUIZ_TITLE = "Kiểm tra nhanh Unit 1"


def _login(page, base: str, username: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url("**/dashboard")


def _logout(page) -> None:  # noqa: ANN001
    page.locator("form[action='/logout'] button").click()
    page.wait_for_url("**/login")


def _question(page, stem: str):  # noqa: ANN001, ANN202
    """Return the fieldset of the attempt's question whose text holds `stem` (the order is the quiz's, not ours)."""
    return page.locator("form[data-quiz] fieldset[data-slot]", has_text=stem)


def _wait_saved(fieldset) -> None:  # noqa: ANN001
    """Wait until quiz.js reports the question's answer saved (its status line filled, not marked as an error)."""
    from playwright.sync_api import expect

    status = fieldset.locator("[data-saved]")
    expect(status).to_have_text(re.compile(r"\S"), timeout=10_000)
    expect(status).to_have_class("saved")


def _assert_first_answers_kept(page) -> None:  # noqa: ANN001
    """Assert the page shows the three answers saved before the reload, and nothing for the other two."""
    assert _question(page, "“teacher”").get_by_label("giáo viên", exact=True).is_checked()
    assert not _question(page, "“teacher”").get_by_label("học sinh", exact=True).is_checked()
    assert _question(page, "She go to school").get_by_label("Sai", exact=True).is_checked()
    assert _question(page, "Nam có 5 quả táo").locator("input[inputmode=decimal]").input_value() == "2,5"
    assert _question(page, "“con mèo”").locator("input").input_value() == ""
    assert _question(page, "I ___ a student.").locator("input:checked").count() == 0


def _import_questions(page, base: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/question-bank/import")
    page.locator("#subject_id").select_option(label="Tiếng Anh")
    page.locator("#grade").select_option("6")
    page.locator("#file").set_input_files(str(GIFT))
    page.locator("form[action='/question-bank/import'] button[type=submit]").click()
    page.wait_for_load_state()
    preview = page.locator("ol.questions > li")
    assert preview.count() == len(TITLES)  # every question shown before anything is stored
    assert "Nam có 5 quả táo" in preview.nth(2).inner_text()
    _check(page.content())
    page.locator("form[action='/question-bank/import/confirm'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/question-bank\?mine=1&imported={len(TITLES)}$"))


def _build_quiz(page, base: str) -> str:  # noqa: ANN001
    """Create a course for 6A with a unit, a lesson and a quiz of the imported questions; return the quiz's URL."""
    page.goto(f"{base}/courses/new")
    page.locator("#title").fill("Tiếng Anh 6 — kiểm tra trực tuyến")
    page.locator("#subject_id").select_option(label="Tiếng Anh")
    page.locator("#grade").select_option("6")
    page.locator("label", has_text=re.compile(r"^\s*6A \(")).locator("input[name=class_ids]").check()
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/courses/\d+\?created=1$"))
    page.locator("#unit-title").fill("Unit 1: My new school")
    page.locator("form[action$='/units'] button").click()
    page.locator("details summary").first.click()
    page.locator("input[name=title][id^=lesson-title]").fill("Bài 1: Ôn tập từ vựng")
    page.locator("form[action$='/lessons'] button").click()
    page.wait_for_url(re.compile(r".*/lessons/\d+$"))

    form = page.locator("form[action$='/quizzes']")
    page.locator("details", has=form).locator("summary").click()
    form.locator("#quiz-title").fill(QUIZ_TITLE)
    for title in TITLES:
        form.get_by_label(title, exact=True).check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/lessons/\d+\?added=1$"))
    link = page.locator("ol.activities li a", has_text=QUIZ_TITLE)
    return base + link.get_attribute("href")


def test_teacher_imports_questions_builds_a_quiz_student_resumes_submits_teacher_sees_score(
        live_server: str, page, shots) -> None:  # noqa: ANN001
    base = live_server
    _login(page, base, "gv.lan")
    _import_questions(page, base)
    quiz_url = _build_quiz(page, base)
    _logout(page)

    _login(page, base, "hs6a.01")
    student_name = page.get_by_role("heading", level=1).inner_text().split(",", 1)[1].strip()  # "Xin chào, <name>"
    page.goto(quiz_url)
    page.locator("form[action$='/quiz/start'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/activities/\d+#quiz$"))
    assert page.locator("form[data-quiz] fieldset[data-slot]").count() == len(TITLES)
    _check(page.content())

    # three answers, each saved by quiz.js as it changes (the form itself is never posted)
    teacher_q = _question(page, "“teacher”")
    teacher_q.get_by_label("giáo viên", exact=True).check()
    _wait_saved(teacher_q)
    grammar_q = _question(page, "She go to school")
    grammar_q.get_by_label("Sai", exact=True).check()  # the option texts the GIFT importer gives a true/false question
    _wait_saved(grammar_q)
    apples_q = _question(page, "Nam có 5 quả táo")
    apples_q.locator("input[inputmode=decimal]").fill("2,5")
    apples_q.locator("input[inputmode=decimal]").press("Tab")  # the change event saves at once
    _wait_saved(apples_q)

    page.reload()
    _assert_first_answers_kept(page)
    other_tab = page.context.new_page()  # a fresh load, where the browser cannot restore the form's state itself
    other_tab.goto(quiz_url)
    _assert_first_answers_kept(other_tab)
    other_tab.close()
    cat_q = _question(page, "“con mèo”")
    page.screenshot(path=str(shots / "quiz-resumed.png"), full_page=True)

    cat_q.locator("input").fill("cat")
    cat_q.locator("input").press("Tab")
    _wait_saved(cat_q)
    am_q = _question(page, "I ___ a student.")
    am_q.get_by_label("is", exact=True).check()  # wrong on purpose: the key is "am"
    _wait_saved(am_q)
    page.locator("form[data-quiz] button[data-submit]").click()
    page.wait_for_url(re.compile(r".*\?submitted=1#quiz$"))
    assert page.locator("form[data-quiz]").count() == 0
    # 4 of 5 questions right, one point each: 4 / 5 → 8.0 out of 10
    attempts = page.locator("#quiz ul li")
    assert attempts.count() == 1 and re.search(r"\b8\.0\s*/\s*10\b", attempts.first.inner_text())
    page.screenshot(path=str(shots / "quiz-submitted.png"), full_page=True)
    _logout(page)

    _login(page, base, "gv.lan")
    page.goto(quiz_url)
    page.locator("a[href$='/quiz/results']").first.click()
    page.wait_for_url(re.compile(r".*/quiz/results$"))
    rows = page.locator("table tbody tr")
    scored = [rows.nth(i).locator("td") for i in range(rows.count())
              if rows.nth(i).locator("td").nth(2).inner_text().strip() != "—"]
    assert len(scored) == 1
    assert scored[0].nth(0).inner_text().strip() == student_name
    assert scored[0].nth(1).inner_text().strip() == "1" and scored[0].nth(2).inner_text().strip() == "8.0"
    assert rows.count() == demo.STUDENTS_PER_CLASS  # every demo student of 6A is listed, the others without a score
    _check(page.content())
    page.screenshot(path=str(shots / "quiz-results.png"), full_page=True)
