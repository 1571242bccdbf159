"""Answers from retrieved passages: one generator interface, and the offline extractive generator.

The extractive generator never writes a sentence of its own about the subject: it copies the passages' sentences
that best match the question, each followed by its citation mark, and says plainly when nothing matches. Its own
words (the "not found" message, pointers, hint questions) come from the Babel catalogue in the question's language.

Scoring. Each sentence of the passages is scored by the question's content words it holds (the BM25 tokens of
`ai_tutor.text.lexical_tokens`, accented and folded; question words such as "là gì", "bao nhiêu", "how" left out),
each weighted by its rarity across the passages' sentences (a BM25 idf: a word found in no passage weighs the most,
so a question about something the passages never name cannot score high). A word found only in the passage's
headings or title counts half; the question's syllable bigrams found in the sentence add a fifth; a sentence of a
better-ranked passage gets a small bonus. Sentences in the other language (when the passages hold both), questions
(a material's exercise questions echo the student's words but answer nothing) and sentences that speak to an
assistant ("ignore your instructions …") are down-weighted: they are text, not answers. Up to four sentences are
kept (close to the best, no near-duplicates, a short best sentence with its neighbour), in passage order.

Threshold. `FOUND_AT` is the support (the score without the rank bonus) the best sentence needs. It was tuned on the
packs' 155 evaluation questions (bench/data/tutor_eval) with passages found by BM25 over the packs' chunks: the
questions with their own material available (should be found) against the same questions with that material
withheld, and against 23 questions near the packs' subjects that the packs do not answer. Figures at `FOUND_AT`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from ai_tutor.safety import injection_like
from ai_tutor.text import detect_language, lexical_tokens, sentences
from content.ingest.sections import format_timestamp
from lms_core.i18n import N_, current_locale, gettext, use_locale
from lms_core.text import fold, nfc

MODES = ("answer", "hint")
LANGUAGES = ("vi", "en")

NOT_FOUND = N_("The materials of your class do not talk about this yet, so I will not guess. You can ask your "
               "teacher, or ask your question in another way.")
CLOSEST = N_("The parts of the materials closest to your question:")
IN_OTHER_LANGUAGE = {"vi": N_("Your materials say this in Vietnamese:"),
                     "en": N_("Your materials say this in English:")}
HINT_INTRO = N_("Let's find the answer together. Think about these questions:")
HINT_WHERE = N_("In “{section}”, which sentence talks about “{term}”?")
HINT_TERM = N_("What does the material say about “{term}”, and how does that answer your question?")
HINT_SECTION = N_("Which sentence of “{section}” answers your question?")
HINT_OWN_WORDS = N_("After reading that part again, can you say the answer in your own words?")
LOOK_AGAIN = N_("Look again at {place} in “{title}” [{ref}].")
LOOK_AGAIN_TITLE = N_("Look again at “{title}” [{ref}].")
PLACE_SECTION = N_("the part “{section}”")
PLACE_PAGE = N_("page {page}")
PLACE_SLIDE = N_("slide {slide}")
PLACE_TIME = N_("the recording at {time}")


@dataclass
class Passage:
    """A retrieved chunk, numbered for citation."""

    ref: int  # 1-based citation number
    chunk_id: int
    material_id: int
    version_id: int
    title: str  # the material's title
    address: dict  # heading_path/page/slide/start
    text: str
    score: float

    @property
    def heading_path(self) -> list[str]:
        """Return the headings the passage sits under, outermost first."""
        return [str(h) for h in self.address.get("heading_path") or ()]

    @property
    def section(self) -> str:
        """Return the innermost heading of the passage, or "" when it has none."""
        path = self.heading_path
        return path[-1] if path else ""


@dataclass
class Answer:
    """What the student sees: sentences ending with their citation marks, and the passages they cite."""

    text: str  # sentences each ending with their citation marks "[1]"
    citations: list[Passage] = field(default_factory=list)  # the passages cited, in ref order
    found: bool = True  # False: the materials do not contain the answer (said plainly)
    language: str = "vi"
    mode: str = "answer"  # "answer" | "hint" | "refused"


class Generator(Protocol):
    """Turns a question and its retrieved passages into an Answer that cites them."""

    def answer(self, *, question: str, passages: list[Passage], language: str, mode: str,
               private_names: Sequence[str] = ()) -> Answer:
        """Return the answer (mode "answer") or guiding questions (mode "hint") from the passages only."""
        ...


# --- shared by every generator -----------------------------------------------------------------------------------
def number_passages(hits: Sequence[Any]) -> list[Passage]:
    """Return retrieval hits (anything with chunk_id, material_id, version_id, title, heading_path, address, text
    and score) as passages numbered 1, 2, … in the order given."""
    return [Passage(ref=n, chunk_id=h.chunk_id, material_id=h.material_id, version_id=h.version_id, title=h.title,
                    address={**dict(h.address), "heading_path": list(h.heading_path)}, text=h.text,
                    score=float(h.score))
            for n, h in enumerate(hits, start=1)]


def message_language(language: str) -> str:
    """Return the language the tutor's own words are written in: the question's, else the page's."""
    return language if language in LANGUAGES else current_locale()


def check_mode(mode: str) -> str:
    """Return the mode, or raise ValueError for one the generators do not know."""
    if mode not in MODES:
        raise ValueError(f"unknown tutor mode {mode!r}; expected one of {MODES}")
    return mode


def place(passage: Passage) -> str:
    """Return where a passage is, in the current locale ("the part “Tea” (page 3)"); "" when nothing is known."""
    where = []
    if isinstance(passage.address.get("page"), int):
        where.append(gettext(PLACE_PAGE).format(page=passage.address["page"]))
    if isinstance(passage.address.get("slide"), int):
        where.append(gettext(PLACE_SLIDE).format(slide=passage.address["slide"]))
    if isinstance(passage.address.get("start"), (int, float)):
        where.append(gettext(PLACE_TIME).format(time=format_timestamp(passage.address["start"])))
    if passage.section:
        part = gettext(PLACE_SECTION).format(section=passage.section)
        return f"{part} ({', '.join(where)})" if where else part
    return ", ".join(where)


def pointer(passage: Passage) -> str:
    """Return "Look again at … in “title” [n]." for a passage, in the current locale."""
    where = place(passage)
    if where:
        return gettext(LOOK_AGAIN).format(place=where, title=passage.title, ref=passage.ref)
    return gettext(LOOK_AGAIN_TITLE).format(title=passage.title, ref=passage.ref)


def not_found(passages: Sequence[Passage], *, language: str, mode: str) -> Answer:
    """Return the plain "the materials do not say" answer, pointing at the closest passages when there are any."""
    lang = message_language(language)
    with use_locale(lang):
        lines = [gettext(NOT_FOUND)]
        if passages:
            lines.append(gettext(CLOSEST))
            lines += [pointer(p) for p in passages]
    return Answer(text="\n".join(lines), citations=sorted(passages, key=lambda p: p.ref), found=False,
                  language=lang, mode=mode)


def refused(message: str, *, language: str) -> Answer:
    """Return a refusal (a screened question: harmful, off topic, at risk, unusable) as an Answer citing nothing."""
    return Answer(text=message, citations=[], found=False, language=message_language(language), mode="refused")


def with_mark(sentence: str, refs: Sequence[int]) -> str:
    """Return a sentence ending with its citation marks: "… Tân Cương. [1]"."""
    sentence = sentence.strip()
    if sentence and sentence[-1] not in ".!?…:;\"”'’)":
        sentence += "."
    return f"{sentence} {''.join(f'[{r}]' for r in sorted(set(refs)))}"


# --- the extractive generator ------------------------------------------------------------------------------------
# Tuned on the packs' evaluation questions, passages = BM25 top 5 over the packs' chunks (the chunking defaults).
# Share of questions answered (not "not found") by threshold on the best sentence's support:
#   threshold                                        0.30   0.35   0.38   0.42   0.45   0.50
#   answerable: right chunk in the top 5 (123)       0.93   0.93   0.90   0.81   0.77   0.72
#     of all 155: answered citing the right chunk    0.61   0.60   0.58   0.54   0.50   0.46
#   own material withheld (155)                      0.64   0.55   0.46   0.39   0.37   0.30
#   not covered by the packs (23, hand-written)      0.43   0.39   0.30   0.13   0.09   0.09
# 0.42 is where the uncovered questions mostly stop getting answers while most answerable ones still do
# (Vietnamese 0.82, English 0.78). "Withheld" is an upper bound of wrong answers: the packs repeat facts across
# materials, so many of those answers are still right. The uncovered questions still answered share most words with
# a sentence about something else ("How do I say 'bánh mì' in Korean?" finds the English word list; "Vì sao lá cây
# chuyển màu vàng vào mùa thu?" finds tea flowers opening in autumn): the limit of matching words without reading.
FOUND_AT = 0.42
KEEP_RATIO = 0.8  # a further sentence must score at least this share of the best one
MAX_SENTENCES = 4
NEAR_DUPLICATE = 0.6  # token Jaccard above which a sentence repeats one already chosen
HEADING_WEIGHT = 0.5
PAIR_WEIGHT = 0.2
RANK_BONUS = 0.05
OTHER_LANGUAGE_FACTOR = 0.75
INSTRUCTION_FACTOR = 0.2
QUESTION_FACTOR = 0.6
MIN_TOKENS = 2
BACKGROUND = 10  # unrelated sentences assumed besides the passages', so one short passage still has rare words
SHORT_SENTENCE = 16  # tokens (about 6 syllables with their folded forms and bigrams)
CLOSEST_AT = 0.2  # a passage pointed to after "not found" must at least match this much
_WORD = re.compile(r"[^\W_]+")


# Words of a question that say what kind of answer is wanted, not what it is about: they count for ranking (through
# the bigrams they form) but not for deciding whether the materials hold the answer.
QUESTION_WORDS_VI = """
là gì ai nào đâu sao tại vì thế như bao nhiêu mấy khi giờ có không phải được hãy cho em mình tôi tớ con ạ vậy
nhỉ nhé ơi thì mà của và với những các một cái này đó kia ấy hỏi biết muốn cần nên hay hoặc ra đến trong ở từ về
để theo bằng cùng rồi chưa đã sẽ đang thầy cô bạn giúp giải thích nghĩa điều gồm ta chúng người
"""
QUESTION_WORDS_EN = """
what which who whom whose why how when where does do did is are was were can could should would will tell explain
mean means meaning please say called call use used know many much kind way thing things
"""


@dataclass(frozen=True)
class _Terms:
    content: frozenset[str]  # syllables and words that say what the question is about (accented and folded)
    pairs: frozenset[str]  # bigrams, except those of two question words
    neighbours: frozenset[tuple[str, str]]  # folded words written side by side in the question


@lru_cache(maxsize=1)
def _question_words() -> frozenset[str]:
    words = (QUESTION_WORDS_VI + QUESTION_WORDS_EN).split()
    return frozenset(t for w in words for t in (w, fold(w), *lexical_tokens(w)))


def _question_terms(question: str) -> _Terms:
    stop = _question_words()
    tokens = set(lexical_tokens(nfc(question)))
    content = {t for t in tokens if "_" not in t and t not in stop}
    pairs = {t for t in tokens if "_" in t and not all(part in stop for part in t.split("_"))}
    words = [fold(w) for w in _WORD.findall(nfc(question))]
    return _Terms(frozenset(content), frozenset(pairs), frozenset(zip(words, words[1:])))


@dataclass
class _Candidate:
    passage: Passage
    rank: int
    position: int
    text: str
    tokens: frozenset[str]
    language: str
    coverage: float = 0.0  # share of the question's content weight found in the sentence (and its headings)
    pairs: float = 0.0  # share of the question's bigram weight found in the sentence
    support: float = 0.0  # how well the sentence answers: the two shares blended, down-weighted (see rank)
    score: float = 0.0
    factor: float = 1.0  # the down-weighting applied (other language, a question, an instruction)

    @property
    def asks(self) -> bool:
        """Return whether the sentence is a question (a material's exercise): it points to a topic, answers nothing."""
        return self.text.rstrip().endswith("?")


@dataclass
class _Scorer:
    """The weights of one question's tokens over one set of passages."""

    terms: _Terms
    idf: dict[str, float]
    headings: dict[int, set[str]]

    def support(self, c: _Candidate) -> tuple[float, float, float]:
        """Return (support, coverage, pair share) of a sentence, before down-weighting."""
        own = c.tokens & self.terms.content
        extra = (self.headings[c.passage.ref] & self.terms.content) - own
        total = sum(self.idf[t] for t in self.terms.content)
        coverage = (sum(self.idf[t] for t in own) + HEADING_WEIGHT * sum(self.idf[t] for t in extra)) / total
        pairs = c.tokens & self.terms.pairs
        share = sum(self.idf[t] for t in pairs) / (sum(self.idf[t] for t in self.terms.pairs) or 1.0)
        weight = PAIR_WEIGHT if self.terms.pairs else 0.0  # English tokens have no bigrams
        return (1 - weight) * coverage + weight * share, coverage, share


class ExtractiveGenerator:
    """The offline default: copies the best sentences of the passages, each cited; says so when none fits."""

    def __init__(self, *, found_at: float = FOUND_AT, max_sentences: int = MAX_SENTENCES) -> None:
        self.found_at = found_at
        self.max_sentences = max_sentences

    def answer(self, *, question: str, passages: list[Passage], language: str, mode: str,
               private_names: Sequence[str] = ()) -> Answer:
        """Return the best cited sentences (answer mode) or guiding questions with pointers (hint mode)."""
        check_mode(mode)
        lang = message_language(language)
        ranked = self.rank(question=question, passages=passages, language=lang)
        answers = [c for c in ranked if not c.asks]
        if not answers or answers[0].support < self.found_at:
            return not_found(_closest(ranked), language=lang, mode=mode)
        if mode == "hint":
            return self._hint(question, answers, lang)
        chosen = self._choose(answers)
        chosen.sort(key=lambda c: (c.passage.ref, c.position))
        lines = [with_mark(c.text, [c.passage.ref]) for c in chosen]
        if lang in LANGUAGES and all(c.language in LANGUAGES and c.language != lang for c in chosen):
            with use_locale(lang):
                lines.insert(0, gettext(IN_OTHER_LANGUAGE[chosen[0].language]))
        cited = {c.passage.ref: c.passage for c in chosen}
        return Answer(text=" ".join(lines), citations=[cited[r] for r in sorted(cited)], found=True,
                      language=lang, mode="answer")

    def rank(self, *, question: str, passages: Sequence[Passage], language: str) -> list[_Candidate]:
        """Return the passages' sentences that share a content word with the question, best first."""
        terms = _question_terms(question)
        if not terms.content or not passages:
            return []
        order = sorted(passages, key=lambda p: -p.score)
        candidates: list[_Candidate] = []
        for rank, passage in enumerate(order):
            for position, text in enumerate(sentences(passage.text)):
                tokens = frozenset(lexical_tokens(text))
                if len(tokens) >= MIN_TOKENS:
                    candidates.append(_Candidate(passage, rank, position, text, tokens, detect_language(text)))
        if not candidates:
            return []
        df = Counter(t for c in candidates for t in c.tokens)
        n = len(candidates) + BACKGROUND
        scorer = _Scorer(terms, {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in terms.content | terms.pairs},
                         {p.ref: set(lexical_tokens(" ".join([p.title, *p.heading_path]))) for p in passages})
        languages = {c.language for c in candidates if c.tokens & terms.content}
        both = language in LANGUAGES and language in languages and len(languages & set(LANGUAGES)) == 2
        matched = []
        for c in candidates:
            if not c.tokens & terms.content:
                continue
            support, c.coverage, c.pairs = scorer.support(c)
            if both and c.language != language:
                c.factor *= OTHER_LANGUAGE_FACTOR
            if c.asks:
                c.factor *= QUESTION_FACTOR
            if injection_like(c.text):
                c.factor *= INSTRUCTION_FACTOR
            c.support = c.factor * support
            c.score = c.support + RANK_BONUS / (1 + c.rank)
            matched.append(c)
        matched.sort(key=lambda c: (-c.score, c.rank, c.position))
        return matched

    def _choose(self, ranked: list[_Candidate]) -> list[_Candidate]:
        best = ranked[0]
        chosen = [best]
        if len(best.tokens) < SHORT_SENTENCE:
            # A short best sentence ("Lão đành bán cậu Vàng.") needs its neighbours for the reason or the context.
            around = sentences(best.passage.text)
            for position in (best.position - 1, best.position + 1):
                if 0 <= position < len(around) and len(chosen) < self.max_sentences:
                    chosen.append(_Candidate(best.passage, best.rank, position, around[position],
                                             frozenset(lexical_tokens(around[position])), best.language))
        for c in ranked[1:]:
            if len(chosen) >= self.max_sentences or c.score < KEEP_RATIO * best.score:
                break
            if c.support >= self.found_at and not c.asks and not any(
                    (c.passage is other.passage and c.position == other.position)
                    or _jaccard(c.tokens, other.tokens) > NEAR_DUPLICATE for other in chosen):
                chosen.append(c)
        return chosen

    def _hint(self, question: str, ranked: list[_Candidate], lang: str) -> Answer:
        terms = _question_terms(question)
        best = ranked[0]
        passages: dict[int, Passage] = {best.passage.ref: best.passage}
        for c in ranked[1:]:
            if len(passages) >= 2 or c.score < KEEP_RATIO * best.score:
                break
            passages.setdefault(c.passage.ref, c.passage)
        term = _key_term(best.text, terms)
        second = next((t for c in ranked[1:4] if (t := _key_term(c.text, terms))
                       and t.lower() not in term.lower() and term.lower() not in t.lower()), "")
        section = best.passage.section or best.passage.title
        with use_locale(lang):
            lines = [gettext(HINT_INTRO)]
            if term:
                lines.append("- " + gettext(HINT_WHERE).format(section=section, term=term))
            else:
                lines.append("- " + gettext(HINT_SECTION).format(section=section))
            if second:
                lines.append("- " + gettext(HINT_TERM).format(term=second))
            lines.append("- " + gettext(HINT_OWN_WORDS))
            lines += [pointer(p) for p in sorted(passages.values(), key=lambda p: p.ref)]
        return Answer(text="\n".join(lines), citations=sorted(passages.values(), key=lambda p: p.ref), found=True,
                      language=lang, mode="hint")


def closest_passages(question: str, passages: Sequence[Passage], *, language: str) -> list[Passage]:
    """Return the passages worth pointing to when the answer was not found (none when nothing came close)."""
    return _closest(ExtractiveGenerator().rank(question=question, passages=passages, language=language))


def _closest(ranked: list[_Candidate], limit: int = 2) -> list[Passage]:
    """Return up to `limit` passages holding the best partial matches (none when nothing came close)."""
    out: dict[int, Passage] = {}
    for c in ranked:
        if len(out) >= limit or c.support < CLOSEST_AT:
            break
        out.setdefault(c.passage.ref, c.passage)
    return list(out.values())


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _key_term(sentence: str, terms: _Terms) -> str:
    """Return the sentence's words that best echo the question ("mang giống chè"), as the sentence writes them.

    Words join into one phrase when the question has them side by side too; a phrase weighs one per content word
    and one per such pair. Only the question's own words are used, so a hint never gives away more than the
    question already says.
    """
    words = list(_WORD.finditer(sentence))
    content = [bool(set(lexical_tokens(w.group())) & terms.content) for w in words]
    linked = [(fold(a.group()), fold(b.group())) in terms.neighbours for a, b in zip(words, words[1:])]
    best: tuple[int, int, int, int] | None = None  # (weight, length, -start, end)
    i = 0
    while i < len(words):
        j = i
        while j < len(linked) and linked[j]:
            j += 1
        weight = sum(content[i:j + 1]) + (j - i)
        if weight and (j > i or content[i]):
            candidate = (weight, words[j].end() - words[i].start(), -i, j)
            best = max(best, candidate) if best else candidate
        i = j + 1
    if best is None:
        return ""
    _, _, start, end = best
    term = sentence[words[-start].start():words[end].end()]
    return term if len(term) >= 3 else ""
