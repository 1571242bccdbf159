"""Subtitles give one cue per section with start and end seconds; plain text gives paragraphs."""

from __future__ import annotations

import unicodedata

import pytest

from content.ingest import FileType, extract
from content.ingest.extract import NOT_TEXT
from content.ingest.extract_subtitles import BROKEN_SUBTITLES
from lms_core.errors import Invalid


def test_vtt_cues_with_times_and_without_tags(fixture_bytes) -> None:
    cues = extract(fixture_bytes("tea_video.vtt"), FileType.vtt)
    assert [(c.address.start, c.address.end) for c in cues] == [(1.0, 4.5), (5.0, 9.0), (192.0, 196.5), (197.0, 200.0)]
    assert {c.kind for c in cues} == {"cue"}
    at_3_12 = cues[2]
    assert at_3_12.text == "Bây giờ cô sẽ sao chè trên chảo gang & đảo đều tay."
    assert at_3_12.address.label() == "03:12"
    assert cues[1].text == "Các em hãy quan sát cách hái một tôm hai lá."
    assert cues[3].text == "Chè chín khi cánh xoăn lại và có mùi thơm cốm."  # lines joined


def test_srt_cues_with_crlf_and_milliseconds(fixture_bytes) -> None:
    cues = extract(fixture_bytes("reading_podcast.srt"), FileType.srt)
    assert [(c.address.start, c.address.end) for c in cues] == [(0.5, 3.0), (3.5, 7.25), (65.0, 70.0)]
    assert cues[1].text == "Hôm nay chúng mình nói về cuốn Dế Mèn phiêu lưu ký."
    assert cues[2].address.label() == "01:05"


def test_long_media_labels_show_hours() -> None:
    data = "WEBVTT\n\n01:02:03.000 --> 01:02:05.000\nPhần cuối\n".encode()
    assert extract(data, FileType.vtt)[0].address.label() == "1:02:03"


def test_broken_subtitles_are_invalid() -> None:
    with pytest.raises(Invalid) as refused:
        extract(b"WEBVTT\n\n00:00:01.000 --> banana\nx\n", FileType.vtt)
    assert refused.value.message == BROKEN_SUBTITLES
    with pytest.raises(Invalid):
        extract(b"1\n00:00:01 --> 00:00:02\nx\n", FileType.srt)


def test_plain_text_paragraphs_come_out_composed(fixture_bytes) -> None:
    raw = fixture_bytes("reading_log_nfd.txt").decode()
    assert not unicodedata.is_normalized("NFC", raw)
    sections = extract(fixture_bytes("reading_log_nfd.txt"), FileType.text)
    assert [s.text for s in sections] == [
        "Nhật ký đọc tuần 3",
        "Em đọc xong chương một của cuốn Dế Mèn phiêu lưu ký. Câu em thích nhất là lời khuyên của Dế Mèn với các bạn nhỏ.",
        "Tuần sau em sẽ đọc tiếp hai chương nữa.",
    ]
    assert all(unicodedata.is_normalized("NFC", s.text) for s in sections)
    assert sections[0].address.label() == ""


def test_utf16_text_is_converted(fixture_bytes) -> None:
    assert extract(fixture_bytes("reading_log_utf16.txt"), FileType.text) == \
        extract(fixture_bytes("reading_log_nfd.txt"), FileType.text)


def test_text_that_is_not_utf8_is_invalid() -> None:
    with pytest.raises(Invalid) as refused:
        extract("Tân Cương".encode("cp1258"), FileType.text)
    assert refused.value.message == NOT_TEXT
