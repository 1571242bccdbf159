"""First browser journey: a teacher logs in, sees the Vietnamese dashboard, switches to English, logs out."""

from __future__ import annotations

import pytest

from lms_core.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_teacher_logs_in_in_vietnamese_switches_to_english_and_logs_out(live_server: str, page, shots) -> None:  # noqa: ANN001
    page.goto(f"{live_server}/")
    assert page.url.endswith("/login")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_label("Tên đăng nhập").fill("gv.lan")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/dashboard")
    assert page.get_by_role("heading", level=1).inner_text() == "Xin chào, Nguyễn Thị Lan"
    assert page.get_by_role("heading", name="Lớp tôi dạy").is_visible()
    page.screenshot(path=str(shots / "dashboard-vi.png"), full_page=True)

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Nguyễn Thị Lan"
    assert page.get_by_role("heading", name="My teaching").is_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    assert page.get_by_role("heading", name="Log in").is_visible()
    page.goto(f"{live_server}/dashboard")
    assert "/login" in page.url


def test_wrong_password_shows_an_alert_and_stays_on_login(live_server: str, page) -> None:  # noqa: ANN001
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("gv.lan")
    page.get_by_label("Mật khẩu").fill("khong-dung")
    page.get_by_role("button", name="Đăng nhập").click()
    assert page.get_by_role("alert").inner_text() == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert "/login" in page.url


def test_phone_layout_has_a_menu_button_and_keyboard_skip_link(live_server: str, browser, shots) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("hieutruong")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/dashboard")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    nav = page.locator("#nav")
    assert not nav.is_visible()
    page.get_by_role("button", name="Menu").click()
    assert nav.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(shots / "dashboard-phone.png"), full_page=True)
    context.close()
