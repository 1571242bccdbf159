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


def _f1(prediction: str, gold: str) -> float:
    """Return SQuAD-style token F1 of a prediction against one gold answer (lowercase words, punctuation dropped)."""
    import re
    from collections import Counter

    def words(t: str) -> list[str]:
        return re.findall(r"\w+", t.lower())

    p, g = words(prediction), words(gold)
    common = sum((Counter(p) & Counter(g)).values())
    if not p or not g or not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def answers(embedder) -> None:  # noqa: ANN001
    """The extractive generator on XQuAD: token F1 of its answer against the gold answer (the answer is whole
    sentences, so F1 is bounded by their length), whether the gold answer's words are in it, and citation precision
    (share of cited passages that are the gold paragraph); top 5 hybrid passages each."""
    import re

    from ai_tutor import retrieval
    from ai_tutor.generate import ExtractiveGenerator, Passage
    from ai_tutor.retrieval import Candidates
    from ai_tutor.text import detect_language, has_diacritics, lexical_tokens

    generator = ExtractiveGenerator()
    print("\nExtractive answers on XQuAD (top 5 hybrid passages)")
    for lang in ("vi", "en"):
        data = json.loads((XQUAD / f"xquad.{lang}.json").read_text(encoding="utf-8"))["data"]
        passages, qas = [], []
        for article in data:
            for para in article["paragraphs"]:
                passages.append(para["context"])
                qas += [(qa["question"], [a["text"] for a in qa["answers"]], len(passages) - 1) for qa in para["qas"]]
        snap = _snapshot(passages, embedder, f"bench-answers-{lang}")
        vectors = embedder.encode([q for q, _, _ in qas])
        f1s, contains, precision, found, times = [], [], [], [], []
        for (question, golds, gold_id), vector in zip(qas, vectors, strict=True):
            t0 = time.perf_counter()
            language = detect_language(question)
            cand = Candidates(snap.dense_search(vector, None, 50), snap.lexical_search(lexical_tokens(question), None, 50),
                              language, False, not has_diacritics(question))
            top = [c for c, _, _ in retrieval.fused(cand)[:5]]
            given = [Passage(ref=i, chunk_id=c, material_id=c, version_id=c, title=f"XQuAD {c}", address={},
                             text=passages[c], score=0.0) for i, c in enumerate(top, start=1)]
            answer = generator.answer(question=question, passages=given, language=language, mode="answer")
            times.append((time.perf_counter() - t0) * 1000)
            found.append(answer.found)
            if not answer.found:
                f1s.append(0.0)
                contains.append(0.0)
                continue
            text = re.sub(r"\[\d+\]", " ", answer.text)
            f1s.append(max(_f1(text, g) for g in golds))
            contains.append(1.0 if any(g.lower() in text.lower() for g in golds) else 0.0)
            cited = [p.chunk_id for p in answer.citations]
            precision.append(sum(1 for c in cited if c == gold_id) / len(cited) if cited else 0.0)
        q50, q95 = np.percentile(times, [50, 95])
        print(f"  XQuAD-{lang}: answered {statistics.mean(found):.1%}, token F1 {statistics.mean(f1s):.3f}, "
              f"gold answer inside {statistics.mean(contains):.1%}, citation precision "
              f"{statistics.mean(precision) if precision else 0:.3f}; search + fusion + answer (queries embedded "
              f"beforehand) p50 {q50:.0f} ms, "
              f"p95 {q95:.0f} ms ({len(qas)} questions, 240 passages)")


def publish_to_answer(var: Path) -> None:
    """Seconds from publishing a 20-page PDF to the first answer citing it (the worker's step run in-process; the
    queue's own delay, about a second on the embedded broker, comes on top)."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from ai_tutor import indexing, service
    from content.materials import service as materials
    from content.review import service as review
    from lms_core import demo
    from lms_core.courses import service as courses
    from lms_core.db import session_scope
    from lms_core.plugins.host import PluginHost

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for page in range(1, 21):
        y = 800
        lines = [f"Chapter {page}: notes on topic number {page}"] + [
            f"Line {n} of page {page} describes the measurement of sample {page * 100 + n} in the school garden."
            for n in range(1, 30)]
        if page == 17:
            lines[5] = "The water rocket reached a height of 42 metres when launched at an angle of 60 degrees."
        for line in lines:
            pdf.drawString(50, y, line)
            y -= 24
        pdf.showPage()
    pdf.save()
    from lms_core import migrate
    from lms_core.settings import get_settings

    migrate.upgrade(get_settings().resolved_database_url)
    host = PluginHost(load_entry_points=False, plugins={"content": __import__("content.plugin").plugin})
    with session_scope() as db:
        school, _ = demo.build(db, students_per_class=1)
        indexing.catch_up(db)  # whatever was published before (the packs, when installed) is indexed already
        from sqlalchemy import select

        from lms_core.accounts.models import User

        teacher = db.scalar(select(User).where(User.username == "gv.hung"))
        student = db.scalar(select(User).where(User.username == "hs6a.01"))
        material = materials.create_material(db=db, actor=teacher, fields=materials.MaterialFields(
            title="Water rockets (20 pages)", kind="document", visibility="school"))
        materials.add_file_version(db=db, actor=teacher, material_id=material.id, stream=io.BytesIO(buffer.getvalue()),
                                   filename="rockets.pdf")
        klass = next(c for c in school.classes if c.name == "6A") if hasattr(school, "classes") else None
        from lms_core.org.models import SchoolClass

        klass = klass or db.scalar(select(SchoolClass).where(SchoolClass.school_id == school.id,
                                                             SchoolClass.name == "6A"))
        course = courses.create_course(db=db, actor=teacher, fields=courses.CourseFields(
            title="Bench", subject_id=material.subject_id or db.scalar(select(__import__(
                "lms_core.org.models", fromlist=["Subject"]).Subject.id).limit(1)), grade=6,
            academic_year_id=klass.academic_year_id, class_ids=(klass.id,)))
        unit = courses.add_unit(db=db, actor=teacher, course_id=course.id, title="U")
        lesson = courses.add_lesson(db=db, actor=teacher, unit_id=unit.id, title="L")
        started = time.perf_counter()
        review.publish(db=db, actor=teacher, host=host, material_id=material.id, number=1)
        courses.add_activity(db=db, actor=teacher, types=host.activity_types(), lesson_id=lesson.id, type="material",
                             title="Rockets", settings={"material_id": material.id})
        report = indexing.index_version(db, db.get(type(material), material.id).published_version_id)
        exchange = service.ask(db=db, actor=student, course_id=course.id, lesson_id=lesson.id,
                               question="How high did the water rocket go?")
        seconds = time.perf_counter() - started
        pages = [c["address"].get("page") for c in exchange.citations]
        print(f"\n20-page PDF: published → indexed ({report.chunks} chunks of the school's shard, "
              f"{report.embedded} embedded) → answered citing page(s) {pages} in {seconds:.1f} s")


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
    from ai_tutor.generate import ExtractiveGenerator, Passage
    from ai_tutor.snapshots import BuildInput, SnapshotCache, write_snapshot
    from ai_tutor.text import lexical_tokens

    generator = ExtractiveGenerator()
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
            times, full = [], []
            for q in questions:
                t0 = time.perf_counter()
                rows = snap.rows_of(allowed)
                vector = embedder.encode([q])[0]
                d = snap.dense_search(vector, rows, 50)
                lx = snap.lexical_search(lexical_tokens(q), rows, 50)
                top = retrieval.fused(retrieval.Candidates(d, lx, "vi", False))[:5]
                times.append((time.perf_counter() - t0) * 1000)
                given = [Passage(ref=i, chunk_id=c, material_id=c, version_id=c, title="t", address={},
                                 text=texts[c], score=0.0) for i, (c, _, _) in enumerate(top, start=1)]
                generator.answer(question=q, passages=given, language="vi", mode="answer")
                full.append((time.perf_counter() - t0) * 1000)
            q50, q95 = np.percentile(times, [50, 95])
            a50, a95 = np.percentile(full, [50, 95])
            print(f"  {n:>7,} chunks, {label:<28} retrieval p50 {q50:6.1f} ms  p95 {q95:6.1f} ms;"
                  f" answer p50 {a50:6.1f} ms  p95 {a95:6.1f} ms  (snapshot built in {build:.0f} s)")


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
    parser.add_argument("--only", choices=["xquad", "packs", "latency", "indexing", "answers", "publish"],
                        action="append")
    args = parser.parse_args()
    parts = set(args.only or ["xquad", "packs", "latency", "indexing", "answers", "publish"])
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
        if "answers" in parts:
            answers(embedder)
        if "publish" in parts:
            publish_to_answer(Path(tmp) / "var")
        if "latency" in parts:
            print("\nLatency (2 cores; query embedding included)")
            latency(embedder)


if __name__ == "__main__":
    main()
