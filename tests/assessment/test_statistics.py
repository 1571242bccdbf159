"""Item statistics: difficulty index, discrimination (upper/lower 27 %) and point-biserial correlation,
checked against small examples computed by hand; undefined figures are None, nothing is refused."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from lms_core.assessment.statistics import AttemptScores, item_statistics

D = Decimal


def _attempt(total: str, **items: tuple[str, str]) -> AttemptScores:
    return AttemptScores(D(total), {key: (D(points), D(maximum)) for key, (points, maximum) in items.items()})


# Five attempts, two questions: q1 worth 1 point, q2 worth 2 points.
#   attempt  total  q1   q2
#   A        9      1/1  2/2
#   B        7      1/1  1/2
#   C        5      0/1  2/2
#   D        3      1/1  0/2
#   E        1      0/1  0/2
FIVE = [
    _attempt("9", q1=("1", "1"), q2=("2", "2")),
    _attempt("7", q1=("1", "1"), q2=("1", "2")),
    _attempt("5", q1=("0", "1"), q2=("2", "2")),
    _attempt("3", q1=("1", "1"), q2=("0", "2")),
    _attempt("1", q1=("0", "1"), q2=("0", "2")),
]


def test_difficulty_is_the_mean_share_of_points() -> None:
    stats = item_statistics(FIVE)
    # q1: (1 + 1 + 0 + 1 + 0) / 5 = 0.6;  q2: (1 + 0.5 + 1 + 0 + 0) / 5 = 0.5
    assert stats["q1"].difficulty == pytest.approx(0.6)
    assert stats["q2"].difficulty == pytest.approx(0.5)
    assert stats["q1"].count == stats["q2"].count == 5


def test_discrimination_compares_the_upper_and_lower_27_percent() -> None:
    stats = item_statistics(FIVE)
    # 27 % of 5 = 1.35 → groups of 1: upper = A (total 9), lower = E (total 1).
    # q1: 1 − 0 = 1;  q2: 1 − 0 = 1
    assert stats["q1"].discrimination == pytest.approx(1.0)
    assert stats["q2"].discrimination == pytest.approx(1.0)


def test_point_biserial_is_the_correlation_of_item_share_and_total() -> None:
    stats = item_statistics(FIVE)
    # totals 9 7 5 3 1, mean 5, deviations 4 2 0 −2 −4, Σdev² = 40.
    # q1 shares 1 1 0 1 0, mean 0.6, deviations .4 .4 −.6 .4 −.6, Σdev² = 3(.16) + 2(.36) = 1.2;
    #   Σ products = 1.6 + 0.8 + 0 − 0.8 + 2.4 = 4;  r = 4 / √(40 × 1.2) = 4 / √48 = 1/√3 ≈ 0.577
    assert stats["q1"].point_biserial == pytest.approx(1 / math.sqrt(3))
    # q2 shares 1 .5 1 0 0, mean .5, deviations .5 0 .5 −.5 −.5, Σdev² = 1;
    #   Σ products = 2 + 0 + 0 + 1 + 2 = 5;  r = 5 / √40 ≈ 0.791
    assert stats["q2"].point_biserial == pytest.approx(5 / math.sqrt(40))


def test_attempts_tied_at_a_group_edge_share_its_places_whatever_their_order() -> None:
    # Ten attempts: groups of round(2.7) = 3.
    rows = [("10", "1"), ("8", "1"), ("6", "1"), ("6", "0"), ("5", "1"), ("5", "0"), ("4", "1"), ("2", "1"), ("2", "0"), ("0", "0")]
    attempts = [_attempt(total, q=(share, "1")) for total, share in rows]
    # Upper: 10 (1), 8 (1), then one place shared by the two 6s (1 and 0, half each): (1 + 1 + 0.5) / 3 = 5/6.
    # Lower: 0 (0), then two places for the two 2s (1 and 0, fully): (0 + 1 + 0) / 3 = 1/3.
    # D = 5/6 − 1/3 = 0.5
    assert item_statistics(attempts)["q"].discrimination == pytest.approx(0.5)
    assert item_statistics(list(reversed(attempts)))["q"].discrimination == pytest.approx(0.5)
    # p = 6 right / 10 = 0.6
    assert item_statistics(attempts)["q"].difficulty == pytest.approx(0.6)


def test_too_few_attempts_give_difficulty_only() -> None:
    stats = item_statistics(FIVE[:4])
    assert stats["q1"].count == 4
    assert stats["q1"].difficulty == pytest.approx(0.75)   # (1 + 1 + 0 + 1) / 4
    assert stats["q1"].discrimination is None
    assert stats["q1"].point_biserial is None
    # With a lower threshold the same four attempts give figures: groups of round(1.08) = 1,
    # upper A (1) − lower D (1) = 0 for q1.
    assert item_statistics(FIVE[:4], min_attempts=4)["q1"].discrimination == pytest.approx(0.0)


def test_zero_variance_leaves_the_correlation_undefined() -> None:
    everyone_right = [_attempt(str(total), q=("1", "1")) for total in (1, 2, 3, 4, 5)]
    stats = item_statistics(everyone_right)["q"]
    assert stats.difficulty == pytest.approx(1.0)
    assert stats.discrimination == pytest.approx(0.0)   # upper 1 − lower 1
    assert stats.point_biserial is None                 # the item's share does not vary
    same_total = [_attempt("5", q=(share, "1")) for share in ("1", "0", "1", "0", "1")]
    flat = item_statistics(same_total)["q"]
    assert flat.difficulty == pytest.approx(0.6)
    assert flat.discrimination is None
    assert flat.point_biserial is None


def test_questions_not_taken_and_unusable_entries_are_not_counted() -> None:
    attempts = [*FIVE, _attempt("4", q3=("1", "1")), _attempt("2", q1=("1", "0")), AttemptScores(D("NaN"), {"q1": (D(1), D(1))})]
    stats = item_statistics(attempts)
    assert stats["q1"].count == 5          # the 0-point entry and the NaN total are ignored
    assert stats["q1"].difficulty == pytest.approx(0.6)
    assert stats["q3"].count == 1
    assert stats["q3"].difficulty == pytest.approx(1.0)
    assert stats["q3"].discrimination is None
    assert list(stats) == ["q1", "q2", "q3"]


def test_no_attempts_give_no_statistics() -> None:
    assert item_statistics([]) == {}
    only_zero_max = item_statistics([_attempt("0", q=("0", "0"))])["q"]
    assert (only_zero_max.count, only_zero_max.difficulty) == (0, None)
