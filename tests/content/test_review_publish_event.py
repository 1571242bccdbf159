"""Publishing a version tells the plugins serving the school, once and after the commit; a failing plugin harms nothing."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from content.materials.models import Material, MaterialVersion
from content.review import service
from lms_core.plugins.hookspecs import hookimpl
from lms_core.plugins.host import PluginHost
from lms_core.plugins.models import PluginSetting
from tests.content.test_review_workflow import make_page, url


class Indexer:
    """Stands for the tutor: records each publication and what the database already says about it."""

    def __init__(self, log: list[Any], fail: bool = False) -> None:
        self.log, self.fail = log, fail

    @hookimpl
    def truongso_material_published(self, db: Any, material: Any, version: Any) -> None:
        stored = db.execute(select(MaterialVersion.status, Material.published_version_id)
                            .join(Material, Material.id == MaterialVersion.material_id)
                            .where(MaterialVersion.id == version.id)).one()
        self.log.append(("hook", material.id, version.number, tuple(stored), bool(db.new or db.dirty)))
        if self.fail:
            material.title = "half-written by a broken plugin"
            raise RuntimeError("the index is unreachable")


@pytest.fixture()
def calls() -> list[Any]:
    """Return the list the plugins record into."""
    return []


@pytest.fixture()
def plugin_host(calls: list[Any]) -> PluginHost:
    """Override: the content package and an indexer standing for the tutor."""
    h = PluginHost(load_entry_points=False)
    import content.plugin as p

    h.register("content", p)
    h.register("tutor", Indexer(calls))
    return h


@pytest.fixture()
def commits(calls: list[Any]) -> Any:
    """Record every commit of any session into the same list, to see what came first."""

    def seen(_session: Session) -> None:
        calls.append(("commit",))

    event.listen(Session, "after_commit", seen)
    yield
    event.remove(Session, "after_commit", seen)


@pytest.mark.hook("truongso_material_published")
def test_publishing_calls_the_hook_once_with_the_version_after_the_commit(db: Session, world, client_for, calls,
                                                                          commits) -> None:
    material = make_page(db, world.teacher, world.subject)
    owner = client_for(world.teacher)
    calls.clear()
    assert owner.post(url(material, 1, "publish")).status_code == 200
    hooks = [c for c in calls if c[0] == "hook"]
    version_id = material.current_version_id
    assert hooks == [("hook", material.id, 1, ("published", version_id), False)]
    assert calls.index(hooks[0]) > 0 and calls[calls.index(hooks[0]) - 1] == ("commit",)
    assert ("commit",) not in calls[calls.index(hooks[0]):]  # nothing of the publication was left to commit
    calls.clear()
    owner.post(url(material, 1, "archive"))  # withdrawing is not a publication
    assert [c for c in calls if c[0] == "hook"] == []


def test_a_plugin_that_fails_does_not_undo_the_publication(db: Session, world, client_for, plugin_host, calls,
                                                           caplog) -> None:
    plugin_host.register("broken", Indexer([], fail=True))
    material = make_page(db, world.teacher, world.subject)
    with caplog.at_level(logging.ERROR):
        answer = client_for(world.teacher).post(url(material, 1, "publish"))
    assert answer.status_code == 200 and answer.json()["status"] == "published"
    assert [c[0] for c in calls] == ["hook"]  # the working plugin was still told
    assert "broken" in caplog.text and "the index is unreachable" in caplog.text
    db.expire_all()
    stored = db.get(Material, material.id)
    assert stored.published_version_id == material.current_version_id
    assert stored.title == "Chè Tân Cương"  # the broken plugin's unsaved change was rolled back


def test_the_host_reports_which_plugins_failed(db: Session, world, plugin_host, calls) -> None:
    plugin_host.register("broken", Indexer([], fail=True))
    material = make_page(db, world.teacher, world.subject)
    version = db.get(MaterialVersion, material.current_version_id)
    assert plugin_host.material_published(db=db, material=material, version=version) == ["broken"]
    assert len(calls) == 1


def test_a_school_that_switched_the_plugin_off_is_not_indexed(db: Session, world, plugin_host, calls) -> None:
    db.add(PluginSetting(school_id=world.school.id, plugin_name="tutor", enabled=False))
    db.commit()
    here = make_page(db, world.teacher, world.subject)
    there = make_page(db, world.other_school_teacher, world.subject)
    service.publish(db=db, actor=world.teacher, host=plugin_host, material_id=here.id, number=1)
    assert calls == []
    service.publish(db=db, actor=world.other_school_teacher, host=plugin_host, material_id=there.id, number=1)
    assert [(c[0], c[1]) for c in calls] == [("hook", there.id)]
