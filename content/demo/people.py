"""The demo's students as learners: an ability and an engagement each, drawn once from the seed.

Ability drives how often answers are right (so quiz scores spread as in a real class); engagement drives how soon
and how often a student opens lessons, hands work in and turns up. Each draw has its own random stream named after
the student (and the course, for what happens in one), so the history is the same on every run and adding a course
or a pack does not change what happened in the others."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from lms_core.accounts.models import User
from lms_core.demo import SHOWCASE_STUDENT

SEED = 2026


def stream(*parts: object) -> random.Random:
    """Return the random stream of one named part of the history (the same names give the same draws)."""
    return random.Random("/".join(str(p) for p in (SEED, *parts)))


@dataclass(frozen=True)
class Learner:
    """A student with their ability (about -2.5 to 2.5) and engagement (0.35 to 1).

    The showcase student is the one whose login the demo prints: a good student, who has left the newest lesson
    and the quiz still open for whoever signs in as them to try."""

    user: User
    ability: float
    engagement: float

    @property
    def showcase(self) -> bool:
        """Return whether this is the student whose login the demo prints."""
        return self.user.username == SHOWCASE_STUDENT


def learner(user: User, course_key: str) -> Learner:
    """Return a student as a learner in one course: their general ability, shifted a little for the subject."""
    own = stream("student", user.username)
    ability = max(-2.5, min(2.5, own.gauss(0.2, 1.0)))
    engagement = max(0.35, min(1.0, 0.74 + 0.1 * ability + own.gauss(0, 0.12)))
    subject = stream("student", user.username, course_key)
    return Learner(user=user, ability=max(-2.5, min(2.5, ability + subject.gauss(0, 0.4))), engagement=engagement)


def chance_right(ability: float, difficulty: int | None) -> float:
    """Return the chance of answering a question of a difficulty (1–5) right (a logistic item response curve)."""
    hardness = ((difficulty or 3) - 3) * 0.6 - 0.3
    return 1 / (1 + math.exp(-1.7 * (ability - hardness)))
