"""A small plugin used by the hook tests: it implements every hook the way a real plugin would."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lms_core.plugins.hookspecs import hookimpl
from lms_core.plugins.types import ActivityType, ContentPack, NavEntry, ReportSection, TutorTool
from lms_core.web.deps import CurrentUser
from lms_core.web.templating import render

HERE = Path(__file__).parent
TITLE = {"vi": "Câu lạc bộ thử nghiệm", "en": "Sample club"}

api = APIRouter()
pages = APIRouter()


@api.get("/sample/hello")
def hello(user: CurrentUser) -> dict[str, str]:
    """Greet the caller."""
    return {"hello": user.username}


@api.post("/sample/echo")
def echo(user: CurrentUser, body: dict[str, str]) -> dict[str, str]:
    """Echo a small body back."""
    return body


@pages.get("/sample")
def sample_page(request: Request, user: CurrentUser) -> Response:
    """Render the plugin's page, which extends the core layout."""
    return render(request, "sample/page.html", {"greeting": "Xin chào"})


class SamplePlugin:
    """Implements the hooks; an instance is registered by the tests."""

    TITLE = TITLE

    def __init__(self) -> None:
        self.demo_calls: list[int] = []

    @hookimpl
    def truongso_models(self) -> list[ModuleType]:
        import tests.plugins.sample_plugin as me

        return [me]

    @hookimpl
    def truongso_api_routers(self) -> list[Any]:
        return [api]

    @hookimpl
    def truongso_page_routers(self) -> list[Any]:
        return [pages]

    @hookimpl
    def truongso_template_dirs(self) -> list[Path]:
        return [HERE / "sample_templates"]

    @hookimpl
    def truongso_navigation(self, user: Any, school_id: int | None) -> list[NavEntry]:
        return [NavEntry("sample", "Sample club", "/sample", 50)]

    @hookimpl
    def truongso_activity_types(self) -> list[ActivityType]:
        return [ActivityType("sample_experiment", "Experiment", ("submitted",))]

    @hookimpl
    def truongso_content_packs(self) -> list[ContentPack]:
        return [ContentPack("sample_pack", HERE / "sample_templates")]

    @hookimpl
    def truongso_tutor_tools(self) -> list[TutorTool]:
        return [TutorTool("club_schedule", "When the club meets", lambda: "Thứ Sáu")]

    @hookimpl
    def truongso_report_sections(self, db: Any, actor: Any, school_id: int | None) -> list[ReportSection]:
        return [ReportSection("clubs", "Clubs", ("club", "members"), (("Robotics", 12),))]

    @hookimpl
    def truongso_demo_data(self, school: Any) -> dict[str, int]:
        self.demo_calls.append(school.id)
        return {"clubs": 1}
