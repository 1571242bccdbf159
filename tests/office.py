"""Office files made hostile for the tests of every upload that reads one."""

from __future__ import annotations

import io
import zipfile

ENTITIES = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'


def declare_entities(data: bytes, member: str) -> bytes:
    """Return a copy of an Office archive whose member starts with a DTD declaring nested entities (which OOXML never
    does; the standard library's parser would expand them)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    assert member in source.namelist(), member
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == member:
                content = ENTITIES + content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else ENTITIES + content
            archive.writestr(info, content)
    return out.getvalue()
