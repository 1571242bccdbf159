"""Helpers the pack media scripts share: reproducible Office files, document blocks, slides, WAV and WebVTT.

The scripts run as `python scripts/pack_media/<name>.py`, so Python puts this folder on sys.path and they
`import common`. Everything here is written so that the same input gives the same bytes on every run:
Office files get fixed document dates and zip entry times.

A document is a list of blocks: ("title" | "h1" | "h2" | "p" | "note", text), ("bullets", [text…]),
("table", [[cell…]…]) with the first row as the header. A deck is a list of slides: (title, body lines,
speaker notes).
"""

from __future__ import annotations

import io
import wave
import zipfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXED_DATE = datetime(2025, 1, 1, 0, 0, 0)
AUTHOR = "Trường Số"


def materials_dir(pack: str) -> Path:
    """Return the folder a pack's binary materials are written to."""
    return ROOT / "content" / "packs" / pack / "materials"


def fixed_zip(data: bytes) -> bytes:
    """Return an Office file's zip rewritten with fixed entry times, so a rebuild gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def office_bytes(document) -> bytes:
    """Return a python-docx Document or python-pptx Presentation as reproducible bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    return fixed_zip(buffer.getvalue())


def fix_core_properties(props, title: str, *, author: str = AUTHOR, language: str | None = None) -> None:
    """Set an Office file's title and author and fix its dates and revision (no build time in the file)."""
    props.title = title
    props.author = author
    if language is not None:
        props.language = language
    props.created = props.modified = FIXED_DATE
    props.last_modified_by = AUTHOR
    props.revision = 1


def new_docx(title: str, *, language: str | None = None):
    """Return an empty Word document with fixed core properties."""
    from docx import Document

    doc = Document()
    fix_core_properties(doc.core_properties, title, language=language)
    return doc


def add_blocks(doc, blocks: list, *, gap_after_table: bool = False) -> None:
    """Add the blocks to a Word document; headings use the built-in Title and Heading styles."""
    for kind, content in blocks:
        if kind == "title":
            doc.add_heading(content, level=0)
        elif kind in ("h1", "h2"):
            doc.add_heading(content, level=int(kind[1]))
        elif kind == "p":
            doc.add_paragraph(content)
        elif kind == "note":
            doc.add_paragraph().add_run(content).italic = True
        elif kind == "bullets":
            for item in content:
                doc.add_paragraph(item, style="List Bullet")
        elif kind == "table":
            table = doc.add_table(rows=len(content), cols=len(content[0]))
            table.style = "Table Grid"
            for r, row in enumerate(content):
                for c, text in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = text
                    if r == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
            if gap_after_table:
                doc.add_paragraph()
        else:
            raise ValueError(f"unknown block kind {kind!r}")


def build_docx(blocks: list, path: Path, title: str) -> None:
    """Write a Word document of the blocks to a path."""
    doc = new_docx(title)
    add_blocks(doc, blocks)
    path.write_bytes(office_bytes(doc))


def add_slides(deck, slides: list, *, title_slide: bool = True, font_size: int | None = None) -> None:
    """Add title-and-content slides with speaker notes; the first uses the title layout when title_slide."""
    from pptx.util import Pt

    for number, (slide_title, lines, notes) in enumerate(slides):
        slide = deck.slides.add_slide(deck.slide_layouts[0 if title_slide and number == 0 else 1])
        slide.shapes.title.text = slide_title
        frame = slide.placeholders[1].text_frame
        frame.text = lines[0]
        for line in lines[1:]:
            frame.add_paragraph().text = line
        if font_size is not None:
            for paragraph in frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(font_size)
        slide.notes_slide.notes_text_frame.text = notes


def build_pptx(slides: list, path: Path, title: str) -> None:
    """Write a deck to a path: a title slide, then title-and-content slides, each with speaker notes."""
    from pptx import Presentation

    deck = Presentation()
    fix_core_properties(deck.core_properties, title)
    add_slides(deck, slides)
    path.write_bytes(office_bytes(deck))


def write_mono_wav(path: Path, rate: int, pcm: bytes) -> None:
    """Write 16-bit mono PCM samples as a WAV file."""
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(pcm)


def vtt_time(position: float, per_second: int = 1) -> str:
    """Return a position (seconds, or samples at per_second a second) as a WebVTT timestamp hh:mm:ss.mmm."""
    millis = round(position * 1000 / per_second)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def register_dejavu(regular: str, bold: str) -> None:
    """Register DejaVu Sans and DejaVu Sans Bold (every Vietnamese letter) with reportlab under these names."""
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(regular, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(bold, str(fonts / "DejaVuSans-Bold.ttf")))
