"""The embedded SQLite broker deletes finished jobs, keeps unfinished ones and offers them again."""

from __future__ import annotations

import gc
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kombu import Connection

from lms_core.jobs.celery_app import EMBEDDED_TRANSPORT, broker_options

QUEUE = "jobs-test"


@pytest.fixture()
def broker(tmp_path: Path) -> Iterator[tuple[Path, dict]]:
    """Return the broker file and transport options of a throw-away embedded broker."""
    url, transport, options = broker_options(f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}")
    assert transport == EMBEDDED_TRANSPORT
    yield tmp_path / "broker.sqlite", {**options, "visibility_timeout": 1}


def connect(path: Path, options: dict) -> Connection:
    """Open a kombu connection to the embedded broker."""
    return Connection(f"sqlite:///{path}", transport=EMBEDDED_TRANSPORT, transport_options=options)


def rows(path: Path) -> int:
    """Count the message rows stored in the broker file."""
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM kombu_message").fetchone()[0]


def publish(conn: Connection, body: dict) -> None:
    """Put one message on the test queue."""
    conn.SimpleQueue(QUEUE).put(body)


def test_acknowledged_message_is_deleted(broker: tuple[Path, dict]) -> None:
    path, options = broker
    with connect(path, options) as conn:
        publish(conn, {"n": 1})
        queue = conn.SimpleQueue(QUEUE)
        message = queue.get(timeout=5)
        assert message.payload == {"n": 1}
        assert rows(path) == 1
        message.ack()
        assert rows(path) == 0
        assert conn.default_channel.queue_declare(QUEUE, passive=True).message_count == 0


def test_unacknowledged_message_returns_on_close_without_a_copy(broker: tuple[Path, dict]) -> None:
    path, options = broker
    with connect(path, options) as conn:
        publish(conn, {"n": 2})
        conn.SimpleQueue(QUEUE).get(timeout=5)  # taken, never acknowledged
    assert rows(path) == 1
    with connect(path, options) as conn:
        assert conn.default_channel.queue_declare(QUEUE, passive=True).message_count == 1
        again = conn.SimpleQueue(QUEUE).get(timeout=5)
        assert again.payload == {"n": 2}
        again.ack()
    assert rows(path) == 0


def test_message_of_a_vanished_worker_is_offered_again_after_the_visibility_timeout(broker: tuple[Path, dict]) -> None:
    path, options = broker
    with connect(path, options) as conn:
        publish(conn, {"n": 3})
    lost = connect(path, options)
    lost.SimpleQueue(QUEUE).get(timeout=5)  # the worker "dies" here: no ack, no close
    with connect(path, options) as conn:
        assert conn.default_channel.queue_declare(QUEUE, passive=True).message_count == 0
        time.sleep(1.5)
        again = conn.SimpleQueue(QUEUE).get(timeout=5)
        assert again.payload == {"n": 3}
        assert again.delivery_info.get("redelivered") is True
        again.ack()
    assert rows(path) == 0


def test_rejected_message_is_deleted_and_requeued_one_comes_back(broker: tuple[Path, dict]) -> None:
    path, options = broker
    with connect(path, options) as conn:
        publish(conn, {"n": 4})
        publish(conn, {"n": 5})
        queue = conn.SimpleQueue(QUEUE)
        first = queue.get(timeout=5)
        first.reject()
        second = queue.get(timeout=5)
        second.requeue()
        assert rows(path) == 1
        assert queue.get(timeout=5).payload == {"n": 5}


def test_broker_file_uses_wal(broker: tuple[Path, dict]) -> None:
    path, options = broker
    with connect(path, options) as conn:
        publish(conn, {"n": 6})
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_status_checks_give_their_connections_back(tmp_path: Path) -> None:
    from lms_core.jobs.celery_app import EmbeddedChannel, make_celery
    from lms_core.jobs.status import queue_state
    from lms_core.plugins.host import PluginHost
    from lms_core.settings import Settings

    url = f"sqla+sqlite:///{tmp_path / 'pool.sqlite'}"
    app = make_celery(Settings(var_dir=tmp_path / "var", broker_url=url,
                               result_backend=f"db+sqlite:///{tmp_path / 'r.sqlite'}"),
                      plugins=PluginHost(load_entry_points=False))
    gc.disable()  # a leak must not be hidden by the garbage collector
    try:
        states = [queue_state(app) for _ in range(30)]  # more than the pool holds
    finally:
        gc.enable()

    assert all(s.waiting == 0 for s in states)
    engine, _ = EmbeddedChannel._engines[url.removeprefix("sqla+")]
    assert engine.pool.checkedout() == 0
