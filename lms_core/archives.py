"""Archive safety: refuse zip bombs, path traversal, encrypted and deeply nested members before unpacking.

Used by every upload that is a zip inside: Excel class lists, and DOCX, PPTX and zip materials. Office files read
with the standard library's XML parser (openpyxl) are also refused when they declare a DTD or entities.
"""

from __future__ import annotations

import io
import lzma
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import N_

BROKEN_ARCHIVE = N_("The file is damaged and cannot be opened. Save it again and upload it again.")
UNSAFE_PATH = N_("The file is damaged or unsafe: it contains a path outside its folder.")
ENCRYPTED_MEMBER = N_("The file is protected with a password. Remove the password and upload it again.")
NESTED_ARCHIVE = N_("The file contains archives inside archives, which is not allowed.")
TOO_MANY_MEMBERS = N_("The file contains more than {max} parts, which is more than a document needs.")
TOO_MUCH_UNPACKED = N_("The file unpacks to more than {max_mb} MB, which is more than allowed.")
ZIP_BOMB = N_("The file unpacks to far more data than its size suggests, so it was refused as unsafe.")

MAX_TOTAL = 200_000_000  # bytes unpacked, nested archives included
MAX_RATIO = 100  # unpacked / packed size of one member
MAX_MEMBERS = 5_000  # members, nested archives included
MAX_DEPTH = 1  # an archive may hold archives (DOCX embeds XLSX charts), but those may not hold more
# Small members are not ratio-checked: an XML part of a few hundred KB legitimately packs 100:1+.
RATIO_FLOOR = 1_000_000

# what reading a damaged archive or member raises: zipfile's own errors (NotImplementedError: an unknown compression
# method), and those of the decompressors (zlib, lzma; bz2 raises OSError) on damaged compressed bytes
UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError, OSError,
              RuntimeError, zlib.error, lzma.LZMAError)
_ZIP_MAGIC = b"PK\x03\x04"
_DRIVE = re.compile(r"^[A-Za-z]:")
_SUPPORTED_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}


@dataclass
class _Budget:
    """Limits shared by an archive and the archives nested in it."""

    max_total: int
    max_ratio: float
    max_members: int
    max_depth: int
    ratio_floor: int
    total: int = 0
    members: int = 0


def check_zip(data: bytes | Path, *, max_total: int = MAX_TOTAL, max_ratio: float = MAX_RATIO,
              max_members: int = MAX_MEMBERS, max_depth: int = MAX_DEPTH,
              ratio_floor: int = RATIO_FLOOR) -> list[zipfile.ZipInfo]:
    """Refuse an unsafe or broken zip archive (by its directory, before unpacking); return its members."""
    budget = _Budget(max_total=max_total, max_ratio=max_ratio, max_members=max_members,
                     max_depth=max_depth, ratio_floor=ratio_floor)
    return _check(data, budget, depth=0)


def is_unsafe_path(name: str) -> bool:
    """Return whether a member name could write outside the folder it is unpacked into."""
    return (
        not name
        or "\\" in name
        or "\x00" in name
        or name.startswith("/")
        or bool(_DRIVE.match(name))
        or ".." in name.split("/")
    )


def _check(data: bytes | Path, budget: _Budget, *, depth: int) -> list[zipfile.ZipInfo]:
    """Check one archive level; recurse into nested archives within the depth limit."""
    try:
        with zipfile.ZipFile(data if isinstance(data, Path) else io.BytesIO(data)) as archive:  # a Path: read from disk
            infos = archive.infolist()
            _check_directory(infos, budget)
            for info in infos:
                if not info.is_dir() and info.file_size >= len(_ZIP_MAGIC):
                    _check_nested(archive, info, budget, depth=depth)
    except UNREADABLE:
        raise Invalid(BROKEN_ARCHIVE) from None
    return infos


def _check_directory(infos: list[zipfile.ZipInfo], budget: _Budget) -> None:
    """Refuse by the central directory alone: member count, names, encryption, sizes and ratios."""
    budget.members += len(infos)
    if budget.members > budget.max_members:
        raise TooLarge(TOO_MANY_MEMBERS, max=budget.max_members)
    for info in infos:
        if is_unsafe_path(info.filename) or is_unsafe_path(info.orig_filename):
            raise Invalid(UNSAFE_PATH)
        if info.flag_bits & 0x1:
            raise Invalid(ENCRYPTED_MEMBER)
        if info.compress_type not in _SUPPORTED_METHODS:
            raise Invalid(BROKEN_ARCHIVE)
    for info in infos:
        # zipfile stops at the declared size when reading a member, so declared sizes bound the work.
        budget.total += info.file_size
        if budget.total > budget.max_total:
            raise TooLarge(TOO_MUCH_UNPACKED, max_mb=f"{budget.max_total / 1_000_000:.3g}")
        if info.file_size > budget.ratio_floor and info.file_size > budget.max_ratio * max(info.compress_size, 1):
            raise TooLarge(ZIP_BOMB)


def _check_nested(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, *, depth: int) -> None:
    """Check a member that is itself a zip archive, refusing one nested deeper than allowed."""
    with archive.open(info) as member:
        if member.read(len(_ZIP_MAGIC)) != _ZIP_MAGIC:
            return
    if depth + 1 > budget.max_depth:
        raise Invalid(NESTED_ARCHIVE)
    _check(archive.read(info), budget, depth=depth + 1)


def refuse_dtd(data: bytes, *, broken: str) -> None:
    """Refuse, as Invalid(broken), an Office file whose XML declares entities, or a DTD in its own parts.

    OOXML parts (`.xml`, `.rels`) never declare a DTD. Every other member that reads as XML is parsed too, whatever
    its name, since a reader finds parts through their relationships (a sheet renamed `sheet1.dat` is read all the
    same); there only entity declarations are refused, so that an SVG picture with the usual DOCTYPE line passes.
    Binary members (pictures, embedded files) are skipped."""
    def refuse(*_: Any) -> None:
        raise ValueError("DTD")

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            ooxml = info.filename.endswith((".xml", ".rels"))
            parser = expat.ParserCreate()
            parser.EntityDeclHandler = refuse
            if ooxml:
                parser.StartDoctypeDeclHandler = refuse
            try:
                with archive.open(info) as stream:
                    chunk = stream.read(1 << 16)
                    if not ooxml and not _looks_like_xml(chunk):
                        continue
                    while chunk:
                        parser.Parse(chunk, False)
                        chunk = stream.read(1 << 16)
                parser.Parse(b"", True)
            except (expat.ExpatError, *UNREADABLE):  # ValueError: refuse() found a DTD or an entity
                raise Invalid(broken) from None


def _looks_like_xml(head: bytes) -> bool:
    """Return whether a member's first bytes may start an XML document: a byte-order mark, "<" in UTF-16 without
    one, or "<" after blanks (a picture's or an EMF drawing's first bytes are none of these)."""
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00")):
        return True
    return head.lstrip(b" \t\r\n").startswith(b"<")
