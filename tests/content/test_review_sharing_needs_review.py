"""Sharing needs review: a material published without review cannot be moved into the shared repository."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from content.materials import service as materials
from content.materials.models import Material
from content.review import service
from lms_core.errors import Invalid
from lms_core.plugins.host import PluginHost
from tests.content.test_review_workflow import TEXT, make_page, plugin_host, state  # noqa: F401

HOST = PluginHost(load_entry_points=False)


def fields(material: Material, visibility: str) -> dict:
    """Return the material's describing fields as the API takes them, with another visibility."""
    return {"title": material.title, "kind": material.kind, "subject_id": material.subject_id, "visibility": visibility}


def test_a_school_material_published_without_review_is_not_shared_until_an_approved_version_is_published(
        db: Session, world, client_for) -> None:
    material = make_page(db, world.teacher, world.subject)
    service.publish(db=db, actor=world.teacher, host=HOST, material_id=material.id, number=1)
    owner = client_for(world.teacher)
    refused = owner.put(f"/api/materials/{material.id}", json=fields(material, "shared"))
    assert refused.status_code == 422 and refused.json()["error"] == "invalid"
    db.expire_all()
    assert db.get(Material, material.id).visibility == "school"
    materials.add_text_version(db=db, actor=world.teacher, material_id=material.id, body_markdown=TEXT + "\n\nHai.")
    service.submit(db=db, actor=world.teacher, material_id=material.id, number=2)
    service.approve(db=db, actor=world.school_admin, material_id=material.id, number=2)
    # approved but not yet published: the repository would still show the unreviewed version 1
    assert owner.put(f"/api/materials/{material.id}", json=fields(material, "shared")).status_code == 422
    service.publish(db=db, actor=world.teacher, host=HOST, material_id=material.id, number=2)
    assert owner.put(f"/api/materials/{material.id}", json=fields(material, "shared")).json()["visibility"] == "shared"


def test_an_unpublished_material_may_become_shared_and_then_needs_review_to_publish(db: Session, world) -> None:
    material = make_page(db, world.teacher, world.subject, visibility="private")
    fresh = materials.MaterialFields(title=material.title, kind="page", subject_id=material.subject_id,
                                     visibility="shared")
    assert materials.update_fields(db=db, actor=world.teacher, material_id=material.id, fields=fresh).visibility == "shared"
    with pytest.raises(Invalid):
        service.publish(db=db, actor=world.teacher, host=HOST, material_id=material.id, number=1)
    assert state(db, material) == ("draft", None, 0)


def test_a_shared_material_moved_to_school_and_published_unreviewed_cannot_go_back(db: Session, world) -> None:
    material = make_page(db, world.teacher, world.subject, visibility="shared")
    service.submit(db=db, actor=world.teacher, material_id=material.id, number=1)
    service.approve(db=db, actor=world.school_admin, material_id=material.id, number=1)
    service.publish(db=db, actor=world.teacher, host=HOST, material_id=material.id, number=1)
    materials.add_text_version(db=db, actor=world.teacher, material_id=material.id, body_markdown=TEXT + "\n\nBa.")
    school = materials.MaterialFields(title=material.title, kind="page", subject_id=material.subject_id,
                                      visibility="school")
    materials.update_fields(db=db, actor=world.teacher, material_id=material.id, fields=school)
    service.publish(db=db, actor=world.teacher, host=HOST, material_id=material.id, number=2)  # straight from draft
    shared = materials.MaterialFields(title=material.title, kind="page", subject_id=material.subject_id,
                                      visibility="shared")
    with pytest.raises(Invalid):
        materials.update_fields(db=db, actor=world.teacher, material_id=material.id, fields=shared)
    db.rollback()
    assert db.get(Material, material.id).visibility == "school"


def test_the_check_allows_a_reviewed_publication_and_other_changes(db: Session, world) -> None:
    material = make_page(db, world.teacher, world.subject)
    service.publish(db=db, actor=world.teacher, host=HOST, material_id=material.id, number=1)
    service.check_visibility_change(db=db, material=material, old="school", new="private")
    service.check_visibility_change(db=db, material=material, old="shared", new="shared")
    with pytest.raises(Invalid):
        service.check_visibility_change(db=db, material=material, old="private", new="shared")
