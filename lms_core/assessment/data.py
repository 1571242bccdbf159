"""Questions as JSON: what a stored question version holds (media excluded: it is stored by hash, referred to by URL)."""

from __future__ import annotations

from dataclasses import asdict, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from lms_core.assessment.items import Blank, Choice, Criterion, Item, NumericKey, Pair, QType, TFStatement
from lms_core.errors import Invalid
from lms_core.i18n import N_

BAD_DATA = N_("The stored question is damaged and cannot be read.")
_PARTS = {"choices": Choice, "statements": TFStatement, "numeric": NumericKey, "pairs": Pair, "blanks": Blank,
          "rubric": Criterion}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_data(item: Item) -> dict[str, Any]:
    """Return a question as JSON-ready data (decimals as strings, no media bytes)."""
    data = asdict(item)
    data.pop("media", None)
    data["type"] = str(item.type)
    return _plain(data)


def _decimal(value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Invalid(BAD_DATA) from None
    if not number.is_finite():
        raise Invalid(BAD_DATA)
    return number


def _part(kind: type, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise Invalid(BAD_DATA)
    names = {f.name for f in fields(kind)}
    values = {k: v for k, v in raw.items() if k in names}
    for name in ("value", "tolerance", "points"):
        if name in values:
            values[name] = _decimal(values[name])
    try:
        return kind(**values)
    except TypeError:
        raise Invalid(BAD_DATA) from None


def from_data(data: dict[str, Any]) -> Item:
    """Return the question a stored version holds; damaged data is refused, never half-read."""
    if not isinstance(data, dict) or data.get("type") not in set(QType):
        raise Invalid(BAD_DATA)
    names = {f.name for f in fields(Item)} - {"media"}
    values = {k: v for k, v in data.items() if k in names}
    values["type"] = QType(values["type"])
    values["points"] = _decimal(values.get("points", "1"))
    for name, kind in _PARTS.items():
        values[name] = [_part(kind, raw) for raw in values.get(name) or []]
    try:
        return Item(**values)
    except TypeError:
        raise Invalid(BAD_DATA) from None
