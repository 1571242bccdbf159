"""Browser journey of the blended-learning dashboards on a phone: the department's staff member opens the province,
drills down to a commune, the demo school and a class, switches the window to one week, and no page is wider than
the screen (tables scroll inside their frame)."""

from __future__ import annotations

import re

import pytest

from lms_core.demo import DEMO_PASSWORD, SCHOOL

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _fits(page) -> bool:  # noqa: ANN001
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_department_drills_down_from_province_to_class_on_a_phone(live_server: str, browser, shots) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True,
                                  locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("so.gddt")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/dashboard")
    assert page.locator('#nav a[href="/blended"]').count() == 1

    page.goto(f"{live_server}/blended")
    assert re.search(r"/blended/province/\d+$", page.url)
    assert page.get_by_role("heading", level=1).inner_text() == "Thái Nguyên"
    assert page.locator("svg[role=img]").count() >= 3 and _fits(page)
    page.screenshot(path=str(shots / "blended-province-phone.png"), full_page=True)

    page.locator("section[aria-labelledby=h-children] table").get_by_role("link", name="Tân Cương").click()
    page.wait_for_url(re.compile(r"/blended/district/\d+"))
    assert page.get_by_role("heading", level=1).inner_text() == "Tân Cương" and _fits(page)

    page.locator("section[aria-labelledby=h-children] table").get_by_role("link", name=SCHOOL[1]).click()
    page.wait_for_url(re.compile(r"/blended/school/\d+"))
    assert page.get_by_role("heading", level=1).inner_text() == SCHOOL[1]
    assert page.locator("nav.crumbs").get_by_role("link", name="Thái Nguyên").count() == 1

    page.select_option("#window", "week")
    page.fill("#week", "1")
    page.locator("form.window-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"window=week&week=1"))
    assert "1" in page.locator("#h-headline").inner_text() and _fits(page)
    page.screenshot(path=str(shots / "blended-school-week-phone.png"), full_page=True)

    page.locator("section[aria-labelledby=h-children] table a").first.click()
    page.wait_for_url(re.compile(r"/blended/class/\d+\?.*window=week"))
    assert re.fullmatch(r"\d{1,2}[A-Z]\d?", page.get_by_role("heading", level=1).inner_text())
    assert _fits(page)
    context.close()
