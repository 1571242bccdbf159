"""Vietnamese-aware search tokens: each syllable accented and accent-free, and syllable bigrams in both forms.

Vietnamese writes words as syllables separated by spaces ("Tân Cương" is one name of two
syllables), so the unit here is the syllable; a bigram of two neighbouring syllables
("tân_cương") stands in for word segmentation and rewards phrase matches. Every syllable
is kept as written (lower case, NFC) and without accents, so "che tan cuong" finds
"Chè Tân Cương" while a query typed with accents weighs the exact form more.

No stop words are removed: BM25's idf already gives syllables found in most materials a
weight near zero, and without accents the usual candidates collide with content words
("cho" is "cho" (for) but also "chó" (dog), "co" is "có" but also "cô", "cờ", "cỏ").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup, escape

from lms_core.text import fold, nfc

VERSION = 1  # part of every entry's fingerprint: changing the tokens makes reindex_all rewrite every entry
MAX_SYLLABLE = 40  # longer runs (URLs, hashes) are not words anyone searches for
MAX_TOKEN = 64  # the postings' token column
MAX_QUERY_SYLLABLES = 12
SNIPPET_CHARS = 240
ACCENTED_WEIGHT = 1.0  # a query syllable typed with accents, matched exactly
FOLDED_WEIGHT = 0.5  # the same syllable matched without its accents ("chè" finding "chẻ")
WORD = re.compile(r"[^\W_]+")
_BREAK = re.compile(r"[^\w\s]|_")  # punctuation ends a phrase: no bigram across "Tân-Cương, Thái"


@lru_cache(maxsize=100_000)
def folded(syllable: str) -> str:
    """Return a lower-case syllable without accents ("chè" → "che"); scripts fold() drops stay as they are."""
    plain = fold(syllable).replace(" ", "")
    return plain if len(plain) == len(syllable) else syllable


def phrases(text: str) -> list[list[str]]:
    """Return the lower-case NFC syllables of a text, grouped in runs that punctuation does not break."""
    out = []
    for part in _BREAK.split(nfc(text).lower()):
        run: list[str] = []
        for syllable in WORD.findall(part):
            if len(syllable) > MAX_SYLLABLE:
                if run:
                    out.append(run)
                run = []
            else:
                run.append(syllable)
        if run:
            out.append(run)
    return out


def _bigram(a: str, b: str) -> str | None:
    token = f"{a}_{b}"
    return token if len(token) <= MAX_TOKEN else None


def count_tokens(text: str) -> tuple[Counter[str], int]:
    """Return the tokens of a text with their counts, and how many syllables it has."""
    counts: Counter[str] = Counter()
    syllables = 0
    for run in phrases(text):
        previous: tuple[str, str] | None = None
        for syllable in run:
            plain = folded(syllable)
            syllables += 1
            counts[syllable] += 1
            if plain != syllable:
                counts[plain] += 1
            if previous is not None:
                exact, loose = _bigram(previous[0], syllable), _bigram(previous[1], plain)
                if exact:
                    counts[exact] += 1
                if loose and loose != exact:
                    counts[loose] += 1
            previous = (syllable, plain)
    return counts, syllables


@dataclass(frozen=True)
class QueryTerms:
    """What a query looks for: weighted tokens, the syllables every match must hold, the words to highlight."""

    weights: dict[str, float] = field(default_factory=dict)
    required: frozenset[str] = frozenset()  # accent-free syllables
    exact: frozenset[str] = frozenset()  # syllables as typed (lower case)

    def __bool__(self) -> bool:
        return bool(self.required)


def query_terms(q: str) -> QueryTerms:
    """Return the terms of a search query: accented forms weigh more than their accent-free ones."""
    weights: dict[str, float] = {}

    def add(token: str | None, weight: float) -> None:
        if token:
            weights[token] = max(weight, weights.get(token, 0.0))

    required, exact, seen = set(), set(), 0
    for run in phrases(q):
        run = run[: MAX_QUERY_SYLLABLES - seen]
        seen += len(run)
        previous: tuple[str, str] | None = None
        for syllable in run:
            plain = folded(syllable)
            required.add(plain)
            exact.add(syllable)
            if plain != syllable:
                add(syllable, ACCENTED_WEIGHT)
                add(plain, FOLDED_WEIGHT)
            else:
                add(plain, ACCENTED_WEIGHT)
            if previous is not None:
                loose_pair = _bigram(previous[1], plain)
                if previous[0] != previous[1] and syllable != plain:  # both typed with accents
                    add(_bigram(previous[0], syllable), ACCENTED_WEIGHT)
                    add(loose_pair, FOLDED_WEIGHT)
                else:  # a syllable typed without accents: only the accent-free pair can match
                    add(loose_pair, ACCENTED_WEIGHT)
            previous = (syllable, plain)
        if seen >= MAX_QUERY_SYLLABLES:
            break
    return QueryTerms(weights=weights, required=frozenset(required), exact=frozenset(exact))


def highlight(text: str, terms: QueryTerms, width: int = SNIPPET_CHARS) -> Markup:
    """Return an HTML-escaped excerpt of a text around its first matching word, the matching words in <mark>."""
    text = " ".join(nfc(text).split())
    spans = []
    for m in WORD.finditer(text):
        word = m.group().lower()
        if word in terms.exact or folded(word) in terms.required:
            spans.append((m.start(), m.end(), word in terms.exact))
    anchor = next((s for s, _e, exact in spans if exact), spans[0][0] if spans else 0)
    start = 0 if anchor < width // 3 else text.rfind(" ", 0, anchor - width // 4) + 1
    end = min(len(text), start + width)
    if end < len(text) and text.rfind(" ", start, end) > start:
        end = text.rfind(" ", start, end)  # end on a word boundary
    parts = [Markup("…")] if start > 0 else []
    at = start
    for s, e, _exact in spans:
        if s < start or e > end:
            continue
        parts += [escape(text[at:s]), Markup("<mark>"), escape(text[s:e]), Markup("</mark>")]
        at = e
    parts.append(escape(text[at:end]))
    if end < len(text):
        parts.append(Markup("…"))
    return Markup("").join(parts)
