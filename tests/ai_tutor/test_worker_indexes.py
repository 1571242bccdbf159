"""A real Celery worker indexes a published version, and rebuilds a shard's snapshot deleted on disk from the
database (what the tutor asks for when it finds its index gone)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

import content.plugin
from ai_tutor.snapshots import POINTER
from ai_tutor.tasks import CATCH_UP, INDEX_VERSION
from content.materials import service as materials
from content.review import service as review
from lms_core.plugins.host import PluginHost
from tests.builders import build_world
from tests.jobs.test_worker_runs_jobs import Worker, wait_for, worker  # noqa: F401 (the fixture)

pytestmark = pytest.mark.slow


@pytest.fixture()
def broker() -> Iterator[dict[str, str]]:
    """The embedded broker only: the Redis variant of the worker is covered by the jobs tests."""
    yield {"kind": "sqlite"}


def test_the_worker_indexes_a_publication_and_rebuilds_a_deleted_index(worker: Worker) -> None:  # noqa: F811
    host = PluginHost(load_entry_points=False, plugins={"content": content.plugin})
    with Session(worker.engine) as db:
        world = build_world(db)
        db.commit()
        page = materials.create_material(db=db, actor=world.teacher, body_markdown=(
            "# Chè\n\n## Sao chè\n\nNgười làm chè sao chè bằng chảo gang trên bếp củi."),
            fields=materials.MaterialFields(title="Chè", kind="page", visibility="school"))
        review.publish(db=db, actor=world.teacher, host=host, material_id=page.id, number=1)
        version_id, shard = page.published_version_id, f"school-{world.school.id}"
    pointer = worker.settings.resolved_var_dir / "tutor_index" / shard / POINTER
    worker.celery.send_task(INDEX_VERSION, args=[version_id])
    wait_for(pointer.is_file, 180, worker, "the first snapshot")
    first = pointer.read_text()
    shutil.rmtree(pointer.parent.parent)
    worker.celery.send_task(CATCH_UP)
    wait_for(pointer.is_file, 120, worker, "the snapshot rebuilt from the database")
    assert pointer.read_text() != first and (pointer.parent / pointer.read_text() / "dense.faiss").is_file()
