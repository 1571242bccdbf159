"""The indicator set of the digital-transformation self-assessment, read from a TOML file and checked as a whole.

The shipped file (data/dt_indicators_4725.toml) applies unless a province's department has uploaded a corrected
one; either is parsed and checked here, and nothing about a file that fails any check is used. The rules that turn
a value into points, and the points into levels, live here too, so the service and the tests share them.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from lms_core.errors import Invalid
from lms_core.i18n import N_, current_locale
from lms_core.text import nfc

SHIPPED = Path(__file__).parent / "data" / "dt_indicators_4725.toml"
MAX_BYTES = 200_000
MAX_POINTS = 1000.0
MAX_COUNT = 10_000_000
RULES = ("mandatory", "yes_no", "percent_bands", "count_bands", "entered")

NOT_UTF8 = N_("The indicator file must be UTF-8 text.")
TOO_BIG = N_("The indicator file may be at most {max} KB.")
BAD_SYNTAX = N_("The indicator file is not valid TOML: {detail}")
TOO_DEEP = N_("The indicator file nests lists or tables too deeply to be an indicator file.")
BAD_FIELD = N_("The indicator file is not valid at {where}: {problem}")
DUPLICATE = N_("The indicator file uses the code {code} twice.")
UNKNOWN_GROUP = N_("Indicator {code} belongs to a group that the file does not define: {group}.")
GROUP_SUM = N_("The indicators of group {code} add up to {sum} points, but the group's maximum is {max}.")
BAD_LEVELS = N_("The levels must be numbered 1, 2, 3 … in order, the first from 0 points and each threshold higher "
                "than the one before.")
BAD_BANDS = N_("Indicator {code}: its bands must start at increasing values, never give fewer points than the band "
               "before, and the last one must give exactly its maximum points.")
BAD_RULE_POINTS = N_("Indicator {code}: a mandatory condition has 0 points and every other indicator more than 0.")
BANDS_NOT_ALLOWED = N_("Indicator {code}: only percent_bands and count_bands rules have bands.")
UNKNOWN_MEASURE = N_("Indicator {code} names a figure the platform does not compute: {measure}.")
MEASURE_RULE = N_("Indicator {code}: the figure {measure} cannot be scored by the rule {rule}.")
BAD_CAP = N_("The level reached while a mandatory condition is unmet must be one of the file's levels.")


# --- the file's shape --------------------------------------------------------------------------------------------

Code = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-]*$")]
Title = Annotated[str, Field(min_length=1, max_length=300)]
Note = Annotated[str, Field(max_length=1000)]
Points = Annotated[float, Field(ge=0, le=MAX_POINTS, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Decision(_Strict):
    """The decision the set comes from."""

    number: Annotated[str, Field(min_length=1, max_length=60)]
    date: Annotated[str, Field(max_length=20)] = ""
    title_vi: Title
    title_en: Title
    unsure: Note = ""


class Scoring(_Strict):
    """How the groups' points give the institution's level."""

    mandatory_unmet_level: Annotated[int, Field(ge=1, le=10)] = 1
    unsure: Note = ""


class Level(_Strict):
    """A level: reached from (inclusive) or above (exclusive) a number of points in every group."""

    level: Annotated[int, Field(ge=1, le=10)]
    name_vi: Title
    name_en: Title
    from_points: Points | None = None
    above_points: Points | None = None

    @model_validator(mode="after")
    def _one_threshold(self) -> Level:
        if (self.from_points is None) == (self.above_points is None):
            raise ValueError("give exactly one of from_points and above_points")
        return self

    @property
    def threshold(self) -> float:
        """Return the level's threshold in points."""
        return self.from_points if self.from_points is not None else self.above_points  # type: ignore[return-value]

    def reached(self, points: float) -> bool:
        """Return whether a group's points reach this level."""
        if self.from_points is not None:
            return points >= self.from_points
        return points > self.above_points  # type: ignore[operator]

    def name(self, locale: str | None = None) -> str:
        """Return the level's name in a locale (the request's by default)."""
        return self.name_en if (locale or current_locale()) == "en" else self.name_vi


class Group(_Strict):
    """A group of criteria, scored out of its maximum."""

    code: Code
    title_vi: Title
    title_en: Title
    max_points: Points

    def title(self, locale: str | None = None) -> str:
        """Return the group's title in a locale."""
        return self.title_en if (locale or current_locale()) == "en" else self.title_vi


class Band(_Strict):
    """From `min` on (a percentage or a count), the indicator gives `points`."""

    min: Annotated[float, Field(ge=0, le=MAX_COUNT, allow_inf_nan=False)]
    points: Points


class Indicator(_Strict):
    """One indicator: how its value is scored, and where the value comes from (a measure, or the school)."""

    code: Code
    group: Code
    title_vi: Title
    title_en: Title
    max_points: Points
    rule: Literal["mandatory", "yes_no", "percent_bands", "count_bands", "entered"]
    bands: Annotated[tuple[Band, ...], Field(max_length=20)] = ()
    measure: Name | None = None
    evidence: Annotated[tuple[Name, ...], Field(max_length=5)] = ()
    unsure: Note = ""
    note: Note = ""

    def title(self, locale: str | None = None) -> str:
        """Return the indicator's title in a locale."""
        return self.title_en if (locale or current_locale()) == "en" else self.title_vi

    @property
    def measured(self) -> bool:
        """Return whether the platform computes the value (the school cannot enter it)."""
        return self.measure is not None

    def points(self, value: float | None) -> float:
        """Return the points a value gives (an unanswered indicator gives none)."""
        if value is None or self.rule == "mandatory":
            return 0.0
        if self.rule == "yes_no":
            return self.max_points if value > 0 else 0.0
        if self.rule == "entered":
            return min(max(value, 0.0), self.max_points)
        return max((b.points for b in self.bands if value >= b.min), default=0.0)

    def met(self, value: float | None) -> bool:
        """Return whether a mandatory condition is met."""
        return value is not None and value > 0


class Framework(_Strict):
    """A whole indicator set, checked; `sha256` identifies the text it was read from."""

    schema_: Annotated[int, Field(alias="schema", ge=1, le=1)]
    decision: Decision
    scoring: Scoring = Scoring()
    levels: Annotated[tuple[Level, ...], Field(min_length=1, max_length=10)]
    groups: Annotated[tuple[Group, ...], Field(min_length=1, max_length=10)]
    indicators: Annotated[tuple[Indicator, ...], Field(min_length=1, max_length=300)]
    sha256: str = ""

    def group_of(self, code: str) -> Group:
        """Return a group by code."""
        return next(g for g in self.groups if g.code == code)

    def indicator(self, code: str) -> Indicator | None:
        """Return an indicator by code, None when the set has none."""
        return next((i for i in self.indicators if i.code == code), None)

    def in_group(self, code: str) -> list[Indicator]:
        """Return the indicators of a group, in the file's order."""
        return [i for i in self.indicators if i.group == code]

    def level_of(self, points: float) -> Level:
        """Return the highest level a group's points reach."""
        return [lv for lv in self.levels if lv.reached(points)][-1]

    def level(self, number: int) -> Level:
        """Return a level by its number."""
        return next(lv for lv in self.levels if lv.level == number)


# --- checking a file ---------------------------------------------------------------------------------------------

def _check_bands(ind: Indicator) -> None:
    if ind.rule not in ("percent_bands", "count_bands"):
        if ind.bands:
            raise Invalid(BANDS_NOT_ALLOWED, code=ind.code)
        return
    bands = ind.bands
    top = 100.0 if ind.rule == "percent_bands" else float(MAX_COUNT)
    ok = bool(bands) and all(0 <= b.min <= top for b in bands) \
        and all(a.min < b.min and a.points <= b.points for a, b in zip(bands, bands[1:], strict=False)) \
        and bands[-1].points == ind.max_points and all(b.points <= ind.max_points for b in bands)
    if not ok:
        raise Invalid(BAD_BANDS, code=ind.code)


def _check_measures(ind: Indicator) -> None:
    from lms_core.reports.dt_measures import MEASURES

    for name in (ind.measure, *ind.evidence):
        if name is not None and name not in MEASURES:
            raise Invalid(UNKNOWN_MEASURE, code=ind.code, measure=name)
    if ind.measure is None:
        return
    kind = MEASURES[ind.measure].kind
    fits = {"yes_no": ("percent", "count"), "percent_bands": ("percent",), "count_bands": ("count",)}
    if kind not in fits.get(ind.rule, ()):
        raise Invalid(MEASURE_RULE, code=ind.code, measure=ind.measure, rule=ind.rule)


def _check(fw: Framework) -> None:
    for codes in ([g.code for g in fw.groups], [i.code for i in fw.indicators]):
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise Invalid(DUPLICATE, code=code)
            seen.add(code)
    numbers = [lv.level for lv in fw.levels]
    thresholds = [lv.threshold for lv in fw.levels]
    if numbers != list(range(1, len(numbers) + 1)) or fw.levels[0].from_points != 0 \
            or any(a >= b for a, b in zip(thresholds, thresholds[1:], strict=False)):
        raise Invalid(BAD_LEVELS)
    if fw.scoring.mandatory_unmet_level not in numbers:
        raise Invalid(BAD_CAP)
    groups = {g.code for g in fw.groups}
    for ind in fw.indicators:
        if ind.group not in groups:
            raise Invalid(UNKNOWN_GROUP, code=ind.code, group=ind.group)
        if (ind.rule == "mandatory") != (ind.max_points == 0):
            raise Invalid(BAD_RULE_POINTS, code=ind.code)
        _check_bands(ind)
        _check_measures(ind)
    for g in fw.groups:
        total = round(sum(i.max_points for i in fw.in_group(g.code)), 2)
        if total != round(g.max_points, 2):
            raise Invalid(GROUP_SUM, code=g.code, sum=_num(total), max=_num(g.max_points))


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _where(error: dict[str, Any]) -> str:
    return ".".join(str(p) for p in error.get("loc", ())) or "?"


def parse(data: bytes) -> Framework:
    """Read and check an indicator file; refuse it whole, naming the first problem, when anything is wrong."""
    if len(data) > MAX_BYTES:
        raise Invalid(TOO_BIG, max=MAX_BYTES // 1000)
    try:
        text = nfc(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise Invalid(NOT_UTF8) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(BAD_SYNTAX, detail=str(exc)[:200]) from None
    except RecursionError:  # arrays or tables nested thousands deep, within the size limit
        raise Invalid(TOO_DEEP) from None
    try:
        fw = Framework.model_validate({**raw, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise Invalid(BAD_FIELD, where=_where(first), problem=str(first.get("msg", ""))[:200]) from None
    _check(fw)
    return fw


@lru_cache(maxsize=64)
def _cached(data: bytes) -> Framework:
    return parse(data)


def shipped_bytes() -> bytes:
    """Return the text of the shipped indicator file."""
    return SHIPPED.read_bytes()


def load(data: bytes | None = None) -> Framework:
    """Return the indicator set of a file's bytes (the shipped file by default), parsed once per text."""
    return _cached(data if data is not None else shipped_bytes())


@dataclass(frozen=True)
class Result:
    """An assessment's outcome: points per group, the level each group reaches, and the institution's level."""

    group_points: dict[str, float]
    group_levels: dict[str, int]
    level: int
    unmet: tuple[str, ...]       # mandatory conditions not (yet) met
    unanswered: tuple[str, ...]  # indicators without a value

    @property
    def total(self) -> float:
        """Return the points of all groups together."""
        return round(sum(self.group_points.values()), 2)


def outcome(fw: Framework, values: dict[str, float | None]) -> Result:
    """Compute the points of each group and the level, from each indicator's value (None: not answered)."""
    points = {g.code: 0.0 for g in fw.groups}
    unmet, unanswered = [], []
    for ind in fw.indicators:
        value = values.get(ind.code)
        if value is None:
            unanswered.append(ind.code)
        if ind.rule == "mandatory" and not ind.met(value):
            unmet.append(ind.code)
        points[ind.group] += ind.points(value)
    points = {k: round(v, 2) for k, v in points.items()}
    levels = {k: fw.level_of(v).level for k, v in points.items()}
    level = min(levels.values())
    if unmet:
        level = min(level, fw.scoring.mandatory_unmet_level)
    return Result(points, levels, level, tuple(unmet), tuple(unanswered))
