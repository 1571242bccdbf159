"""WebVTT and SRT subtitles: one 'cue' section per cue, with its start and end in seconds."""

from __future__ import annotations

import html
import re

from lms_core.errors import Invalid
from lms_core.i18n import N_

from content.ingest.sections import Address, Collector, Section

BROKEN_SUBTITLES = N_("The subtitle file is damaged or not in WebVTT or SRT format.")

_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d{1,2}:?\d{2}:\d{2}[.,]\d{3}>")  # markup and karaoke timestamps


def extract_subtitles(text: str, *, format: str) -> list[Section]:
    """Return the cues of a WebVTT ("vtt") or SRT ("srt") text, tags stripped, times in seconds."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        captions = webvtt.WebVTT.from_buffer(text.splitlines(keepends=True), format=format).captions
    except (MalformedFileError, MalformedCaptionError, ValueError, IndexError):
        raise Invalid(BROKEN_SUBTITLES) from None
    if not captions and "-->" in text:  # the lenient parser skipped every cue it could not read
        raise Invalid(BROKEN_SUBTITLES)
    out = Collector()
    for caption in captions:
        plain = html.unescape(_TAG.sub("", caption.raw_text))
        address = Address(start=caption.start_time.in_milliseconds() / 1000,
                          end=caption.end_time.in_milliseconds() / 1000)
        out.add("cue", plain, address)
    return out.sections
