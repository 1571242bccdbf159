"""A report as a PDF on A4, laid out as a Vietnamese administrative document: the heading table (the body above and
the unit on the left, the national motto on the right, number, place and date), the title, numbered sections with
their tables, a bar drawing of each child unit's online share against its target, and the signature block. Written
with reportlab in the DejaVu fonts the exam papers register (they carry every Vietnamese letter)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from lms_core.assessment.paper import PDF_BOLD, PDF_FONT, _register_fonts, build_pdf
from lms_core.i18n import N_, gettext
from lms_core.reports.content import Bar, Report, Table, cell_text, percent_text

PDF_TYPE = "application/pdf"
MARGINS_CM = {"top": 1.5, "bottom": 1.5, "left": 2.5, "right": 1.5}
MAX_BARS = 40  # more child units than this make a chart nobody reads: the table says it all
PAGE = N_("Page {n} of {total}")
LEGEND = N_("The bar is the online share; the black line marks the target.")


def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    _register_fonts()
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=11, leading=14.5, spaceAfter=3, alignment=TA_JUSTIFY)
    return {
        "body": body,
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER, spaceAfter=0),
        "bold_center": ParagraphStyle("bold_center", parent=body, fontName=PDF_BOLD, alignment=TA_CENTER,
                                      spaceAfter=0),
        "title": ParagraphStyle("title", parent=body, fontName=PDF_BOLD, fontSize=14, leading=18,
                                alignment=TA_CENTER, spaceBefore=10, spaceAfter=2),
        "section": ParagraphStyle("section", parent=body, fontName=PDF_BOLD, spaceBefore=8, spaceAfter=3,
                                  alignment=0),
        "table_title": ParagraphStyle("table_title", parent=body, fontName=PDF_BOLD, fontSize=10.5, spaceBefore=4,
                                      spaceAfter=2, alignment=0),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0, alignment=0),
        "num": ParagraphStyle("num", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=body, fontName=PDF_BOLD, fontSize=7.5, leading=9, spaceAfter=0,
                               alignment=TA_CENTER),
        "small": ParagraphStyle("small", parent=body, fontSize=9.5, leading=12, spaceAfter=0, alignment=0),
    }


def _p(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text) if text else "&nbsp;", style)


def _heading(report: Report, st: dict[str, Any], usable: float) -> list[Any]:
    from reportlab.platypus import Paragraph, Table, TableStyle

    left = [_p(report.unit.body_line, st["center"]), _p(report.unit.issuer, st["bold_center"]),
            Paragraph("―――――――", st["center"]), _p(report.number, st["center"])]
    right = [_p(report.nation, st["bold_center"]),
             Paragraph(f"<u>{escape(report.motto)}</u>", st["bold_center"]), Paragraph("&nbsp;", st["center"]),
             Paragraph(f"<i>{escape(report.place_date)}</i>", st["center"])]
    table = Table([[left, right]], colWidths=[usable * 0.42, usable * 0.58])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [table, _p(report.title, st["title"]), _p(report.subject, st["bold_center"]),
            Paragraph(f"<i>{escape(report.period_line)}</i>", st["center"])]


def _widths(table: Table, usable: float) -> list[float]:
    """Share the width among the columns: the first and other text columns two parts, number columns one."""
    weights = [2.0 if i == 0 or any(isinstance(r[i], str) and len(r[i]) > 10 for r in table.rows) else 1.0
               for i in range(len(table.columns))]
    return [usable * w / sum(weights) for w in weights]


def _table(table: Table, st: dict[str, Any], usable: float, locale: str) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table as Grid
    from reportlab.platypus import TableStyle

    data = [[_p(c, st["head"]) for c in table.columns]]
    for row in table.rows:
        data.append([_p(cell_text(v, locale), st["cell"] if isinstance(v, str) else st["num"]) for v in row])
    grid = Grid(data, colWidths=_widths(table, usable), repeatRows=1, hAlign="LEFT")
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                              ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9D9D9")),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
    return grid


def _chart(bars: list[Bar], title: str, usable: float, locale: str) -> Any:
    """Return a drawing of horizontal bars: each child unit's share, its target as a black line, the value after."""
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors

    row, label_w, value_w = 15.0, usable * 0.32, usable * 0.14
    plot = usable - label_w - value_w
    top = max([10.0, *[b.share for b in bars], *[b.target for b in bars]])
    top = next((s for s in (10, 20, 25, 50, 100) if top <= s), 100.0)
    height = 18 + row * len(bars) + 14
    d = Drawing(usable, height)
    d.add(String(0, height - 11, title, fontName=PDF_BOLD, fontSize=9.5))
    for i, b in enumerate(bars):
        y = height - 18 - row * (i + 1)
        label = b.label if len(b.label) <= 34 else b.label[:33] + "…"
        d.add(String(0, y + 3.5, label, fontName=PDF_FONT, fontSize=8))
        d.add(Rect(label_w, y + 2, plot, row - 5, fillColor=colors.HexColor("#E3E7EA"), strokeColor=None))
        if not b.empty:
            fill = colors.HexColor("#0B6E4F") if b.share >= b.target else colors.HexColor("#B54708")
            d.add(Rect(label_w, y + 2, plot * min(b.share, top) / top, row - 5, fillColor=fill, strokeColor=None))
            x = label_w + plot * min(b.target, top) / top
            d.add(Line(x, y, x, y + row - 1, strokeColor=colors.black, strokeWidth=1.5))
        d.add(String(usable, y + 3.5, "—" if b.empty else percent_text(b.share, locale), fontName=PDF_FONT,
                     fontSize=8, textAnchor="end"))
    for tick in (0, top / 2, top):
        d.add(String(label_w + plot * tick / top, 2, percent_text(tick, locale), fontName=PDF_FONT, fontSize=7,
                     textAnchor="middle"))
    return d


def _signature(report: Report, st: dict[str, Any], usable: float) -> Any:
    from reportlab.platypus import Paragraph, Table, TableStyle

    left = [Paragraph(f"<b><i>{escape(report.recipients_title)}</i></b>", st["small"])]
    left += [_p(line, st["small"]) for line in report.recipients]
    right = [_p(report.signer, st["bold_center"]), Paragraph(f"<i>{escape(report.sign_note)}</i>", st["center"])]
    table = Table([[left, right]], colWidths=[usable * 0.5, usable * 0.5])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def document(report: Report) -> bytes:
    """Return the report as PDF bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import CondPageBreak, KeepTogether, Spacer

    st = _styles()
    usable = A4[0] - (MARGINS_CM["left"] + MARGINS_CM["right"]) * cm
    locale = report.locale
    flow: list[Any] = _heading(report, st, usable)
    flow.append(Spacer(1, 8))
    for number, section in enumerate(report.sections, start=1):
        flow.append(CondPageBreak(3 * cm))
        flow.append(_p(f"{number}. {section.title}", st["section"]))
        flow.extend(_p(text, st["body"]) for text in section.paragraphs)
        for sub, table in enumerate(section.tables, start=1):
            single = len(section.tables) == 1 and table.title == section.title
            parts = [] if single else [_p(f"{number}.{sub}. {table.title}", st["table_title"])]
            parts.append(_table(table, st, usable, locale))
            flow.extend([KeepTogether(parts)] if len(table.rows) < 15 else parts)  # a long table may break
            if table.note:
                flow.append(_p(table.note, st["small"]))
            if section.key == "online" and table.key == "children" and 0 < len(report.bars) <= MAX_BARS:
                flow.append(Spacer(1, 6))
                flow.append(_chart(report.bars, report.chart_title, usable, locale))
                flow.append(_p(gettext(LEGEND), st["small"]))
    flow.append(Spacer(1, 14))
    flow.append(KeepTogether([_signature(report, st, usable)]))
    page_label = gettext(PAGE)
    return build_pdf(flow, title=f"{report.title} – {report.unit.name}", font_size=8, label_y_cm=0.7,
                     page_label=lambda n, total: page_label.format(n=n, total=total))
