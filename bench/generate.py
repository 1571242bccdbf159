"""Extractive generator threshold: how often it answers, by threshold, on the packs' evaluation questions.

Passages are BM25 (bm25s, lexical_tokens) top 5 over every pack's chunks. Rows: questions whose right chunk is in
the top 5 (should answer), the same questions with their own material withheld (an upper bound of wrong answers),
and hand-written questions the packs do not cover (should say "not found").

    .venv/bin/python bench/generate.py
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / "bench"))

import bm25s  # noqa: E402
import chunking as bc  # noqa: E402  (bench/chunking.py: packs, questions, hits)

from ai_tutor.generate import ExtractiveGenerator, Passage  # noqa: E402
from ai_tutor.text import detect_language, lexical_tokens  # noqa: E402

UNCOVERED = [
    "Sao Hỏa cách Trái Đất bao xa?", "Núi Phú Sĩ cao bao nhiêu mét?", "Ai là người phát minh ra bóng đèn điện?",
    "Cách nuôi cá vàng trong bể kính như thế nào?", "Thủ đô của nước Úc là thành phố nào?",
    "Vì sao lá cây chuyển sang màu vàng vào mùa thu?", "Một đội bóng đá có bao nhiêu cầu thủ trên sân?",
    "Cà phê Buôn Ma Thuột có gì đặc biệt?", "Con cá voi xanh nặng bao nhiêu tấn?", "Truyện Kiều có bao nhiêu câu thơ?",
    "tai sao bau troi co mau xanh", "cach tinh dien tich hinh thang la gi", "What is the capital of Australia?",
    "How many legs does a spider have?", "Who painted the Mona Lisa?", "How do volcanoes erupt?",
    "What is the past tense of the verb swim?", "How far is the Moon from the Earth?", "Why do cats purr?",
    "What is the price of coffee in Brazil?", "How do I say 'bánh mì' in Korean?",
    "Which planet is the largest in the solar system?", "Chè Tân Cương được xuất khẩu sang Mỹ từ năm nào?",
]


def main() -> None:
    materials, rows = bc.load_materials(), bc.load_questions(None)
    docs = bc.build_docs(materials, bc.TARGET_WORDS, bc.MAX_WORDS)
    index = bm25s.BM25()
    index.index([lexical_tokens(d.chunk.index_text()) for d in docs], show_progress=False)

    def passages(question: str, exclude: str | None = None) -> tuple[list[Passage], list]:
        ids, scores = index.retrieve([lexical_tokens(question)], k=40, show_progress=False)
        kept = [(docs[i], float(s)) for i, s in zip(ids[0], scores[0]) if s > 0 and docs[i].material != exclude][:5]
        return ([Passage(ref=n, chunk_id=n, material_id=0, version_id=0, title=d.material,
                         address={**d.chunk.address, "heading_path": list(d.chunk.heading_path)}, text=d.chunk.text,
                         score=s) for n, (d, s) in enumerate(kept, start=1)], [d for d, _ in kept])

    data = []
    for r in rows:
        ps, ds = passages(r["question"])
        data.append((r, detect_language(r["question"]), ps, ds, passages(r["question"], r["material"])[0]))
    uncovered = [(q, detect_language(q), passages(q)[0]) for q in UNCOVERED]
    share = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
    print(f"{'threshold':>9} {'answerable':>10} {'vi':>5} {'en':>5} {'right':>6} {'withheld':>8} {'uncovered':>9}")
    for th in (0.30, 0.35, 0.38, 0.40, 0.42, 0.45, 0.50):
        g = ExtractiveGenerator(found_at=th)
        ans, by_lang, right, withheld = [], {"vi": [], "en": []}, [], []
        for r, lang, ps, ds, ps_without in data:
            a = g.answer(question=r["question"], passages=ps, language=lang, mode="answer")
            if any(bc.is_hit(d, r) for d in ds):
                ans.append(a.found)
                by_lang[r["lang"]].append(a.found)
            right.append(a.found and any(bc.is_hit(ds[p.ref - 1], r) for p in a.citations))
            withheld.append(g.answer(question=r["question"], passages=ps_without, language=lang, mode="answer").found)
        unc = [g.answer(question=q, passages=ps, language=lang, mode="answer").found for q, lang, ps in uncovered]
        print(f"{th:9.2f} {share(ans):10.2f} {share(by_lang['vi']):5.2f} {share(by_lang['en']):5.2f} "
              f"{share(right):6.2f} {share(withheld):8.2f} {share(unc):9.2f}")
    print(f"\n{len(rows)} questions ({len(ans)} with the right chunk in the top 5), {len(UNCOVERED)} uncovered.")
    print("Reproduce: .venv/bin/python bench/generate.py")


if __name__ == "__main__":
    main()
