"""Office files made hostile for the tests of every upload that reads one."""

from __future__ import annotations

import io
import zipfile

ENTITIES = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'


def declare_entities(data: bytes, member: str) -> bytes:
    """Return a copy of an Office archive whose member starts with a DTD declaring nested entities (which OOXML never
    does; the standard library's parser would expand them)."""
    content = zipfile.ZipFile(io.BytesIO(data)).read(member)
    body = content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content
    return rewrite_member(data, member, ENTITIES + body)


def rename_member(data: bytes, old: str, new: str) -> bytes:
    """Return a copy of an Office archive with a part renamed, and every reference to it in the other parts (its
    relationships and content type) following, so a reader still finds it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    short_old, short_new = old.split("/", 1)[1].encode(), new.split("/", 1)[1].encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.endswith((".xml", ".rels")):
                content = content.replace(short_old, short_new)
            archive.writestr(new if info.filename == old else info.filename, content)
    return out.getvalue()


def damage_member(data: bytes, member: str) -> bytes:
    """Return a copy of an archive whose member's compressed bytes are scrambled in the middle (the directory and
    the sizes stay as they were, so only reading the member finds the damage)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    info = source.getinfo(member)
    assert info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size > 64, member
    # the local header's own name and extra lengths give where the data starts
    local = data[info.header_offset:info.header_offset + 30]
    start = info.header_offset + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
    middle = start + info.compress_size // 2
    return data[:middle] + bytes(b ^ 0x5A for b in data[middle:middle + 16]) + data[middle + 16:]


def rewrite_member(data: bytes, member: str, content: bytes | None = None, *, encoding: str | None = None) -> bytes:
    """Return a copy of an archive with a member replaced by (or added as) `content`, or its text re-encoded."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == member:
                body = content if content is not None else body.decode("utf-8").encode(encoding)
            archive.writestr(info, body)
        if member not in source.namelist():
            archive.writestr(member, content)
    return out.getvalue()
