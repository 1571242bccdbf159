"""The main navigation stays short: administration pages fold under one entry, which is marked when one is open."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest


class _Nav(HTMLParser):
    """Collect the top-level links of the navigation and the links inside each folded group."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # depth of <ul> inside <nav>
        self.in_nav = False
        self.top: list[str] = []
        self.groups: dict[str, list[str]] = {}
        self.group: str | None = None
        self.summary = False
        self.current_group = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "nav":
            self.in_nav = True
        elif self.in_nav and tag == "ul":
            self.depth += 1
        elif self.in_nav and tag == "details":
            self.current_group = "current" in (a.get("class") or "")
        elif self.in_nav and tag == "summary":
            self.summary = True
        elif self.in_nav and tag == "a":
            (self.top if self.depth == 1 else self.groups.setdefault(self.group or "", [])).append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self.in_nav = False
        elif self.in_nav and tag == "ul":
            self.depth -= 1
        elif tag == "summary":
            self.summary = False

    def handle_data(self, data: str) -> None:
        if self.summary and data.strip():
            self.group = data.strip()
            if self.current_group:
                self.groups.setdefault("(current)", []).append(self.group)


def _nav(html: str) -> _Nav:
    parser = _Nav()
    parser.feed(html)
    return parser


@pytest.fixture()
def plugin_host():  # noqa: ANN201
    import content.plugin
    from lms_core.plugins.host import PluginHost

    return PluginHost(load_entry_points=False, plugins={"content": content.plugin})


def test_a_principal_sees_a_short_menu_with_administration_folded(world, client_for) -> None:
    page = client_for(world.school_admin).get("/dashboard")
    nav = _nav(page.text)
    assert len(nav.top) <= 7, nav.top
    assert "/admin/users" not in nav.top and "/admin/jobs" not in nav.top
    assert {"/admin/users", "/admin/import", "/admin/plugins", "/admin/jobs"} <= set(nav.groups["Quản trị"])
    assert "(current)" not in nav.groups  # no administration page is open
    assert {"/coverage", "/gradebook"} <= set(nav.groups["Báo cáo"])  # reports fold too


def test_the_group_is_marked_when_one_of_its_pages_is_open(world, client_for) -> None:
    nav = _nav(client_for(world.school_admin).get("/admin/users").text)
    assert nav.groups["(current)"] == ["Quản trị"]


def test_a_student_has_no_administration_group(world, client_for) -> None:
    nav = _nav(client_for(world.student).get("/dashboard").text)
    assert not nav.groups and "/dashboard" in nav.top
