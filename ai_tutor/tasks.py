"""The tutor's Celery tasks: index a newly published version, and catch up on anything missed (periodic)."""

from __future__ import annotations

import logging
from typing import Any

from lms_core.db import session_scope

log = logging.getLogger(__name__)

INDEX_VERSION = "ai_tutor.index_version"
CATCH_UP = "ai_tutor.catch_up"
CATCH_UP_SECONDS = 300.0


def register(celery_app: Any) -> list[str]:
    """Register the tutor's tasks and their periodic catch-up on a Celery app; return the task names."""
    celery_app.task(name=INDEX_VERSION, shared=False, acks_late=True)(index_version)
    celery_app.task(name=CATCH_UP, shared=False)(catch_up)

    @celery_app.on_after_configure.connect(weak=False)
    def _schedule(sender: Any, **_: Any) -> None:
        sender.add_periodic_task(CATCH_UP_SECONDS, sender.signature(CATCH_UP), name="tutor-index-catch-up")

    return [INDEX_VERSION, CATCH_UP]


def index_version(version_id: int) -> dict[str, Any]:
    """Chunk a published version and write a new snapshot of its shard."""
    from ai_tutor import indexing

    with session_scope() as db:
        report = indexing.index_version(db, version_id)
    if report is None:
        return {"version_id": version_id, "indexed": False}
    return {"version_id": version_id, "indexed": True, "shard": report.shard, "chunks": report.chunks,
            "embedded": report.embedded, "snapshot": report.snapshot, "seconds": round(report.seconds, 2)}


def catch_up() -> dict[str, Any]:
    """Index published versions that have no chunks and rebuild shards whose snapshot is behind or missing."""
    from ai_tutor import indexing

    with session_scope() as db:
        indexing.mark_missing_snapshots(db)
        reports = indexing.catch_up(db)
    return {"shards": [r.shard for r in reports]}


def enqueue_index(version_id: int) -> bool:
    """Ask a worker to index a version; return False (and log) when the queue cannot be reached."""
    from lms_core.jobs.celery_app import celery_app

    try:
        celery_app.send_task(INDEX_VERSION, args=[version_id])
        return True
    except Exception as exc:  # the periodic catch-up indexes it later
        log.warning("could not enqueue the indexing of version %s: %r", version_id, exc)
        return False


def enqueue_catch_up() -> bool:
    """Ask a worker to catch up (a snapshot was found missing or damaged); False when the queue is unreachable."""
    from lms_core.jobs.celery_app import celery_app

    try:
        celery_app.send_task(CATCH_UP)
        return True
    except Exception as exc:
        log.warning("could not enqueue a tutor index catch-up: %r", exc)
        return False
