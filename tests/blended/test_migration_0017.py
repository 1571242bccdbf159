"""Migration 0017 joins the forked histories that racing confirmations could store before it, then keeps one first
record per period; nothing recorded is lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from lms_core import migrate

ROW = "INSERT INTO delivery_records (id, period_id, delivered_on, mode, note, supersedes_id, recorded_by_id, " \
      "recorded_at) VALUES (?, ?, '2026-09-15', ?, '', ?, 1, '2026-09-15 08:00:00')"


def test_forked_histories_become_one_line_and_their_plans_are_queued(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'forked.sqlite'}"
    migrate.upgrade(url, "0016")
    raw = sqlite3.connect(tmp_path / "forked.sqlite")  # foreign keys off: the rows around them do not matter here
    raw.executemany("INSERT INTO teaching_plans (id, class_id, subject_id, academic_year_id, weeks, created_by_id, "
                    "created_at) VALUES (?, ?, 1, 1, 35, 1, '2026-09-01 08:00:00')", [(3, 1), (4, 2)])
    raw.executemany("INSERT INTO plan_periods (id, plan_id, position, item_id, item_title, topic_title, "
                    "lesson_period, lesson_periods, week, mode) VALUES (?, ?, ?, 1, 'Bài 1', '', 1, 1, 1, "
                    "'in_person')", [(7, 3, 1), (8, 3, 2), (9, 4, 1), (12, 4, 2)])
    # period 7: record 1 corrected by 2, then two more first records (3, 4); period 8: one record; period 9: two;
    # period 12: two first records (20, 21), then 20 corrected by 22, the last thing the teacher entered
    raw.executemany(ROW, [(1, 7, "in_person", None), (2, 7, "online_live", 1), (3, 7, "online_self_paced", None),
                          (4, 7, "in_person", None), (5, 8, "in_person", None), (6, 9, "in_person", None),
                          (10, 9, "online_live", None), (20, 12, "in_person", None), (21, 12, "in_person", None),
                          (22, 12, "online_live", 20)])
    raw.commit()
    raw.close()

    migrate.upgrade(url)

    raw = sqlite3.connect(tmp_path / "forked.sqlite")
    lines = dict(raw.execute("SELECT id, supersedes_id FROM delivery_records ORDER BY id").fetchall())
    # each period one line, every record kept, and what was entered last is still the period's current record
    assert lines == {1: None, 2: 1, 3: 2, 4: 3, 5: None, 6: None, 10: 6, 20: 21, 21: None, 22: 20}
    assert {r[0] for r in raw.execute("SELECT plan_id FROM blended_dirty_plans")} == {3, 4}
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute(ROW, (11, 8, "in_person", None))
    raw.close()
