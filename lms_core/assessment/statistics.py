"""Classical item statistics of a quiz or exam: difficulty index, discrimination, point-biserial correlation.

Computed from submitted attempts only (each: the total score and, per question taken, points and maximum).
Nothing is refused: a figure that cannot be computed (too few attempts, no spread of scores) is None.
Shares and group means are exact fractions; only the correlation needs a square root.

- difficulty index p: the mean share of the question's points earned (1 = everyone right, 0 = nobody).
- discrimination D: mean share in the upper 27 % of attempts by total score minus that in the lower 27 %
  (Kelley's groups, size 27 % of the attempts rounded half up, at least 1). Attempts tied on the total at a
  group's edge share its remaining places equally, so the figure does not depend on the attempts' order.
- point-biserial correlation: Pearson's r between the share earned on the question and the total score
  (for a right/wrong question this is the point-biserial coefficient; for partial credit, its generalisation).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

MIN_ATTEMPTS = 5
GROUP_SHARE = Fraction(27, 100)


@dataclass
class AttemptScores:
    """One submitted attempt: its total score and, per question key, (points earned, maximum points)."""

    total: Decimal
    items: Mapping[Hashable, tuple[Decimal, Decimal]] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemStats:
    """The statistics of one question: how many attempts took it, p, D and the point-biserial r."""

    key: Hashable
    count: int
    difficulty: float | None
    discrimination: float | None
    point_biserial: float | None


def _group_mean(pairs: list[tuple[Fraction, Fraction]], size: int, *, top: bool) -> Fraction:
    """Return the mean share of the `size` best (top) or worst attempts by total, tied places shared equally."""
    edge = sorted((total for total, _ in pairs), reverse=top)[size - 1]
    inside = [share for total, share in pairs if (total > edge if top else total < edge)]
    tied = [share for total, share in pairs if total == edge]
    weight = Fraction(size - len(inside), len(tied))
    return (sum(inside, Fraction(0)) + weight * sum(tied, Fraction(0))) / size


def _discrimination(pairs: list[tuple[Fraction, Fraction]]) -> Fraction | None:
    """Return upper-group mean share minus lower-group mean share, None when all totals are equal."""
    if len({total for total, _ in pairs}) < 2:
        return None
    size = max(1, math.floor(len(pairs) * GROUP_SHARE + Fraction(1, 2)))
    return _group_mean(pairs, size, top=True) - _group_mean(pairs, size, top=False)


def _correlation(pairs: list[tuple[Fraction, Fraction]]) -> float | None:
    """Return Pearson's r between share and total, None when either has no variance."""
    n = len(pairs)
    mean_total = sum((t for t, _ in pairs), Fraction(0)) / n
    mean_share = sum((s for _, s in pairs), Fraction(0)) / n
    covariance = sum(((t - mean_total) * (s - mean_share) for t, s in pairs), Fraction(0))
    var_total = sum(((t - mean_total) ** 2 for t, _ in pairs), Fraction(0))
    var_share = sum(((s - mean_share) ** 2 for _, s in pairs), Fraction(0))
    if var_total == 0 or var_share == 0:
        return None
    return float(covariance) / math.sqrt(float(var_total) * float(var_share))


def _exact(value: Decimal | int | float) -> Fraction | None:
    """Return a score as an exact fraction, None when it is not a finite number."""
    number = Decimal(value)
    return Fraction(number) if number.is_finite() else None


def item_statistics(attempts: Sequence[AttemptScores], *, min_attempts: int = MIN_ATTEMPTS) -> dict[Hashable, ItemStats]:
    """Return per-question statistics keyed like the attempts' items, in order of first appearance.

    p needs one attempt; D and r need `min_attempts` attempts that took the question.
    Entries whose maximum is not above 0, or with a figure that is not a finite number, are not counted.
    """
    taken: dict[Hashable, list[tuple[Fraction, Fraction]]] = {}
    for attempt in attempts:
        total = _exact(attempt.total)
        for key, (points, maximum) in attempt.items.items():
            pairs = taken.setdefault(key, [])
            earned, most = _exact(points), _exact(maximum)
            if total is not None and earned is not None and most is not None and most > 0:
                pairs.append((total, earned / most))
    result: dict[Hashable, ItemStats] = {}
    for key, pairs in taken.items():
        count = len(pairs)
        p = float(sum((s for _, s in pairs), Fraction(0)) / count) if count else None
        enough = count >= max(min_attempts, 2)
        d = _discrimination(pairs) if enough else None
        result[key] = ItemStats(
            key=key,
            count=count,
            difficulty=p,
            discrimination=None if d is None else float(d),
            point_biserial=_correlation(pairs) if enough else None,
        )
    return result
