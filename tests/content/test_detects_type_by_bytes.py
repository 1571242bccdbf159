"""The type of an upload is decided by its bytes; the name only chooses between text formats."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from content.ingest import FileType, detect
from tests.content.conftest import FIXTURES


@pytest.mark.parametrize(("name", "expected"), [
    ("water_rocket.pdf", FileType.pdf),
    ("reading_culture.docx", FileType.docx),
    ("tea_lesson.pptx", FileType.pptx),
    ("tea_history.md", FileType.markdown),
    ("tea_festival.html", FileType.html),
    ("tea_video.vtt", FileType.vtt),
    ("reading_podcast.srt", FileType.srt),
    ("reading_log_nfd.txt", FileType.text),
    ("reading_log_utf16.txt", FileType.text),
])
def test_fixture_files_are_detected(name: str, expected: FileType) -> None:
    assert detect((FIXTURES / name).read_bytes(), name) is expected


def test_a_pdf_renamed_docx_is_a_pdf(fixture_bytes) -> None:
    assert detect(fixture_bytes("water_rocket_renamed.docx"), "water_rocket_renamed.docx") is FileType.pdf


def test_a_png_named_md_is_a_png(fixture_bytes) -> None:
    assert detect(fixture_bytes("picture_named.md"), "picture_named.md") is FileType.png


def test_random_bytes_are_unknown_whatever_the_name() -> None:
    noise = random.Random(4).randbytes(4096)
    for name in (None, "notes.txt", "bai-hoc.md", "video.mp4", "slides.pptx"):
        assert detect(noise, name) is FileType.unknown


def test_a_truncated_docx_is_unknown(fixture_bytes) -> None:
    assert detect(fixture_bytes("truncated.docx"), "truncated.docx") is FileType.unknown


def test_empty_file_is_unknown() -> None:
    assert detect(b"", "empty.txt") is FileType.unknown


@pytest.mark.parametrize(("data", "expected"), [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, FileType.png),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", FileType.jpeg),
    (b"GIF89a\x01\x00\x01\x00", FileType.gif),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", FileType.webp),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", FileType.wav),
    (b"RIFF\x24\x00\x00\x00AVI LIST", FileType.unknown),
    (b"OggS\x00\x02" + b"\x00" * 20, FileType.ogg),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00", FileType.mp3),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", FileType.webm),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", FileType.unknown),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42", FileType.mp4),
    (b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom", FileType.m4a),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", FileType.unknown),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", FileType.pdf),
])
def test_binary_signatures(data: bytes, expected: FileType) -> None:
    assert detect(data, "whatever.txt") is expected


def test_mp4_with_only_a_sound_track_is_m4a() -> None:
    ftyp = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41"
    hdlr = b"\x00\x00\x00\x21hdlr\x00\x00\x00\x00\x00\x00\x00\x00soun" + b"\x00" * 12
    assert detect(ftyp + b"\x00\x00\x00\x08moov" + hdlr) is FileType.m4a
    assert detect(ftyp + hdlr.replace(b"soun", b"vide") + hdlr) is FileType.mp4


def test_mp3_without_id3_needs_two_valid_frames() -> None:
    header = b"\xff\xfb\x90\x64"  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz: 417-byte frames
    frame = header + b"\x00" * 413
    assert detect(frame * 3) is FileType.mp3
    assert detect(frame + b"\x00" * 500) is FileType.unknown


@pytest.mark.parametrize("text", [
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    '<?xml version="1.0"?>\n<!-- vẽ bằng tay -->\n<svg xmlns="http://www.w3.org/2000/svg"></svg>',
])
def test_svg_is_detected_and_never_inlined(text: str) -> None:
    kind = detect(text.encode(), "hinh.png")
    assert kind is FileType.svg
    assert not kind.safe_to_inline
    assert FileType.png.safe_to_inline


def test_text_formats_by_content() -> None:
    assert detect("\ufeffWEBVTT\n\n00:00.000 --> 00:01.000\nChào\n".encode()) is FileType.vtt
    assert detect(b"1\r\n00:00:01,000 --> 00:00:02,000\r\nXin ch\xc3\xa0o\r\n") is FileType.srt
    assert detect(b"<!-- x -->\n<!DOCTYPE html><html><body>a</body></html>") is FileType.html
    assert detect(b"<HTML><body>a</body></HTML>", "a.txt") is FileType.html
    assert detect("# Chè Tân Cương\n\nĐoạn văn.".encode()) is FileType.markdown
    assert detect("Chỉ là một đoạn văn.".encode()) is FileType.text


def test_the_name_only_chooses_between_text_formats() -> None:
    text = "Chỉ là một đoạn văn.".encode()
    assert detect(text, "ghi-chu.md") is FileType.markdown
    assert detect("# Tiêu đề".encode(), "ghi-chu.txt") is FileType.text
    assert detect(b"<p>doan van</p>", "trang.html") is FileType.html
    assert detect(b"<p>doan van</p>", "trang.txt") is FileType.text


def test_text_must_be_utf8_or_utf16_with_bom() -> None:
    assert detect("Tân Cương".encode("cp1258"), "a.txt") is FileType.unknown
    assert detect("Tân Cương".encode("utf-16-le"), "a.txt") is FileType.unknown  # no BOM: binary-looking
    assert detect("Tân Cương".encode("utf-16"), "a.txt") is FileType.text
    assert detect(b"abc\x00def", "a.txt") is FileType.unknown


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, b"<x/>")
    return buffer.getvalue()


def test_zip_kinds_by_members() -> None:
    assert detect(_zip(["[Content_Types].xml", "xl/workbook.xml"]), "a.docx") is FileType.xlsx
    assert detect(_zip(["word/document.xml"]), "a.docx") is FileType.zip  # no content types: not Office
    assert detect(_zip(["bai-hoc/index.html"])) is FileType.zip


def test_mime_types() -> None:
    assert FileType.pdf.mime == "application/pdf"
    assert FileType.m4a.mime == "audio/mp4"
    assert FileType.unknown.mime == "application/octet-stream"
    assert FileType.docx.is_archive and not FileType.pdf.is_archive
