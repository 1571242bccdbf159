"""Text helpers shared by every domain: Unicode NFC on input, accent folding for search."""

from __future__ import annotations

import re
import unicodedata


def nfc(text: str) -> str:
    """Return text in Unicode NFC (Vietnamese has composed and decomposed forms of a letter)."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Return text without accents, in lower case, with punctuation as single spaces ("Đỗ Thị" → "do thi")."""
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
