"""Each hook, exercised through a sample plugin registered explicitly (installed plugins are off)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_core.plugins.host import PluginError, PluginHost
from lms_core.plugins.hookspecs import hookimpl
from lms_core.plugins.models import PluginSetting
from lms_core.plugins.types import ActivityType, ReportSection
from tests.plugins.sample_plugin import SamplePlugin


@pytest.fixture()
def plugin_host() -> PluginHost:
    """Override: a host with the sample plugin registered."""
    host = PluginHost(load_entry_points=False)
    host.register("sample", SamplePlugin())
    return host


def _switch_off(db: Session, school_id: int) -> None:
    db.add(PluginSetting(school_id=school_id, plugin_name="sample", enabled=False))
    db.commit()


@pytest.mark.hook("truongso_models")
def test_models_hook_lists_core_and_plugin_modules(plugin_host: PluginHost) -> None:
    names = {m.__name__ for m in plugin_host.model_modules()}
    assert {"lms_core.accounts.models", "lms_core.org.models", "tests.plugins.sample_plugin"} <= names


@pytest.mark.hook("truongso_api_routers")
def test_plugin_api_route_is_mounted_and_guarded(client_for, world) -> None:
    c = client_for(world.teacher)
    assert c.get("/api/sample/hello").json() == {"hello": world.teacher.username}
    assert TestClient(c.app).get("/api/sample/hello").status_code == 401
    no_csrf = TestClient(c.app, cookies=dict(c.cookies))
    assert no_csrf.post("/api/sample/echo", json={"a": "b"}).status_code == 403
    assert c.post("/api/sample/echo", json={"a": "b"}).json() == {"a": "b"}


@pytest.mark.hook("truongso_page_routers")
@pytest.mark.hook("truongso_template_dirs")
def test_plugin_page_renders_inside_the_core_layout(client_for, world) -> None:
    page = client_for(world.teacher).get("/sample")
    assert page.status_code == 200
    assert 'id="sample-greeting">Xin chào<' in page.text
    assert 'href="/static/app.css"' in page.text  # the core base layout


def test_switched_off_plugin_routes_answer_404_for_that_school_only(db: Session, client_for, world) -> None:
    _switch_off(db, world.school.id)
    assert client_for(world.teacher).get("/api/sample/hello").status_code == 404
    assert client_for(world.teacher).get("/sample").status_code == 404
    assert client_for(world.other_school_teacher).get("/api/sample/hello").status_code == 200


@pytest.mark.hook("truongso_navigation")
def test_navigation_comes_from_hooks_and_honours_switches(db: Session, plugin_host: PluginHost, world, client_for) -> None:
    keys = [e.key for e in plugin_host.navigation(db=db, user=world.teacher, school_id=world.school.id)]
    assert keys[0] == "dashboard" and "sample" in keys
    assert 'href="/sample"' in client_for(world.teacher).get("/dashboard").text
    _switch_off(db, world.school.id)
    keys = [e.key for e in plugin_host.navigation(db=db, user=world.teacher, school_id=world.school.id)]
    assert "sample" not in keys and "dashboard" in keys


@pytest.mark.hook("truongso_activity_types")
def test_activity_types_are_collected_and_names_must_be_unique(plugin_host: PluginHost) -> None:
    types = plugin_host.activity_types()
    assert types["sample_experiment"].completion_rules == ("submitted",)

    class Clash:
        @hookimpl
        def truongso_activity_types(self) -> list[ActivityType]:
            return [ActivityType("sample_experiment", "Again")]

    plugin_host.register("clash", Clash())
    with pytest.raises(PluginError):
        plugin_host.activity_types()


@pytest.mark.hook("truongso_content_packs")
def test_content_packs_must_be_directories(plugin_host: PluginHost, tmp_path) -> None:
    assert plugin_host.content_packs()["sample_pack"].path.is_dir()
    from lms_core.plugins.types import ContentPack

    class Broken:
        @hookimpl
        def truongso_content_packs(self) -> list[ContentPack]:
            return [ContentPack("missing", tmp_path / "nope")]

    plugin_host.register("broken", Broken())
    with pytest.raises(PluginError):
        plugin_host.content_packs()


@pytest.mark.hook("truongso_tutor_tools")
def test_tutor_tools_are_collected_by_name(plugin_host: PluginHost) -> None:
    tool = plugin_host.tutor_tools()["club_schedule"]
    assert tool.func() == "Thứ Sáu"


@pytest.mark.hook("truongso_report_sections")
def test_report_sections_follow_the_school_switch_and_are_checked(db: Session, plugin_host: PluginHost, world) -> None:
    sections = plugin_host.report_sections(db=db, actor=world.school_admin, school_id=world.school.id)
    assert [s.key for s in sections] == ["clubs"]
    _switch_off(db, world.school.id)
    assert plugin_host.report_sections(db=db, actor=world.school_admin, school_id=world.school.id) == []

    class Ragged:
        @hookimpl
        def truongso_report_sections(self) -> list[ReportSection]:
            return [ReportSection("bad", "Bad", ("a", "b"), (("only one",),))]

    plugin_host.register("ragged", Ragged())
    with pytest.raises(PluginError):
        plugin_host.report_sections(db=db, actor=world.school_admin, school_id=world.other_school.id)


@pytest.mark.hook("truongso_demo_data")
def test_demo_data_is_asked_only_of_plugins_the_school_uses(db: Session, plugin_host: PluginHost, world) -> None:
    plugin = plugin_host.pm.get_plugin("sample")
    assert plugin_host.demo_data(db=db, school=world.school)["sample"] == {"clubs": 1}
    _switch_off(db, world.school.id)
    assert "sample" not in plugin_host.demo_data(db=db, school=world.school)  # the core's own part still runs
    assert plugin.demo_calls == [world.school.id]


def test_school_admin_switches_a_plugin_off_and_on_through_the_api(db: Session, client_for, world) -> None:
    admin = client_for(world.school_admin)
    url = f"/api/schools/{world.school.id}/plugins"
    assert admin.get(url).json() == [{"name": "sample", "title": "Câu lạc bộ thử nghiệm", "enabled": True}]
    assert admin.put(f"{url}/sample", json={"enabled": False}).json()["enabled"] is False
    assert admin.get(url).json()[0]["enabled"] is False
    assert admin.put(f"{url}/unknown", json={"enabled": False}).status_code == 404


def test_teacher_and_other_school_admin_cannot_switch_plugins(db: Session, client_for, world) -> None:
    url = f"/api/schools/{world.school.id}/plugins/sample"
    assert client_for(world.teacher).put(url, json={"enabled": False}).status_code == 403
    assert client_for(world.other_school_admin).put(url, json={"enabled": False}).status_code == 404
    count = db.scalar(select(func.count()).select_from(PluginSetting))
    assert count == 0


def test_plugins_page_switches_with_a_form(db: Session, client_for, world) -> None:
    admin = client_for(world.school_admin)
    page = admin.get("/admin/plugins")
    assert page.status_code == 200 and "sample" in page.text
    done = admin.post("/admin/plugins/sample", data={"enabled": "off"})
    assert done.status_code == 303
    assert db.scalar(select(PluginSetting.enabled).where(PluginSetting.school_id == world.school.id)) is False


def test_a_plugin_name_cannot_be_taken_twice(plugin_host: PluginHost) -> None:
    with pytest.raises(PluginError):
        plugin_host.register("sample", SamplePlugin())
    with pytest.raises(PluginError):
        plugin_host.register("core", SamplePlugin())


@pytest.mark.hook("truongso_reference_data")
def test_reference_data_is_asked_of_every_plugin_even_switched_off(db: Session, plugin_host: PluginHost, world) -> None:
    calls: list[str] = []

    class Catalogue:
        @hookimpl
        def truongso_reference_data(self, db) -> dict[str, int]:  # noqa: ANN001
            calls.append("catalogue")
            return {"books": 3}

    plugin_host.register("catalogue", Catalogue())
    db.add(PluginSetting(school_id=world.school.id, plugin_name="catalogue", enabled=False))
    db.commit()
    assert plugin_host.reference_data(db=db) == {"catalogue": {"books": 3}}
    assert calls == ["catalogue"]


@pytest.mark.hook("truongso_lesson_panels")
def test_lesson_panels_show_under_the_lesson_and_follow_the_school_switch(
        db: Session, plugin_host: PluginHost, world, tmp_path, request) -> None:  # noqa: ANN001
    from lms_core.accounts.models import Role
    from lms_core.courses import service as courses
    from lms_core.plugins.types import LessonPanel

    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "panel.html").write_text('<p id="box-text">{{ ctx.greeting }} · {{ lesson.title }}</p>',
                                                  encoding="utf-8")

    class Box:
        @hookimpl
        def truongso_template_dirs(self) -> list[Any]:
            return [tmp_path]

        @hookimpl
        def truongso_lesson_panels(self, user, lesson) -> list[LessonPanel]:  # noqa: ANN001
            if not user.has_role(Role.student):
                return []
            return [LessonPanel("box", "Box", "box/panel.html", {"greeting": f"Chào {user.full_name}"}, open=True)]

    plugin_host.register("box", Box())
    fields = courses.CourseFields(title="Khoa học 6", subject_id=world.subject.id, grade=6,
                                  academic_year_id=world.year.id, class_ids=(world.class_6a.id,))
    course = courses.create_course(db=db, actor=world.teacher, fields=fields)
    unit = courses.add_unit(db=db, actor=world.teacher, course_id=course.id, title="Chủ đề 1")
    lesson = courses.add_lesson(db=db, actor=world.teacher, unit_id=unit.id, title="Bài 1")
    assert [p.key for p in plugin_host.lesson_panels(db=db, user=world.student, course=course, lesson=lesson)] == ["box"]
    url = f"/courses/{course.id}/lessons/{lesson.id}"
    client_for = request.getfixturevalue("client_for")
    page = client_for(world.student).get(url)
    assert '<details class="card lesson-panel" id="box" open>' in page.text
    assert '<p id="box-text">Chào Học Sinh A · Bài 1</p>' in page.text
    assert 'id="box-text"' not in client_for(world.teacher).get(url).text
    db.add(PluginSetting(school_id=world.school.id, plugin_name="box", enabled=False))
    db.commit()
    assert plugin_host.lesson_panels(db=db, user=world.student, course=course, lesson=lesson) == []
    assert 'id="box-text"' not in client_for(world.student).get(url).text

    class Wrong:
        @hookimpl
        def truongso_lesson_panels(self) -> list[Any]:
            return ["not a panel"]

    plugin_host.register("wrong", Wrong())
    with pytest.raises(PluginError):
        plugin_host.lesson_panels(db=db, user=world.student, course=course, lesson=lesson)
