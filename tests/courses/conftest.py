"""Course tests run with the content package registered: its material activities are the first activity types."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

import content.plugin
from content.materials import service as materials
from content.review import service as review
from lms_core.courses import service as courses
from lms_core.plugins.host import PluginHost


@pytest.fixture()
def plugin_host() -> PluginHost:
    return PluginHost(load_entry_points=False, plugins={"content": content.plugin})


@pytest.fixture()
def types(plugin_host: PluginHost) -> dict[str, Any]:
    return plugin_host.activity_types()


def published_page(db: Session, host: PluginHost, owner: Any, *, title: str = "Trà Tân Cương",
                   text: str = "# Trà\n\nChè Tân Cương nổi tiếng.", visibility: str = "school") -> Any:
    """Create a written page visible to the school and publish it without review (school visibility allows it)."""
    fields = materials.MaterialFields(title=title, kind="page", visibility=visibility)
    material = materials.create_material(db=db, actor=owner, fields=fields, body_markdown=text)
    review.publish(db=db, actor=owner, host=host, material_id=material.id, number=1)
    return material


def course_for_6a(db: Session, world: Any, title: str = "Tiếng Anh 6") -> Any:
    """Create a course of the world's teacher for class 6A."""
    fields = courses.CourseFields(title=title, subject_id=world.subject.id, grade=6, academic_year_id=world.year.id,
                                  class_ids=(world.class_6a.id,))
    return courses.create_course(db=db, actor=world.teacher, fields=fields)
