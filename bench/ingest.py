"""Ingestion benchmark: text extraction throughput of PDF and DOCX (pages/s) and PPTX (slides/s).

Builds synthetic Vietnamese documents of the requested size with the same writers as the test
fixtures (tests/fixtures/content/generators.py; PDF needs the `test` extra's reportlab and
DejaVu Sans), then times `content.ingest.extract` on each, best of --repeat runs. A DOCX has no
pages of its own: a DOCX "page" here is ~3,000 characters of text, the size of a PDF page.

    .venv/bin/python bench/ingest.py                 # 50 pages / slides
    .venv/bin/python bench/ingest.py --pages 500     # larger
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from content.ingest import FileType, detect, extract  # noqa: E402
from tests.fixtures.content.generators import (  # noqa: E402
    make_docx,
    make_pdf,
    make_pptx,
    synthetic_docx_blocks,
    synthetic_pages,
    synthetic_slides,
)

CHARS_PER_PAGE = 3000


def best_time(run: Callable[[], object], repeat: int) -> float:
    """Return the fastest of `repeat` timed runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Build the documents, time their extraction and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50, help="pages of the PDF and DOCX, slides of the PPTX")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per document; the best is reported")
    args = parser.parse_args()
    n = args.pages

    with tempfile.TemporaryDirectory(prefix="truongso-bench-ingest-") as tmp:
        files = {
            "PDF": ("pages", make_pdf(synthetic_pages(n, chars_per_page=CHARS_PER_PAGE))),
            "DOCX": ("pages*", make_docx(synthetic_docx_blocks(n))),
            "PPTX": ("slides", make_pptx(synthetic_slides(n))),
        }
        rows = []
        for name, (unit, data) in files.items():
            path = Path(tmp) / f"bench.{name.lower()}"
            path.write_bytes(data)  # read back from disk, as an upload would be
            content = path.read_bytes()
            kind = detect(content, path.name)
            assert kind is FileType[name.lower()], kind
            sections = extract(content, kind)
            chars = sum(len(s.text) for s in sections)
            seconds = best_time(lambda: extract(content, kind), args.repeat)
            rows.append((name, n, unit, len(content) / 1024, len(sections), chars, seconds, n / seconds))

    print(f"{'format':6} {'size':>6} {'unit':7} {'file KB':>8} {'sections':>8} {'chars':>9} {'seconds':>8} {'units/s':>9}")
    for name, size, unit, kb, count, chars, seconds, rate in rows:
        print(f"{name:6} {size:>6} {unit:7} {kb:>8.0f} {count:>8} {chars:>9,} {seconds:>8.3f} {rate:>9.1f}")
    print(f"* a DOCX page = ~{CHARS_PER_PAGE:,} characters of text (DOCX has no fixed pages)")
    print("search: not measured yet (needs the repository index)")
    print(f"reproduce: .venv/bin/python bench/ingest.py --pages {n} --repeat {args.repeat}")


if __name__ == "__main__":
    main()
