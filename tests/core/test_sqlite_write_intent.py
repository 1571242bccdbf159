"""SQLite (WAL): a transaction that reads, then writes after another connection wrote, fails at once unless it
said it would write; with the intent it waits its turn and both writers succeed."""

from __future__ import annotations

import contextvars
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from lms_core.db import WRITE_INTENT, make_engine


def _run(engine, intent: bool) -> list[BaseException | None]:  # noqa: ANN001
    """Two writers: the first reads, waits, then writes; the second reads and writes while the first waits."""
    results: list[BaseException | None] = [None, None]

    def writer(index: int, pause_before_write: float, start_after: float) -> None:
        WRITE_INTENT.set(intent)
        time.sleep(start_after)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT count(*) FROM counter")).scalar()  # the transaction begins here
                time.sleep(pause_before_write)
                conn.execute(text("UPDATE counter SET n = n + 1"))
                conn.commit()
        except BaseException as error:  # noqa: BLE001 — the test inspects it
            results[index] = error

    threads = [threading.Thread(target=contextvars.Context().run, args=(writer, 0, 0.4, 0.0)),
               threading.Thread(target=contextvars.Context().run, args=(writer, 1, 0.0, 0.1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.fixture()
def engine(tmp_path: Path):  # noqa: ANN201
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.sqlite'}")
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
        conn.commit()
    yield engine
    engine.dispose()


def test_without_the_intent_the_first_writer_fails_at_once(engine) -> None:  # noqa: ANN001
    first, second = _run(engine, intent=False)
    assert second is None
    assert isinstance(first, OperationalError) and "locked" in str(first)


def test_with_the_intent_both_writers_succeed_in_turn(engine) -> None:  # noqa: ANN001
    assert _run(engine, intent=True) == [None, None]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar() == 2
