"""Chunks of a material version's sections: what the tutor indexes, retrieves and cites.

Consecutive sections under the same heading path, on the same page and slide, are merged up to `target_words`; a
section longer than `max_words` is split at sentence boundaries into near-equal pieces of at most `max_words`
(a single longer sentence at word boundaries). A chunk never spans two headings, pages or slides, so each keeps
one address: its first section's (`Address.as_dict()`). Headings are not chunks: they are the heading path, which
`Chunk.index_text` puts before the text. Subtitle cues are grouped into windows of about `target_words` that keep
the first cue's start (and the last cue's end). Words are whitespace-separated (a Vietnamese syllable is a word).

Default size, measured with `bench/chunking.py` over all content packs (86 materials, 1,286 sections without
headings) and the 155 evaluation questions; plain BM25 (bm25s) over `lexical_tokens(index_text())` of every chunk of
every pack at once; a hit is a chunk of the row's material under the row's section heading, or on its page, slide
or time. ">170" is the share of chunks whose index text passes 170 words, which the default embedding model
(256 word pieces, about 150–180 Vietnamese syllables) truncates:

    target:max  chunks  words/chunk mean  p95  max   >170   R@1    R@5    R@10   MRR@10
    sections     1286               43.9   95  259   0.4%  0.561  0.781  0.819  0.652
      60:120     1092               51.7   94  118   0.0%  0.581  0.794  0.819  0.663
      90:150      889               63.5  103  146   0.0%  0.568  0.794  0.819  0.663
     100:160      847               66.7  104  159   0.0%  0.574  0.794  0.826  0.669   (default)
     120:220      752               75.1  117  206   0.5%  0.574  0.800  0.826  0.670
     150:250      678               83.3  139  206   1.3%  0.561  0.800  0.826  0.662
     200:350      638               88.5  163  259   7.1%  0.555  0.787  0.826  0.654

A chunk never crosses a heading and the packs' sections under one heading are short, so 100:160 and 120:220 score
the same within one question; 100:160 is the larger of the sizes that leave the embedding model nothing to cut.
Merging up to `max_words` instead of `target_words` was measured too: no difference beyond one question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ai_tutor.text import sentences
from content.ingest import Section

TARGET_WORDS = 100
MAX_WORDS = 160
_SEPARATOR = " › "


@dataclass(frozen=True)
class Chunk:
    """A retrievable, citable piece of a material version: its text and where it sits."""

    position: int  # 0-based order in the material version
    text: str  # the chunk's own text (what is shown and quoted)
    heading_path: tuple[str, ...]
    address: dict[str, Any]  # Address.as_dict() of the first section; a cue window's end is its last cue's

    def index_text(self) -> str:
        """Return the heading path and the text: what is embedded and tokenised."""
        if not self.heading_path:
            return self.text
        return f"{_SEPARATOR.join(self.heading_path)}\n{self.text}"

    @property
    def words(self) -> int:
        """Return the number of words of the chunk's text."""
        return len(self.text.split())


def _words(text: str) -> int:
    return len(text.split())


def _split_long(text: str, max_words: int) -> list[str]:
    """Return a text cut at sentence boundaries into near-equal pieces of at most max_words words."""
    total = _words(text)
    if total <= max_words:
        return [text]
    units: list[str] = []
    for sentence in sentences(text):
        words = sentence.split()
        while len(words) > max_words:  # one sentence longer than a chunk: cut at word boundaries
            units.append(" ".join(words[:max_words]))
            words = words[max_words:]
        if words:
            units.append(" ".join(words))
    pieces_wanted = -(-total // max_words)
    share = total / pieces_wanted
    pieces: list[list[str]] = [[]]
    count = 0
    for unit in units:
        n = _words(unit)
        if pieces[-1] and (count + n > max_words or count >= share):
            pieces.append([])
            count = 0
        pieces[-1].append(unit)
        count += n
    return [" ".join(p) for p in pieces]


def _key(section: Section) -> tuple[Any, ...]:
    a = section.address
    return (a.heading_path, a.page, a.slide, section.kind == "cue")


def chunk_sections(sections: list[Section], *, target_words: int = TARGET_WORDS,
                   max_words: int = MAX_WORDS) -> list[Chunk]:
    """Return the chunks of a material version's sections, in order, positions 0..n-1."""
    if not 0 < target_words <= max_words:
        raise ValueError("chunk sizes need 0 < target_words <= max_words")
    groups: list[tuple[list[Section], list[str]]] = []  # sections of a chunk and their text pieces
    current: list[Section] = []
    texts: list[str] = []
    count = 0

    def flush() -> None:
        nonlocal current, texts, count
        if current:
            groups.append((current, texts))
        current, texts, count = [], [], 0

    for section in sections:
        if section.kind == "heading":
            flush()
            continue
        if current and _key(current[0]) != _key(section):
            flush()
        for piece in _split_long(section.text, max_words):
            n = _words(piece)
            if current and count + n > target_words:
                flush()
            current.append(section)
            texts.append(piece)
            count += n
            if count >= target_words:
                flush()
    flush()

    chunks = []
    for position, (group, pieces) in enumerate(groups):
        first, last = group[0].address, group[-1].address
        address = first.as_dict()
        if first.start is not None and last.end is not None:
            address["end"] = last.end
        chunks.append(Chunk(position=position, text="\n".join(pieces), heading_path=first.heading_path,
                            address=address))
    return chunks
