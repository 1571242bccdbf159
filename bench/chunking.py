"""Tutor text benchmark: lexical token variants, chunk sizes and language detection on the evaluation questions.

Reads every content pack (content/packs/*, extracted as an upload would be) and the tutor evaluation questions
(bench/data/tutor_eval/*.jsonl), then prints three tables:

1. token variants: a plain BM25 (bm25s, default parameters) over the packs' sections (one document per section,
   heading path + text), recall@1/5/10 and MRR@10 of the questions, for each variant of `ai_tutor.text` tokens;
2. chunk sizes: for each (target, max) words, the number of chunks, words per chunk (mean, 95th percentile, max),
   the share of chunks whose index text (heading path + text) passes 170 words, what the default embedding model
   truncates, and the same retrieval figures
   over chunks with the chosen tokens (`lexical_tokens`);
3. language detection: accuracy of `detect_language` against each question's "lang", by kind of question.

With --xquad, table 1 is repeated over XQuAD's Vietnamese and English paragraphs (240 each, 1,190 questions per
language, read from ../shared/data/xquad when present; the Vietnamese questions also with their accents removed),
and table 3 adds XQuAD's questions.

A hit is a retrieved chunk of the row's material whose heading path holds the row's section, or on the row's page
or slide, or whose time span holds the row's start. Retrieval is over every material of every pack at once.

    .venv/bin/python bench/chunking.py                      # all questions, default sizes
    .venv/bin/python bench/chunking.py --questions 40       # a quick run on the first 40 questions
    .venv/bin/python bench/chunking.py --sizes 60:120 90:150 100:160 120:180 150:250 --pyvi --xquad
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bm25s  # noqa: E402

from ai_tutor import text as tutor_text  # noqa: E402
from ai_tutor.chunking import MAX_WORDS, TARGET_WORDS, Chunk, chunk_sections  # noqa: E402
from content.packs.pack import read_pack  # noqa: E402

PACKS_DIR = ROOT / "content" / "packs"
EVAL_DIR = ROOT / "bench" / "data" / "tutor_eval"
XQUAD_DIR = ROOT.parent / "shared" / "data" / "xquad"  # read at run time when present, never copied here
EMBED_WORDS = 170  # about what all-MiniLM-L6-v2's 256 word pieces hold of Vietnamese text
SECTION_SIZE = (1, 10**6)  # one chunk per section, never split


@dataclass(frozen=True)
class Doc:
    material: str
    chunk: Chunk


def load_materials() -> dict[str, list]:
    """Return the sections of every material of every pack, by material slug."""
    out = {}
    for path in sorted(PACKS_DIR.iterdir()):
        if not (path / "pack.toml").is_file():
            continue
        pack = read_pack(path)
        if pack.problems:
            raise SystemExit(f"{path.name}: {pack.problems[0]}")
        for material in pack.materials:
            out[material.entry.slug] = material.sections
    return out


def load_questions(limit: int | None) -> list[dict]:
    """Return the evaluation rows, all packs, in file order."""
    rows = []
    for path in sorted(EVAL_DIR.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def seconds(value: str | float) -> float:
    """Return "hh:mm:ss.mmm" (or a number) as seconds."""
    if isinstance(value, int | float):
        return float(value)
    total = 0.0
    for part in value.split(":"):
        total = total * 60 + float(part)
    return total


def is_hit(doc: Doc, row: dict) -> bool:
    """Return whether a retrieved chunk answers an evaluation row (right material, right place)."""
    if doc.material != row["material"]:
        return False
    address = doc.chunk.address
    if row["section"] in doc.chunk.heading_path:
        return True
    if row.get("page") is not None and address.get("page") == row["page"]:
        return True
    if row.get("slide") is not None and address.get("slide") == row["slide"]:
        return True
    if row.get("start") is not None and address.get("start") is not None:
        t = seconds(row["start"])
        return address["start"] - 0.5 <= t <= address.get("end", address["start"]) + 0.5
    return False


def build_docs(materials: dict[str, list], target: int, max_words: int) -> list[Doc]:
    """Return the chunks of every material at one size."""
    return [Doc(slug, c) for slug, sections in materials.items()
            for c in chunk_sections(sections, target_words=target, max_words=max_words)]


def ranks(docs: list[Doc], rows: list[dict], tokens: Callable[[str], list[str]]) -> list[int | None]:
    """Return, per row, the rank (1-10) of the first hit of a plain BM25 over the docs, None when none in 10."""
    retriever = bm25s.BM25()
    retriever.index([tokens(d.chunk.index_text()) for d in docs], show_progress=False)
    found, scores = retriever.retrieve([tokens(r["question"]) for r in rows], k=10, show_progress=False)
    return [next((i + 1 for i, (d, s) in enumerate(zip(ids, row_scores, strict=True))
                  if s > 0 and is_hit(docs[d], row)), None)
            for row, ids, row_scores in zip(rows, found, scores, strict=True)]


def metrics(row_ranks: list[int | None]) -> dict[str, float]:
    """Return recall@1/5/10 and MRR@10 of rows' ranks."""
    n = len(row_ranks) or 1
    out = {f"R@{k}": sum(r is not None and r <= k for r in row_ranks) / n for k in (1, 5, 10)}
    out["MRR@10"] = sum(1 / r for r in row_ranks if r is not None) / n
    return out


def by_kind(row: dict) -> str:
    """Return the kind of a question: English, Vietnamese with or without diacritics."""
    if row["lang"] == "en":
        return "en"
    return "vi-plain" if row.get("no_diacritics") else "vi"


def variants(pyvi: bool) -> dict[str, Callable[[str], list[str]]]:
    """Return the token variants to compare (the first five build up to the default)."""
    t = tutor_text._tokens
    out = {
        "syllables + folded": lambda s: t(s, stop_words=False, bigrams=False, stemming=False),
        "+ bigrams, accented and folded": lambda s: t(s, stop_words=False, english_bigrams=True,
                                                      accented_bigrams=True, stemming=False),
        "+ English stop words": lambda s: t(s, english_bigrams=True, accented_bigrams=True, stemming=False),
        "+ no bigrams in English text": lambda s: t(s, accented_bigrams=True, stemming=False),
        "+ bigrams folded only": lambda s: t(s, stemming=False),
        "+ stemmer in English text (default)": tutor_text.lexical_tokens,
        "default, stemmer in every text": lambda s: t(s, stemming=True),
        "default, language by line": lambda s: t(s, per_line=True),
    }
    if pyvi:
        out["default + pyvi words of 2+ syllables"] = lambda s: t(s, pyvi_words=2)
        out["default + pyvi words of 3+ syllables"] = lambda s: t(s, pyvi_words=3)
    return out


def strip_accents(text: str) -> str:
    """Return text as typed on a phone without Vietnamese accents (đ → d)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in text if unicodedata.category(c) != "Mn"))


def xquad(language: str, limit: int | None) -> tuple[list[str], list[tuple[str, int]]] | None:
    """Return XQuAD's paragraphs and (question, paragraph index) pairs in a language, None when not present."""
    path = XQUAD_DIR / f"xquad.{language}.json"
    if not path.is_file():
        return None
    paragraphs: list[str] = []
    questions: list[tuple[str, int]] = []
    for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
        for paragraph in article["paragraphs"]:
            paragraphs.append(paragraph["context"])
            questions += [(qa["question"], len(paragraphs) - 1) for qa in paragraph["qas"]]
    return paragraphs, questions[:limit] if limit else questions


def xquad_mrr(paragraphs: list[str], questions: list[tuple[str, int]], tokens: Callable[[str], list[str]],
              plain: bool = False) -> float:
    """Return the MRR@10 of a plain BM25 over XQuAD paragraphs (the gold passage is the question's paragraph)."""
    retriever = bm25s.BM25()
    retriever.index([tokens(p) for p in paragraphs], show_progress=False)
    query = [tokens(strip_accents(q) if plain else q) for q, _ in questions]
    found, _scores = retriever.retrieve(query, k=10, show_progress=False)
    return sum(next((1 / (i + 1) for i, d in enumerate(ids) if d == gold), 0.0)
               for ids, (_q, gold) in zip(found, questions, strict=True)) / len(questions)


def fmt(metrics: dict[str, float]) -> str:
    return "  ".join(f"{metrics[k]:6.3f}" for k in ("R@1", "R@5", "R@10", "MRR@10"))


def main() -> None:
    """Print the three tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=None, help="use only the first N questions")
    parser.add_argument("--sizes", nargs="*", default=["60:120", "100:160", "120:220", "200:350"],
                        help="chunk sizes as target:max words")
    parser.add_argument("--pyvi", action="store_true", help="also measure pyvi word segmentation (slow import)")
    parser.add_argument("--xquad", action="store_true", help=f"also measure the token variants on {XQUAD_DIR}")
    args = parser.parse_args()

    started = time.perf_counter()
    materials = load_materials()
    rows = load_questions(args.questions)
    kinds = defaultdict(list)
    for row in rows:
        kinds[by_kind(row)].append(row)
    sections = build_docs(materials, *SECTION_SIZE)
    print(f"{len(materials)} materials, {len(sections)} sections (headings excluded), {len(rows)} questions "
          f"({', '.join(f'{k}: {len(v)}' for k, v in sorted(kinds.items()))})\n")

    print("1. Token variants, BM25 over sections")
    header = f"{'variant':42} {'R@1':>6}  {'R@5':>6}  {'R@10':>6}  {'MRR@10':>6}"
    print(header + "   " + "  ".join(f"{k + ' MRR':>12}" for k in sorted(kinds)))
    for name, tokens in variants(args.pyvi).items():
        row_ranks = ranks(sections, rows, tokens)
        per_kind = "  ".join(f"{metrics([r for r, row in zip(row_ranks, rows) if by_kind(row) == k])['MRR@10']:12.3f}"
                             for k in sorted(kinds))
        print(f"{name:42} {fmt(metrics(row_ranks))}   {per_kind}")

    sets = {lang: xquad(lang, args.questions and args.questions * 8) for lang in ("vi", "en")} if args.xquad else {}
    if sets.get("vi") and sets.get("en"):
        print(f"\n1b. Token variants, BM25 over XQuAD paragraphs ({len(sets['vi'][0])} paragraphs, "
              f"{len(sets['vi'][1])} questions per language), MRR@10")
        print(f"{'variant':42} {'vi':>6}  {'vi, accents removed':>20}  {'en':>6}")
        for name, tokens in variants(args.pyvi).items():
            vi = xquad_mrr(*sets["vi"], tokens)
            plain = xquad_mrr(*sets["vi"], tokens, plain=True)
            print(f"{name:42} {vi:6.3f}  {plain:20.3f}  {xquad_mrr(*sets['en'], tokens):6.3f}")

    print(f"\n2. Chunk sizes, BM25 with lexical_tokens (default {TARGET_WORDS}:{MAX_WORDS})")
    print(f"{'target:max':>12} {'chunks':>7} {'mean':>6} {'p95':>5} {'max':>5} {'>170':>6}  "
          f"{'R@1':>6}  {'R@5':>6}  {'R@10':>6}  {'MRR@10':>6}")
    sizes = [SECTION_SIZE] + [tuple(int(x) for x in s.split(":")) for s in args.sizes]
    for target, max_words in sizes:
        docs = build_docs(materials, target, max_words)
        words = sorted(d.chunk.words for d in docs)
        label = "sections" if (target, max_words) == SECTION_SIZE else f"{target}:{max_words}"
        over = sum(len(d.chunk.index_text().split()) > EMBED_WORDS for d in docs) / len(docs)
        print(f"{label:>12} {len(docs):7d} {statistics.mean(words):6.1f} {words[int(0.95 * (len(words) - 1))]:5d} "
              f"{words[-1]:5d} {over:6.1%}  {fmt(metrics(ranks(docs, rows, tutor_text.lexical_tokens)))}")

    print("\n3. detect_language on the questions")
    for kind in sorted(kinds):
        group = kinds[kind]
        right = sum(tutor_text.detect_language(r["question"]) == r["lang"] for r in group)
        print(f"{kind:>10}: {right}/{len(group)} = {right / len(group):.1%}")
    wrong = [r for r in rows if tutor_text.detect_language(r["question"]) != r["lang"]]
    right = len(rows) - len(wrong)
    print(f"{'all':>10}: {right}/{len(rows)} = {right / len(rows):.1%}")
    for r in wrong:
        print(f"    wrong ({r['lang']}): {r['question']}")
    for lang, data in sets.items():
        for plain in (False, True) if lang == "vi" else (False,):
            questions = [strip_accents(q) if plain else q for q, _ in data[1]] if data else []
            right = sum(tutor_text.detect_language(q) == lang for q in questions)
            label = f"XQuAD {lang}{', accents removed' if plain else ''}"
            print(f"{label}: {right}/{len(questions)} = {right / max(1, len(questions)):.1%}")

    print(f"\n{time.perf_counter() - started:.1f} s. Reproduce: .venv/bin/python bench/chunking.py "
          + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
