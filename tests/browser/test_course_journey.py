"""The course journey in a real browser: a teacher builds a lesson from a material, a student completes it,
the teacher sees the progress grid change."""

from __future__ import annotations

import re

import pytest

from lms_core import demo
from lms_core.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _login(page, base: str, username: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url("**/dashboard")


def _logout(page) -> None:  # noqa: ANN001
    page.locator("form[action='/logout'] button").click()
    page.wait_for_url("**/login")


def test_teacher_builds_a_lesson_student_completes_it_grid_changes(live_server: str, page, shots) -> None:  # noqa: ANN001
    base = live_server
    _login(page, base, "gv.lan")
    # a written page for the school, published at once (school visibility needs no review)
    page.goto(f"{base}/materials/new?kind=page")
    page.locator("#title").fill("Giới thiệu chè Tân Cương")
    page.locator("#visibility").select_option("school")
    page.locator("#body_markdown").fill("# Chè Tân Cương\n\nVùng chè nổi tiếng của Thái Nguyên.")
    page.locator("form[action='/materials/new'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/materials/\d+(\?.*)?$"))
    page.locator("form[action$='/publish'] button").click()
    page.wait_for_load_state()

    page.goto(f"{base}/courses/new")
    page.locator("#title").fill("Tiếng Anh 6 — học kết hợp")
    page.locator("#subject_id").select_option(label="Tiếng Anh")
    page.locator("#grade").select_option("6")
    page.locator("fieldset input[name=class_ids]").first.check()
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/courses/\d+\?created=1$"))
    course_url = page.url.split("?")[0]
    page.locator("#unit-title").fill("Unit 1: Tea of Thái Nguyên")
    page.locator("form[action$='/units'] button").click()
    page.locator("details summary").first.click()
    page.locator("input[name=title][id^=lesson-title]").fill("Bài 1: Đọc về chè")
    page.locator("form[action$='/lessons'] button").click()
    page.wait_for_url(re.compile(r".*/lessons/\d+$"))
    material_form = page.locator("form", has=page.locator("input[name=type][value=material]"))
    page.locator("details", has=page.locator("input[name=type][value=material]")).locator("summary").click()
    choice = material_form.locator("select[name=choice] option", has_text="Giới thiệu chè Tân Cương")
    material_form.locator("select[name=choice]").select_option(choice.get_attribute("value"))
    material_form.locator("input[name=title]").fill("Đọc bài giới thiệu")
    material_form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/lessons/\d+\?added=1$"))
    assert page.locator("ol.activities li").count() == 1
    page.goto(f"{course_url}/progress")
    rows = page.locator("table.grid tbody tr")
    n = demo.STUDENTS_PER_CLASS  # every demo student of 6A, none done yet
    assert rows.count() == n and all("0/1" in rows.nth(i).inner_text() for i in range(n))
    _logout(page)

    _login(page, base, "hs6a.01")
    student_name = page.get_by_role("heading", level=1).inner_text().split(",", 1)[1].strip()  # "Xin chào, <name>"
    page.goto(f"{base}/courses")
    card = page.locator("ul.cards li", has_text="Tiếng Anh 6 — học kết hợp")  # beside the demo's own courses
    card.locator("a.button").first.click()  # "Next: Đọc bài giới thiệu"
    page.wait_for_url(re.compile(r".*/activities/\d+$"))
    assert page.get_by_text("Vùng chè nổi tiếng của Thái Nguyên.").is_visible()
    assert page.locator("[data-completion-status] .ok").is_visible()  # done on opening
    page.screenshot(path=str(shots / "activity-done.png"), full_page=True)
    page.goto(f"{course_url}")
    assert "100%" in page.locator("#mine-heading + p").inner_text()
    _logout(page)

    _login(page, base, "gv.lan")
    page.goto(f"{course_url}/progress")
    rows = page.locator("table.grid tbody tr")
    done = [rows.nth(i).inner_text() for i in range(rows.count()) if "1/1" in rows.nth(i).inner_text()]
    assert len(done) == 1 and student_name in done[0]
    page.screenshot(path=str(shots / "progress-grid.png"), full_page=True)
