"""The xAPI verbs the platform writes: each with its published IRI and display names in en-US and vi-VN.

IRIs come from published vocabularies, never coined here:
- ADL (the xAPI authors' own vocabulary), http://adlnet.gov/expapi/verbs/…, wherever it has the verb;
- the Tin Can registry (id.tincanapi.com) for "viewed", the IRI Moodle's xAPI log store uses;
- Activity Streams 1.0 (activitystrea.ms/schema/1.0) for "watched", "read" and "submitted", as listed in the
  xAPI Vocabulary index (xapi.vocab.pub/verbs) and used by existing LMS xAPI integrations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

ADL = "http://adlnet.gov/expapi/verbs/"
TINCAN = "http://id.tincanapi.com/verb/"
ACTIVITY_STREAMS = "http://activitystrea.ms/schema/1.0/"


@dataclass(frozen=True)
class VerbDef:
    """One verb of the platform: a short key, its IRI and its display names."""

    key: str
    iri: str
    en: str
    vi: str
    display: Mapping[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "display", MappingProxyType({"en-US": self.en, "vi-VN": self.vi}))


_ALL = (
    VerbDef("viewed", TINCAN + "viewed", "viewed", "đã xem"),
    VerbDef("watched", ACTIVITY_STREAMS + "watch", "watched", "đã xem video"),
    VerbDef("read", ACTIVITY_STREAMS + "read", "read", "đã đọc"),
    VerbDef("submitted", ACTIVITY_STREAMS + "submit", "submitted", "đã nộp"),
    VerbDef("completed", ADL + "completed", "completed", "đã hoàn thành"),
    VerbDef("answered", ADL + "answered", "answered", "đã trả lời"),
    VerbDef("asked", ADL + "asked", "asked", "đã hỏi"),
    VerbDef("attended", ADL + "attended", "attended", "đã tham dự"),
    VerbDef("attempted", ADL + "attempted", "attempted", "đã làm"),
    VerbDef("passed", ADL + "passed", "passed", "đã đạt"),
    VerbDef("failed", ADL + "failed", "failed", "chưa đạt"),
    VerbDef("experienced", ADL + "experienced", "experienced", "đã trải nghiệm"),
    VerbDef("launched", ADL + "launched", "launched", "đã mở"),
    VerbDef("progressed", ADL + "progressed", "progressed", "đã học tiếp"),
    VerbDef("scored", ADL + "scored", "scored", "đã được chấm điểm"),
    VerbDef("mastered", ADL + "mastered", "mastered", "đã thành thạo"),
    VerbDef("commented", ADL + "commented", "commented", "đã bình luận"),
    VerbDef("voided", ADL + "voided", "voided", "đã hủy"),
)

VERBS: Mapping[str, VerbDef] = MappingProxyType({v.key: v for v in _ALL})
BY_IRI: Mapping[str, VerbDef] = MappingProxyType({v.iri: v for v in _ALL})

VIEWED = VERBS["viewed"]
WATCHED = VERBS["watched"]
READ = VERBS["read"]
SUBMITTED = VERBS["submitted"]
COMPLETED = VERBS["completed"]
ANSWERED = VERBS["answered"]
ASKED = VERBS["asked"]
ATTENDED = VERBS["attended"]
ATTEMPTED = VERBS["attempted"]
PASSED = VERBS["passed"]
FAILED = VERBS["failed"]
EXPERIENCED = VERBS["experienced"]
LAUNCHED = VERBS["launched"]
PROGRESSED = VERBS["progressed"]
SCORED = VERBS["scored"]
MASTERED = VERBS["mastered"]
COMMENTED = VERBS["commented"]
VOIDED = VERBS["voided"]


def get(key_or_iri: str) -> VerbDef | None:
    """Return the platform verb with this key ("completed") or IRI, or None when it is not one of ours."""
    return VERBS.get(key_or_iri) or BY_IRI.get(key_or_iri)
