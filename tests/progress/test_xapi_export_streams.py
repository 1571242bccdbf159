"""Exports are the JSON array an LRS accepts for a POST of many statements, written piece by piece so that
a large period never becomes one giant string in memory."""

from __future__ import annotations

import json
from collections.abc import Iterator

from lms_core.progress import verbs, xapi

COUNT = 10_000


def _events(drawn: list[int]) -> Iterator[xapi.Statement]:
    """Yield statements of many students one at a time, counting how many were drawn."""
    material = xapi.activity_iri("material", "tra-tan-cuong")
    for n in range(COUNT):
        drawn.append(n)
        yield xapi.statement(n, verbs.READ if n % 2 else verbs.VIEWED, material,
                             result={"completion": True, "duration": xapi.iso_duration(n % 600)})


def test_ten_thousand_statements_stream_as_one_json_array() -> None:
    drawn: list[int] = []
    document = xapi.export_document(_events(drawn))
    assert isinstance(document, Iterator)
    assert drawn == []  # nothing is built before the first piece is asked for
    first = next(document)
    assert first.startswith(b"[") and 0 < len(drawn) < COUNT
    pieces = [first, *document]
    assert len(drawn) == COUNT and len(pieces) > 10
    assert max(len(p) for p in pieces) < xapi.EXPORT_CHUNK_BYTES + 2_000
    items = json.loads(b"".join(pieces))
    assert len(items) == COUNT
    assert len({item["id"] for item in items}) == COUNT
    assert {item["verb"]["id"] for item in items} == {verbs.READ.iri, verbs.VIEWED.iri}
    for item in items[:: COUNT // 50]:
        assert xapi.to_json(xapi.parse_statement(item)) == item


def test_empty_export_is_an_empty_array() -> None:
    assert b"".join(xapi.export_document([])) == b"[]"


def test_stored_json_documents_are_written_as_they_are() -> None:
    stored = xapi.to_json(xapi.statement(3, verbs.SUBMITTED, xapi.activity_iri("activity", 8)))
    made = xapi.statement(4, verbs.ATTENDED, xapi.activity_iri("lesson", 2))
    items = json.loads(b"".join(xapi.export_document([stored, made])))
    assert items == [stored, xapi.to_json(made)]
    assert "Trường Số" in b"".join(xapi.export_document([made])).decode("utf-8")
