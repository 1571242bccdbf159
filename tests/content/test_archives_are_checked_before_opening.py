"""DOCX, PPTX and zip uploads are refused when they are bombs, escape their folder or nest archives."""

from __future__ import annotations

import io
import zipfile

import pytest

from content.ingest import FileType, check_zip, extract
from lms_core import archives as safety
from lms_core.errors import Invalid, TooLarge


def _zip(members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_unpacking() -> None:
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\x00" * 50_000_000})
    assert len(bomb) < 100_000  # 50 MB of zeros packs into a few tens of KB
    with pytest.raises(TooLarge) as refused:
        check_zip(bomb)
    assert refused.value.message == safety.ZIP_BOMB


def test_a_zip_bomb_named_docx_is_refused_by_extract() -> None:
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b" " * 20_000_000})
    with pytest.raises(TooLarge):
        extract(bomb, FileType.docx)


def test_total_unpacked_size_and_member_count_are_limited() -> None:
    archive = _zip({f"part{i}.bin": bytes(range(256)) * 40 for i in range(5)}, method=zipfile.ZIP_STORED)
    with pytest.raises(TooLarge) as refused:
        check_zip(archive, max_total=40_000)
    assert refused.value.params == {"max_mb": "0.04"}
    with pytest.raises(TooLarge) as refused:
        check_zip(archive, max_members=4)
    assert refused.value.message == safety.TOO_MANY_MEMBERS
    assert len(check_zip(archive)) == 5


def test_small_parts_may_pack_well() -> None:
    assert check_zip(_zip({"word/styles.xml": b"<w:style/>" * 50_000}))  # 500 KB of XML, ratio > 100


@pytest.mark.parametrize("name", [
    "../../etc/cron.d/evil", "word/../../escape.xml", "/etc/passwd", "C:/Windows/evil.dll", "c:evil",
    "word\\..\\..\\evil.xml", "docProps\\app.xml",
])
def test_paths_outside_the_folder_are_refused(name: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_zip(_zip({"[Content_Types].xml": b"<Types/>", name: b"x"}))
    assert refused.value.message == safety.UNSAFE_PATH
    assert "path outside its folder" in refused.value.message


def test_encrypted_members_are_refused() -> None:
    data = bytearray(_zip({"secret.txt": b"mat khau"}, method=zipfile.ZIP_STORED))
    # Set the "encrypted" flag bit in the local header and the central directory entry.
    data[6] |= 0x1
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1
    with pytest.raises(Invalid) as refused:
        check_zip(bytes(data))
    assert refused.value.message == safety.ENCRYPTED_MEMBER


def test_one_level_of_nesting_is_allowed_but_not_two() -> None:
    inner = _zip({"xl/workbook.xml": b"<workbook/>"})
    docx_with_chart = _zip({"[Content_Types].xml": b"<Types/>", "word/embeddings/chart.xlsx": inner})
    assert len(check_zip(docx_with_chart)) == 2
    deeper = _zip({"outer/inner.zip": _zip({"innermost.zip": inner})})
    with pytest.raises(Invalid) as refused:
        check_zip(deeper)
    assert refused.value.message == safety.NESTED_ARCHIVE


def test_a_bomb_nested_inside_counts_against_the_limits() -> None:
    nested_bomb = _zip({"payload.bin": b"\x00" * 5_000_000})
    with pytest.raises(TooLarge):
        check_zip(_zip({"inner.zip": nested_bomb}, method=zipfile.ZIP_STORED))


def test_not_a_zip_is_a_clear_invalid() -> None:
    with pytest.raises(Invalid) as refused:
        check_zip(b"PK\x03\x04 this is not really an archive")
    assert refused.value.message == safety.BROKEN_ARCHIVE
