"""The committed fixtures are what make_fixtures.py writes, and small."""

from __future__ import annotations

from functools import cache

import pytest

from tests.content.conftest import FIXTURES
from tests.fixtures.content import make_fixtures
from tests.fixtures.content.generators import find_font

# Office and PDF writers stamp times into their archives; the text fixtures must match byte for byte.
TEXT_FIXTURES = ["tea_history.md", "tea_festival.html", "tea_video.vtt", "reading_podcast.srt",
                 "reading_log_nfd.txt", "reading_log_utf16.txt", "picture_named.md"]


@cache
def build() -> dict[str, bytes]:
    """Return every fixture built now (once per run); skip without the PDF writer or its font."""
    pytest.importorskip("reportlab")
    try:
        find_font()
    except RuntimeError as missing:
        pytest.skip(str(missing))
    return make_fixtures.build()


@pytest.mark.parametrize("name", TEXT_FIXTURES)
def test_text_fixture_is_current(name: str) -> None:
    assert (FIXTURES / name).read_bytes() == build()[name], "run tests/fixtures/content/make_fixtures.py"


def test_every_fixture_is_committed_and_small() -> None:
    for name in build():
        path = FIXTURES / name
        assert path.exists(), f"{name} missing: run tests/fixtures/content/make_fixtures.py"
        assert path.stat().st_size < 50_000, name
