"""Every role × own school / other school × read / write, for the check and the list filter alike."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_core import permissions
from lms_core.accounts.models import User
from lms_core.org.models import School, SchoolClass

ACTORS = ["system_admin", "province_staff", "district_staff", "other_district_staff", "school_admin",
          "teacher", "student", "other_school_admin"]

# Expected answers, written out by hand from the rules in DESIGN.md: a student sees only
# their own; a teacher their classes; a school admin their school; department staff their area.
SCHOOLS = ["school", "other_school", "far_school"]
CLASSES = ["class_6a", "class_7a", "other_class"]
USERS = ["student", "classmate", "student_7a", "teacher", "other_school_student", "other_school_teacher"]

EXPECTED: dict[str, dict[str, set[str]]] = {
    "school.view": {
        "system_admin": {"school", "other_school", "far_school"},
        "province_staff": {"school", "other_school"},
        "district_staff": {"school"},
        "other_district_staff": {"other_school"},
        "school_admin": {"school"},
        "teacher": {"school"},
        "student": {"school"},
        "other_school_admin": {"other_school"},
    },
    "school.manage": {
        "system_admin": {"school", "other_school", "far_school"},
        "school_admin": {"school"},
        "other_school_admin": {"other_school"},
    },
    "class.view": {
        "system_admin": {"class_6a", "class_7a", "other_class"},
        "province_staff": {"class_6a", "class_7a", "other_class"},
        "district_staff": {"class_6a", "class_7a"},
        "other_district_staff": {"other_class"},
        "school_admin": {"class_6a", "class_7a"},
        "teacher": {"class_6a"},
        "student": {"class_6a"},
        "other_school_admin": {"other_class"},
    },
    "class.manage": {
        "system_admin": {"class_6a", "class_7a", "other_class"},
        "school_admin": {"class_6a", "class_7a"},
        "other_school_admin": {"other_class"},
    },
    "user.view": {
        "system_admin": set(USERS),
        "province_staff": {"teacher", "other_school_teacher"},
        "district_staff": {"teacher"},
        "other_district_staff": {"other_school_teacher"},
        "school_admin": {"student", "classmate", "student_7a", "teacher"},
        "teacher": {"student", "classmate", "teacher"},
        "student": {"student"},
        "other_school_admin": {"other_school_student", "other_school_teacher"},
    },
    "user.manage": {
        "system_admin": set(USERS),
        "school_admin": {"student", "classmate", "student_7a", "teacher"},
        "other_school_admin": {"other_school_student", "other_school_teacher"},
    },
}
TARGETS = {"school": (School, SCHOOLS), "class": (SchoolClass, CLASSES), "user": (User, USERS)}
CASES = [(rule, actor) for rule in EXPECTED for actor in ACTORS]


@pytest.mark.parametrize(("rule", "actor_name"), CASES, ids=[f"{r}-{a}" for r, a in CASES])
def test_check_and_list_filter_agree_with_the_matrix(db: Session, world, rule: str, actor_name: str) -> None:
    actor = getattr(world, actor_name)
    model, names = TARGETS[rule.split(".")[0]]
    expected = EXPECTED[rule].get(actor_name, set())
    objects = {name: getattr(world, name) for name in names}

    allowed_by_check = {name for name, obj in objects.items() if permissions.can(actor, rule, obj)}
    assert allowed_by_check == expected

    ids = {obj.id: name for name, obj in objects.items()}
    listed = set(db.scalars(select(model.id).where(model.id.in_(ids), permissions.visible(actor, rule))))
    assert {ids[i] for i in listed} == expected


def test_inactive_or_missing_actor_may_do_nothing(db: Session, world) -> None:
    world.system_admin.is_active = False
    assert not permissions.can(world.system_admin, "school.view", world.school)
    assert not permissions.can(None, "school.view", world.school)
    assert db.scalars(select(School.id).where(permissions.visible(None, "school.view"))).all() == []
