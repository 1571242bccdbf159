"""The xAPI tests read the English messages: a Vietnamese one is checked once in test_messages_are_translated."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lms_core.i18n import use_locale


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with use_locale("en"):
        yield
