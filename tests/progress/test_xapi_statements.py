"""xAPI 1.0.3 statements: valid ones round-trip through their JSON form, invalid ones are refused with the
reason in plain words, and the platform's builder writes what a learning record store expects."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from lms_core.errors import Invalid, TooLarge
from lms_core.progress import verbs, xapi
from lms_core.settings import get_settings

SCHOOL = "https://thpt-tan-cuong.edu.vn"

# A statement in the spec's JSON form, already in the form we write back (UTC times to the millisecond,
# context activities as lists), so parsing and writing it again must give exactly this.
FULL: dict[str, Any] = {
    "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
    "actor": {"objectType": "Group", "name": "Nhóm 3", "member": [
        {"objectType": "Agent", "account": {"homePage": SCHOOL, "name": "a1b2c3"}},
        {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
    ]},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-US": "attended", "vi-VN": "đã tham dự"}},
    "object": {"objectType": "Activity", "id": f"{SCHOOL}/xapi/activities/lesson/12", "definition": {
        "name": {"vi": "Thu hái chè"}, "description": {"vi": "Buổi học ngoài đồi chè Tân Cương."},
        "type": "http://adlnet.gov/expapi/activities/lesson", "moreInfo": f"{SCHOOL}/lessons/12",
        "extensions": {"http://id.tincanapi.com/extension/location": {"lat": 21.59, "note": None}}}},
    "result": {"score": {"scaled": 0.75, "raw": 7.5, "min": 0, "max": 10}, "success": True, "completion": True,
               "response": "Hái một tôm hai lá.", "duration": "PT1H0M0S",
               "extensions": {"http://example.org/xapi/ext/attempts": 2}},
    "context": {
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        "instructor": {"objectType": "Agent", "openid": "http://teacher.example.org/"},
        "team": {"objectType": "Group", "account": {"homePage": SCHOOL, "name": "lop-10a1"}},
        "contextActivities": {"parent": [{"id": f"{SCHOOL}/xapi/activities/course/3"}],
                              "grouping": [{"objectType": "Activity", "id": f"{SCHOOL}/xapi/activities/course/3"}],
                              "category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}],
                              "other": [{"id": "urn:isbn:9786040000000"}]},
        "revision": "2", "platform": "Trường Số", "language": "vi-VN",
        "statement": {"objectType": "StatementRef", "id": "7ccd3322-e1a5-411a-a67d-6a735c76f119"},
        "extensions": {"http://example.org/xapi/ext/period": 3}},
    "timestamp": "2024-09-05T00:30:00.123Z",
    "stored": "2024-09-05T00:30:01.000Z",
    "authority": {"objectType": "Agent", "account": {"homePage": SCHOOL, "name": "truongso"}},
    "version": "1.0.3",
}


@pytest.fixture()
def school_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Configure the server's public address for the xAPI ids."""
    monkeypatch.setenv("TRUONGSO_PUBLIC_URL", SCHOOL + "/")
    get_settings.cache_clear()
    yield SCHOOL
    monkeypatch.undo()
    get_settings.cache_clear()


def _changed(path: list[str | int], value: Any) -> dict[str, Any]:
    """Return a copy of FULL with one part replaced (or removed when value is ...)."""
    data = copy.deepcopy(FULL)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def test_a_full_statement_round_trips_unchanged() -> None:
    parsed = xapi.parse_statement(json.dumps(FULL))
    assert xapi.to_json(parsed) == FULL
    assert xapi.parse_statement(xapi.dumps(parsed)) == parsed
    assert parsed.result is not None and parsed.result.score is not None and parsed.result.score.raw == 7.5


def test_statement_ref_sub_statement_and_interaction_round_trip() -> None:
    doc = {"actor": {"mbox": "mailto:gv.lan@example.org"},
           "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
           "object": {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
           "version": "1.0.3"}
    assert xapi.to_json(xapi.parse_statement(doc)) == doc
    sub = {"actor": {"openid": "http://hs.example.org/"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
           "object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:hs@example.org"},
                      "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                      "object": {"id": f"{SCHOOL}/xapi/activities/question/9", "definition": {
                          "interactionType": "choice", "correctResponsesPattern": ["b"],
                          "choices": [{"id": "a", "description": {"vi": "Chè xanh"}}, {"id": "b"}]}},
                      "timestamp": "2024-01-02T03:04:05.000Z"},
           "version": "1.0.3"}
    assert xapi.to_json(xapi.parse_statement(sub)) == sub


def test_times_are_kept_in_utc_and_a_single_context_activity_becomes_a_list() -> None:
    doc = _changed(["timestamp"], "2024-09-05T07:30:00.123+07:00")
    doc["context"]["contextActivities"]["parent"] = {"id": f"{SCHOOL}/xapi/activities/course/3"}
    out = xapi.to_json(xapi.parse_statement(doc))
    assert out["timestamp"] == "2024-09-05T00:30:00.123Z"
    assert out["context"]["contextActivities"]["parent"] == [{"id": f"{SCHOOL}/xapi/activities/course/3"}]


REFUSED = [
    pytest.param(["object", "id"], "lessons/12", "object.id", "absolute IRI", id="relative-iri"),
    pytest.param(["verb", "id"], "completed", "verb.id", "absolute IRI", id="verb-not-iri"),
    pytest.param(["context", "instructor", "mbox"], "mailto:gv@example.org", "context.instructor",
                 "exactly one way", id="two-ifis-on-agent"),
    pytest.param(["authority", "account"], ..., "authority", "exactly one way", id="agent-without-ifi"),
    pytest.param(["result", "score", "scaled"], 1.5, "result.score", "between -1 and 1", id="scaled-1.5"),
    pytest.param(["result", "score", "raw"], 11, "result.score", "above the maximum score 10", id="raw-above-max"),
    pytest.param(["result", "score", "raw"], -1, "result.score", "below the minimum score 0", id="raw-below-min"),
    pytest.param(["result", "score", "min"], 10, "result.score", "must be less than the maximum",
                 id="min-not-below-max"),
    pytest.param(["result", "duration"], "5 minutes", "result.duration", "ISO 8601 duration", id="bad-duration"),
    pytest.param(["result", "duration"], "P4W1D", "result.duration", "ISO 8601 duration", id="weeks-mixed"),
    pytest.param(["timestamp"], "2024-09-05T07:30:00", "timestamp", "no time zone", id="naive-timestamp"),
    pytest.param(["stored"], "hôm qua", "stored", "date and time", id="timestamp-not-a-date"),
    pytest.param(["grade"], "A", "grade", "not a property", id="unknown-top-level-property"),
    pytest.param(["result", "Score"], {"raw": 1}, "result.Score", "not a property", id="key-with-wrong-case"),
    pytest.param(["result", "extensions"], {"attempts": 2}, "result.extensions.attempts", "absolute IRI",
                 id="extension-key-not-iri"),
    pytest.param(["result", "response"], "x" * 10_001, "result.response", "at most 10000 characters",
                 id="oversized-response"),
    pytest.param(["verb", "display"], {"en_US": "attended"}, "verb.display.en_US", "not a language tag",
                 id="bad-language-tag"),
    pytest.param(["context", "language"], "Tiếng Việt", "context.language", "not a language tag",
                 id="bad-context-language"),
    pytest.param(["result", "success"], "true", "result.success", "true or false", id="string-for-boolean"),
    pytest.param(["result", "score", "raw"], "7.5", "result.score.raw", "must be a number", id="string-for-number"),
    pytest.param(["id"], "6690e6c93ef04ed38b377f3964730bee", "id", "must be a UUID", id="uuid-not-standard-form"),
    pytest.param(["version"], "2.0.0", "version", "1.0.x", id="other-version"),
    pytest.param(["object", "objectType"], "Course", "object", "objectType", id="unknown-object-type"),
    pytest.param(["actor", "member"], ..., "actor", "must list its members", id="anonymous-group-without-members"),
    pytest.param(["actor", "member", 1, "mbox_sha1sum"], "not-a-hash", "actor.member[1].mbox_sha1sum", "SHA-1",
                 id="bad-sha1"),
    pytest.param(["context", "instructor", "openid"], ..., "context.instructor", "exactly one way",
                 id="instructor-without-ifi"),
    pytest.param(["object", "definition", "choices"], [{"id": "a"}], "object.definition", "choice, sequencing",
                 id="choices-without-choice-interaction"),
    pytest.param(["context", "platform"], "x" * 501, "context.platform", "at most 500 characters",
                 id="long-platform"),
    pytest.param(["verb"], ..., "verb", "required", id="missing-verb"),
]


@pytest.mark.parametrize(("path", "value", "field", "reason"), REFUSED)
def test_invalid_statement_is_refused_with_its_reason(path: list[str | int], value: Any, field: str,
                                                      reason: str) -> None:
    doc = _changed(path, value)
    before = copy.deepcopy(doc)
    with pytest.raises(Invalid) as caught:
        xapi.parse_statement(json.dumps(doc))
    assert reason in caught.value.translated()
    assert caught.value.details[0]["field"] == field
    with pytest.raises(Invalid):  # the decoded object is refused the same way, and is left as it was
        xapi.parse_statement(doc)
    assert doc == before


@pytest.mark.parametrize(("text", "reason"), [
    ('{"actor": {"mbox": "mailto:a@example.org"}, "actor": {"mbox": "mailto:b@example.org"}}', "appears twice"),
    ('{"result": {"score": {"raw": NaN}}}', "not valid JSON"),
    ('{"actor": ', "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
])
def test_text_that_is_not_one_json_statement_is_refused(text: str, reason: str) -> None:
    with pytest.raises(Invalid) as caught:
        xapi.parse_statement(text)
    assert reason in caught.value.translated()


def test_nulls_are_refused_except_inside_extensions() -> None:
    with pytest.raises(Invalid) as caught:
        xapi.parse_statement(json.dumps(_changed(["result", "success"], None)))
    assert "result.success is null" in caught.value.translated()
    with pytest.raises(Invalid):
        xapi.parse_statement(_changed(["context", "extensions"], None))
    assert xapi.parse_statement(json.dumps(FULL)).object.definition.extensions[  # type: ignore[union-attr]
        "http://id.tincanapi.com/extension/location"]["note"] is None


def test_a_huge_statement_is_refused_before_parsing() -> None:
    with pytest.raises(TooLarge):
        xapi.parse_statement(json.dumps(_changed(["result", "extensions"], {"http://e.org/x": "y" * 300_000})))
    with pytest.raises(Invalid) as caught:
        xapi.parse_statement(_changed(["result", "extensions"], {"http://e.org/x": "y" * 20_000}))
    assert "too large" in caught.value.translated()


def test_rules_across_parts_of_a_statement() -> None:
    voiding = _changed(["verb", "id"], verbs.VOIDED.iri)
    with pytest.raises(Invalid) as caught:
        xapi.parse_statement(voiding)
    assert "StatementRef" in caught.value.translated()
    agent_object = _changed(["object"], {"objectType": "Agent", "mbox": "mailto:hs@example.org"})
    with pytest.raises(Invalid) as caught:
        xapi.parse_statement(agent_object)
    assert "revision and platform" in caught.value.translated()
    del agent_object["context"]["revision"], agent_object["context"]["platform"]
    assert xapi.to_json(xapi.parse_statement(agent_object))["object"] == {"objectType": "Agent",
                                                                          "mbox": "mailto:hs@example.org"}
    nested = {"actor": {"mbox": "mailto:a@example.org"}, "verb": {"id": "http://example.org/v"},
              "object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@example.org"},
                         "verb": {"id": "http://example.org/v"},
                         "object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@example.org"},
                                    "verb": {"id": "http://example.org/v"}, "object": {"id": "http://example.org/a"}}}}
    with pytest.raises(Invalid) as caught:
        xapi.parse_statement(nested)
    assert caught.value.details[0]["field"] == "object.object"
    sub_with_id = copy.deepcopy(nested)
    sub_with_id["object"]["object"] = {"id": "http://example.org/a"}
    sub_with_id["object"]["id"] = FULL["id"]
    with pytest.raises(Invalid) as caught:
        xapi.parse_statement(sub_with_id)
    assert caught.value.details[0]["field"] == "object.id"


def test_builder_writes_a_platform_event(school_url: str) -> None:
    lesson, course = xapi.activity_iri("lesson", 12), xapi.activity_iri("course", 3)
    when = datetime(2024, 9, 5, 7, 30, tzinfo=timezone(timedelta(hours=7)))
    made = xapi.statement(41, verbs.COMPLETED, xapi.activity_iri("activity", 77), activity_type="assessment",
                          activity_name={"vi-VN": "Bài kiểm tra 15 phút"}, course_iri=course, lesson_iri=lesson,
                          result={"score": {"raw": 8, "min": 0, "max": 10}, "completion": True,
                                  "duration": xapi.iso_duration(605)}, when=when)
    out = xapi.to_json(made)
    assert out["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed",
                           "display": {"en-US": "completed", "vi-VN": "đã hoàn thành"}}
    assert out["object"]["id"] == f"{SCHOOL}/xapi/activities/activity/77"
    assert out["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert [a["id"] for a in out["context"]["contextActivities"]["parent"]] == [lesson]
    assert [a["id"] for a in out["context"]["contextActivities"]["grouping"]] == [course]
    assert out["result"]["duration"] == "PT10M5S"
    assert out["timestamp"] == "2024-09-05T00:30:00.000Z"
    assert out["version"] == "1.0.3" and out["actor"]["account"]["homePage"] == SCHOOL
    assert xapi.parse_statement(xapi.dumps(made)) == made
    on_lesson = xapi.to_json(xapi.statement(41, "viewed", lesson, lesson_iri=lesson, course_iri=course))
    assert [a["id"] for a in on_lesson["context"]["contextActivities"]["parent"]] == [course]
    assert "grouping" not in on_lesson["context"]["contextActivities"]
    assert xapi.parse_statement(on_lesson).timestamp > datetime.now(UTC) - timedelta(minutes=1)


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"verb": "liked"}, "not a verb this platform uses"),
    ({"when": datetime(2024, 9, 5, 7, 30)}, "no time zone"),
    ({"result": {"score": {"scaled": 2}}}, "between -1 and 1"),
    ({"activity_iri": "bai-1"}, "absolute IRI"),
    ({"extensions": {"so-tiet": 2}}, "absolute IRI"),
])
def test_builder_refuses_bad_events(school_url: str, kwargs: dict[str, Any], reason: str) -> None:
    args = {"verb": "viewed", "activity_iri": xapi.activity_iri("material", "m-1"), **kwargs}
    with pytest.raises(Invalid) as caught:
        xapi.statement(5, args.pop("verb"), args.pop("activity_iri"), **args)
    assert reason in caught.value.translated()


def test_activity_ids_follow_the_platform_scheme(school_url: str) -> None:
    assert xapi.activity_iri("course", 3) == "https://thpt-tan-cuong.edu.vn/xapi/activities/course/3"
    assert xapi.material_version_iri("4b1c", 2) == f"{SCHOOL}/xapi/activities/material/4b1c/version/2"
    assert xapi.activity_iri("question", "a/b c") == "https://thpt-tan-cuong.edu.vn/xapi/activities/question/a%2Fb%20c"
    assert xapi.parse_activity_iri(xapi.activity_iri("lesson", 12)) == ("lesson", "12")
    assert xapi.parse_activity_iri("https://other.edu.vn/xapi/activities/lesson/12") is None
    with pytest.raises(Invalid):
        xapi.activity_iri("school", 1)
    with pytest.raises(Invalid):
        xapi.activity_iri("lesson", "")


def test_a_bad_public_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUONGSO_PUBLIC_URL", "thpt-tan-cuong.edu.vn")
    get_settings.cache_clear()
    try:
        with pytest.raises(Invalid) as caught:
            xapi.activity_iri("course", 1)
        assert "http:// or https://" in caught.value.translated()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.mark.parametrize(("seconds", "expected"), [(0, "PT0S"), (59.5, "PT59.5S"), (605, "PT10M5S"),
                                                   (3723.25, "PT1H2M3.25S"), (7200, "PT2H0S")])
def test_durations_are_written_in_iso_8601(seconds: float, expected: str) -> None:
    assert xapi.iso_duration(seconds) == expected
    assert xapi.Result(duration=expected).duration == expected


def test_negative_duration_is_refused() -> None:
    with pytest.raises(Invalid):
        xapi.iso_duration(-1)


def test_every_platform_verb_is_a_valid_xapi_verb_in_english_and_vietnamese() -> None:
    assert {"viewed", "watched", "completed", "submitted", "answered", "asked", "read", "attended"} <= set(verbs.VERBS)
    assert len({v.iri for v in verbs.VERBS.values()}) == len(verbs.VERBS)
    for verb in verbs.VERBS.values():
        model = xapi.Verb(id=verb.iri, display=dict(verb.display))
        display = model.display or {}
        assert set(display) == {"en-US", "vi-VN"} and all(display.values())
        assert verbs.get(verb.key) is verb and verbs.get(verb.iri) is verb
    adl = {"completed", "answered", "asked", "attended", "attempted", "passed", "failed", "experienced", "launched"}
    assert all(verbs.VERBS[k].iri == "http://adlnet.gov/expapi/verbs/" + k for k in adl)
    assert verbs.get("liked") is None


def test_messages_are_translated_for_vietnamese_users() -> None:
    from lms_core.errors import Invalid
    from lms_core.i18n import use_locale
    from lms_core.progress.xapi import validate_statement

    with use_locale("vi"):
        with pytest.raises(Invalid) as caught:
            validate_statement({"actor": {"objectType": "Agent",
                                          "account": {"homePage": "https://truong.example", "name": "x"}},
                                "verb": {"id": "completed"}, "object": {"id": "https://truong.example/a"}})
        assert "IRI tuyệt đối" in caught.value.translated()
