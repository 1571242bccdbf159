"""AI tutor figures: retrieval quality (dense, lexical, fusions) on XQuAD and on the packs' evaluation questions,
latency at 10,000 and 100,000 chunks, indexing throughput, and the extractive generator's answer quality.

    .venv/bin/python bench/tutor.py                 # everything (about 10 minutes on 2 cores)
    .venv/bin/python bench/tutor.py --only xquad    # one part: xquad, packs, latency, indexing, answers

XQuAD is read from ../shared/data/xquad at run time (never copied here). Each paragraph is a passage; a question's
gold passage is its paragraph. The packs' questions (bench/data/tutor_eval/) name a material and a section; a hit is
a chunk of that material under that heading (or on that page, slide or cue).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
XQUAD = ROOT.parent / "shared" / "data" / "xquad"
EVAL_DIR = ROOT / "bench" / "data" / "tutor_eval"
KS = (1, 5, 10)


def strip_diacritics(text: str) -> str:
    """Return text as typed on a phone without Vietnamese accents (đ → d)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in text if unicodedata.category(c) != "Mn"))


def metrics(ranked: list[list[int]], gold: list[set[int]]) -> dict[str, float]:
    """Return recall@1/5/10 and MRR@10 of ranked ids against each question's gold ids."""
    out = {f"R@{k}": 0.0 for k in KS} | {"MRR@10": 0.0}
    for ids, good in zip(ranked, gold, strict=True):
        first = next((i for i, c in enumerate(ids[:10], start=1) if c in good), None)
        for k in KS:
            out[f"R@{k}"] += 1.0 if first is not None and first <= k else 0.0
        out["MRR@10"] += 1.0 / first if first else 0.0
    return {k: v / max(1, len(ranked)) for k, v in out.items()}


def _table(title: str, rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'method':<22}" + "".join(f"{k:>9}" for k in ("R@1", "R@5", "R@10", "MRR@10")))
    for name, m in rows.items():
        print(f"  {name:<22}" + "".join(f"{m[k]:>9.3f}" for k in ("R@1", "R@5", "R@10", "MRR@10")))


def methods() -> dict[str, Callable]:
    """Return the ranking methods compared: each maps (dense, lexical, language) to ranked chunk ids."""
    from ai_tutor import retrieval as r

    def run(fn: Callable, weights: Callable[[r.Candidates], tuple[float, float]]) -> Callable:
        return lambda f: [c for c, _, _ in fn(f.dense, f.lexical, weights(f))]

    return {
        "dense": lambda f: [c for c, _ in f.dense],
        "lexical (BM25)": lambda f: [c for c, _ in f.lexical],
        "RRF (equal)": run(r.fuse, lambda f: (1.0, 1.0)),
        "RRF (by language)": run(r.fuse, lambda f: f.weights),
        "z-score (equal)": run(r.fuse_zscore, lambda f: (1.0, 1.0)),
        "hybrid (shipped)": lambda f: [c for c, _, _ in r.fused(f)],
    }


def _snapshot(texts: list[str], embedder, shard: str):  # noqa: ANN001, ANN202
    from ai_tutor.snapshots import BuildInput, SnapshotCache, write_snapshot
    from ai_tutor.text import lexical_tokens

    vectors = embedder.encode(texts)
    write_snapshot(BuildInput(shard=shard, generation=1, model=embedder.name,
                              chunk_ids=np.arange(len(texts), dtype=np.int64), vectors=vectors,
                              tokens=[lexical_tokens(t) for t in texts]))
    return SnapshotCache().get(shard)[0]


def xquad(embedder) -> dict[str, dict[str, dict[str, float]]]:  # noqa: ANN001
    """Retrieval over XQuAD's 240 paragraphs for vi, vi without diacritics, and en."""
    from ai_tutor.text import detect_language, lexical_tokens

    results = {}
    for label, lang, strip in (("XQuAD-vi", "vi", False), ("XQuAD-vi without diacritics", "vi", True),
                               ("XQuAD-en", "en", False)):
        data = json.loads((XQUAD / f"xquad.{lang}.json").read_text(encoding="utf-8"))["data"]
        passages, questions, gold = [], [], []
        for article in data:
            for para in article["paragraphs"]:
                passages.append(para["context"])
                for qa in para["qas"]:
                    questions.append(strip_diacritics(qa["question"]) if strip else qa["question"])
                    gold.append({len(passages) - 1})
        snap = _snapshot(passages, embedder, f"bench-xquad-{lang}")
        qvecs = embedder.encode(questions)
        from ai_tutor.retrieval import Candidates
        from ai_tutor.text import has_diacritics

        langs = [detect_language(q) for q in questions]
        found = [Candidates(snap.dense_search(v, None, 50), snap.lexical_search(lexical_tokens(q), None, 50), lg,
                            False, not has_diacritics(q)) for v, q, lg in zip(qvecs, questions, langs, strict=True)]
        rows = {name: metrics([fn(f) for f in found], gold) for name, fn in methods().items()}
        share = sum(1 for lg in langs if lg == lang) / len(langs)
        _table(f"{label}: {len(questions)} questions, {len(passages)} passages "
               f"(language detected as {lang}: {share:.1%})", rows)
        results[label] = rows
    return results


def _install_packs(var: Path) -> None:
    os.environ["TRUONGSO_VAR_DIR"] = str(var)
    from content.packs.install import install_all
    from lms_core import migrate
    from lms_core.db import session_scope
    from lms_core.org.seed import ensure_reference_data
    from lms_core.plugins.host import PluginHost
    from lms_core.settings import get_settings

    get_settings.cache_clear() if hasattr(get_settings, "cache_clear") else None
    migrate.upgrade(get_settings().resolved_database_url)
    with session_scope() as db:
        ensure_reference_data(db)
        PluginHost().reference_data(db=db)
        db.commit()
        install_all(db=db, host=PluginHost(load_entry_points=False, plugins={"content": __import__("content.plugin").plugin}))


def packs(embedder) -> dict[str, dict[str, float]]:  # noqa: ANN001
    """Retrieval over the installed packs' chunks for the packs' evaluation questions (the whole repository visible,
    then only the question's own pack visible: a small visible set must not lose recall)."""
    from sqlalchemy import select

    from ai_tutor import indexing, retrieval
    from ai_tutor.models import TutorChunk
    from content.materials.models import Material
    from content.packs.pack import UID_NAMESPACE
    from lms_core.db import session_scope

    import uuid

    rows = [json.loads(line) for p in sorted(EVAL_DIR.glob("*.jsonl")) for line in p.read_text("utf-8").splitlines()
            if line.strip()]
    with session_scope() as db:
        started = time.perf_counter()
        reports = indexing.catch_up(db, embedder=embedder)
        seconds = time.perf_counter() - started
        chunks = list(db.scalars(select(TutorChunk)))
        print(f"\nPacks indexed: {len(chunks)} chunks in {seconds:.1f} s "
              f"({sum(r.embedded for r in reports)} embedded)")
        uid_to_id = dict(db.execute(select(Material.uid, Material.id)).all())
        material_of = {(row["pack"], row["material"]): uid_to_id[str(uuid.uuid5(
            UID_NAMESPACE, f"{row['pack']}/material/{row['material']}"))] for row in rows}
        by_material: dict[int, list[TutorChunk]] = {}
        for c in chunks:
            by_material.setdefault(c.material_id, []).append(c)
        versions_of_pack: dict[str, set[int]] = {}
        for (pack, _), mid in material_of.items():
            versions_of_pack.setdefault(pack, set()).update(c.version_id for c in by_material.get(mid, []))
        everything = {c.version_id for c in chunks}

        def gold(row: dict) -> set[int]:
            mid = material_of[(row["pack"], row["material"])]
            out = set()
            for c in by_material.get(mid, []):
                addr = c.address or {}
                if row.get("page") is not None and addr.get("page") == row["page"]:
                    out.add(c.id)
                elif row.get("slide") is not None and addr.get("slide") == row["slide"]:
                    out.add(c.id)
                elif row.get("start") is not None and addr.get("start") is not None:
                    h, m, s = row["start"].split(":")
                    if abs(float(addr["start"]) - (int(h) * 3600 + int(m) * 60 + float(s))) < 30:
                        out.add(c.id)
                elif row["section"] in c.heading_path or row["section"] in c.text[:200]:
                    out.add(c.id)
            return out

        results = {}
        for scope in ("whole repository", "own pack only"):
            for lang_label, keep in (("vi", lambda r: r["lang"] == "vi" and not r.get("no_diacritics")),
                                     ("vi without diacritics", lambda r: r["lang"] == "vi" and r.get("no_diacritics")),
                                     ("en", lambda r: r["lang"] == "en")):
                chosen = [r for r in rows if keep(r)]
                found = [retrieval.candidates(db, version_ids=everything if scope == "whole repository"
                                              else versions_of_pack[r["pack"]], question=r["question"],
                                              embedder=embedder) for r in chosen]
                golds = [gold(r) for r in chosen]
                table = {name: metrics([fn(f) for f in found], golds)
                         for name, fn in methods().items()}
                _table(f"Packs' questions, {lang_label} ({len(chosen)}), {scope}", table)
                results[f"{scope} / {lang_label}"] = table
    return results


def latency(embedder) -> None:  # noqa: ANN001
    """Retrieval (and full answer, when the generator is there) p50/p95 at 10,000 and 100,000 chunks."""
    from ai_tutor import retrieval
    from ai_tutor.snapshots import BuildInput, SnapshotCache, write_snapshot
    from ai_tutor.text import lexical_tokens

    data = json.loads((XQUAD / "xquad.vi.json").read_text(encoding="utf-8"))["data"]
    sentences = [s.strip() for a in data for p in a["paragraphs"] for s in p["context"].split(". ") if len(s) > 40]
    questions = [qa["question"] for a in data for p in a["paragraphs"] for qa in p["qas"]][:200]
    rng = np.random.default_rng(7)
    for n in (10_000, 100_000):
        # texts of realistic length from real sentences; vectors random (dense search time does not depend on them)
        texts = [" ".join(rng.choice(sentences, 3)) for _ in range(n)]
        vectors = rng.normal(size=(n, embedder.dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        started = time.perf_counter()
        write_snapshot(BuildInput(shard=f"bench-{n}", generation=1, model="random", chunk_ids=np.arange(n),
                                  vectors=vectors, tokens=[lexical_tokens(t) for t in texts]))
        build = time.perf_counter() - started
        snap = SnapshotCache().get(f"bench-{n}")[0]
        for label, allowed in (("all visible", None), ("a class's 300 chunks visible",
                                                        set(rng.choice(n, 300, replace=False).tolist()))):
            times = []
            for q in questions:
                t0 = time.perf_counter()
                rows = snap.rows_of(allowed)
                vector = embedder.encode([q])[0]
                d = snap.dense_search(vector, rows, 50)
                lx = snap.lexical_search(lexical_tokens(q), rows, 50)
                retrieval.fused(retrieval.Candidates(d, lx, "vi", False))
                times.append((time.perf_counter() - t0) * 1000)
            q50, q95 = np.percentile(times, [50, 95])
            print(f"  {n:>7,} chunks, {label:<28} retrieval p50 {q50:6.1f} ms  p95 {q95:6.1f} ms"
                  f"  (snapshot built in {build:.0f} s)")


def indexing_speed(embedder) -> None:  # noqa: ANN001
    """The embedding model's own speed on chunk texts, for comparison with the pipeline's chunks/s above."""
    from content.packs.pack import read_pack
    from ai_tutor.chunking import chunk_sections

    texts = [c.index_text() for d in sorted((ROOT / "content" / "packs").iterdir()) if (d / "pack.toml").exists()
             for m in read_pack(d).materials for c in chunk_sections(m.sections)]
    started = time.perf_counter()
    embedder.encode(texts)
    seconds = time.perf_counter() - started
    words = statistics.mean(len(t.split()) for t in texts)
    print(f"\nModel alone: {len(texts)} chunk texts (mean {words:.0f} words) in {seconds:.1f} s = "
          f"{len(texts) / seconds:.1f} chunks/s")


def main() -> None:
    """Run the parts asked for and print their figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["xquad", "packs", "latency", "indexing"], action="append")
    args = parser.parse_args()
    parts = set(args.only or ["xquad", "packs", "latency", "indexing"])
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TRUONGSO_VAR_DIR"] = str(Path(tmp) / "var")
        os.environ["TRUONGSO_TUTOR_INDEX_DIR"] = str(Path(tmp) / "index")
        from ai_tutor.embeddings import get_embedder

        embedder = get_embedder()
        print(f"Embedding model: {embedder.name} ({embedder.dim} dimensions); CPU cores: {os.cpu_count()}")
        if "xquad" in parts:
            xquad(embedder)
        if "packs" in parts:
            _install_packs(Path(tmp) / "var")
            packs(embedder)
        if "indexing" in parts:
            indexing_speed(embedder)
        if "latency" in parts:
            print("\nLatency (2 cores; query embedding included)")
            latency(embedder)


if __name__ == "__main__":
    main()
