"""The demo's term: from the start of the school year (early September) to "now", in the school's local time."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7))  # no daylight saving time
MIN_TERM = timedelta(days=28)  # a demo run before the year starts still shows four weeks of school
DAY_STARTS, DAY_ENDS = time(6, 30), time(22, 0)  # when students are awake and online


@dataclass(frozen=True)
class Term:
    """The span of the demo's history: its start, and the horizon ("now"; nothing happens after it)."""

    start: datetime
    horizon: datetime

    @classmethod
    def until(cls, *, year_start: date, today: date) -> Term:
        """Return the term from the school year's start to the beginning of today (local midnight).

        Ending at a day's start, not at the moment of the run, keeps a second run on the same day from finding
        anything new to add (and nothing the demo wrote lies in the future)."""
        horizon = datetime.combine(today, time(0, 0), VIETNAM).astimezone(UTC)
        start = datetime.combine(year_start, time(7, 0), VIETNAM).astimezone(UTC)
        return cls(start=min(start, horizon - MIN_TERM), horizon=horizon)

    @property
    def days(self) -> float:
        """Return the length of the term so far, in days."""
        return (self.horizon - self.start) / timedelta(days=1)

    def at(self, share: float) -> datetime:
        """Return the moment a share (0–1) of the way through the term."""
        return self.start + (self.horizon - self.start) * share

    def local(self, day: date, hour: int, minute: int = 0) -> datetime:
        """Return a local clock time on a day, in UTC."""
        return datetime.combine(day, time(hour, minute), VIETNAM).astimezone(UTC)

    def day_of(self, when: datetime) -> date:
        """Return the local date of a moment."""
        return when.astimezone(VIETNAM).date()

    def morning(self, when: datetime) -> datetime:
        """Return 07:00 local time on the day of a moment, no later than six hours before the horizon."""
        day = self.day_of(when)
        opens = self.local(day, 7)
        while opens > self.horizon - timedelta(hours=6):
            day -= timedelta(days=1)
            opens = self.local(day, 7)
        return opens

    def evening(self, when: datetime, days_after: int = 0) -> datetime:
        """Return 21:00 local time a number of days after a moment's day (a closing time)."""
        return self.local(self.day_of(when) + timedelta(days=days_after), 21)

    def moment(self, rng: random.Random, earliest: datetime, mean_days: float,
               latest: datetime | None = None) -> datetime | None:
        """Return a waking-hours moment some days (exponential, mean given) after `earliest`, before the horizon and
        `latest`; None when it would come after them (it has not happened yet)."""
        limit = min(self.horizon, latest) if latest else self.horizon
        when = earliest + timedelta(days=rng.expovariate(1 / mean_days)) if mean_days > 0 else earliest
        local = when.astimezone(VIETNAM)
        if not DAY_STARTS <= local.time() <= DAY_ENDS:  # move a night-time moment to the next evening or morning
            hour = rng.choice((7, 8, 15, 16, 19, 20))
            day = local.date() + (timedelta(days=1) if local.time() > DAY_ENDS and hour < 12 else timedelta())
            when = max(self.local(day, hour, rng.randrange(60)), earliest)
        return when if when < limit else None
