"""Build the binary materials of the STEM pack (content/packs/stem/materials/) from text written here.

Run from the repository root:  .venv/bin/python scripts/pack_media/stem.py
It writes noi-quy-an-toan-phong-thi-nghiem.pdf (A4, DejaVu Sans so Vietnamese shows). The output is
byte-for-byte reproducible (reportlab's invariant mode), so rerunning it changes nothing in git.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Table, TableStyle

import common

ROOT = common.ROOT
OUT_DIR = common.materials_dir("stem")

TITLE = "Nội quy an toàn phòng thí nghiệm"
SUBTITLE = "Dành cho học sinh trung học cơ sở – môn Khoa học tự nhiên và Công nghệ"

# The safety rules, as (heading, paragraphs and bullet lists). A list item starts with "- ".
# Each heading must stay a separate text block in the PDF: the tutor cites it as the section.
RULES: list[tuple[str, list[str]]] = [
    ("Vì sao cần nội quy", [
        "Phòng thí nghiệm có hoá chất, dụng cụ thuỷ tinh, nguồn nhiệt và thiết bị điện. Phần lớn tai nạn "
        "trong phòng thí nghiệm xảy ra vì vội vàng, đùa nghịch hoặc không đọc kĩ hướng dẫn. Nội quy này giúp "
        "mỗi em tự bảo vệ mình và bảo vệ các bạn. Mọi học sinh đọc kĩ, thực hiện đúng và kí cam kết ở cuối "
        "trước buổi thực hành đầu tiên.",
    ]),
    ("Trước khi vào phòng thí nghiệm", [
        "- Chỉ vào phòng khi có giáo viên hoặc nhân viên phòng thí nghiệm.",
        "- Đọc trước bài thực hành ở nhà: biết mục tiêu, các bước làm và những điểm cần chú ý về an toàn.",
        "- Để cặp sách, áo khoác ở nơi quy định, không để trên bàn thí nghiệm hay lối đi.",
        "- Báo cho giáo viên nếu em bị dị ứng, hen suyễn hoặc có vết thương hở ở tay.",
        "- Biết vị trí của bình chữa cháy, vòi nước rửa, hộp sơ cứu và lối thoát hiểm.",
    ]),
    ("Trang phục và đồ bảo hộ", [
        "- Mặc áo blouse hoặc áo dài tay gọn gàng; đi giày kín mũi, không đi dép lê.",
        "- Buộc gọn tóc dài, tháo khăn quàng dài và đồ trang sức lủng lẳng.",
        "- Đeo kính bảo hộ khi đun nóng, khi làm việc với hoá chất hoặc khi giáo viên yêu cầu.",
        "- Đeo găng tay khi cầm hoá chất có tính ăn mòn, khi làm việc với đất, nước ao hoặc rác.",
    ]),
    ("Làm việc với hoá chất", [
        "- Chỉ dùng hoá chất có nhãn rõ ràng. Đọc nhãn hai lần trước khi lấy.",
        "- Không nếm bất kì chất nào, kể cả đường hay muối ăn trong phòng thí nghiệm.",
        "- Không ngửi trực tiếp miệng lọ: để lọ cách mặt một khoảng và dùng tay phẩy nhẹ hơi về phía mũi.",
        "- Lấy lượng hoá chất vừa đủ theo hướng dẫn. Không đổ hoá chất thừa trở lại lọ gốc.",
        "- Dùng ống hút có quả bóp cao su hoặc ống nhỏ giọt; không bao giờ hút hoá chất bằng miệng.",
        "- Khi pha loãng acid đặc (chỉ giáo viên làm), luôn rót từ từ acid vào nước, không làm ngược lại.",
        "- Đậy nắp lọ ngay sau khi dùng; không trộn các chất với nhau khi không có hướng dẫn.",
    ]),
    ("Đun nóng và sử dụng đèn cồn", [
        "- Trước khi thắp, kiểm tra đèn cồn: bấc gọn, cồn không quá hai phần ba bầu đèn, thân đèn không nứt.",
        "- Thắp đèn bằng diêm hoặc bật lửa; không châm đèn cồn từ một đèn cồn khác đang cháy.",
        "- Tắt đèn bằng cách đậy nắp, không thổi. Không thêm cồn khi đèn đang cháy hoặc còn nóng.",
        "- Kẹp ống nghiệm ở khoảng một phần ba ống tính từ miệng. Hơ nóng đều cả ống trước, sau đó mới đun "
        "tập trung ở đáy.",
        "- Miệng ống nghiệm khi đun luôn hướng về phía không có người, kể cả chính em.",
        "- Không đun trực tiếp cồn, xăng hay chất dễ cháy trên ngọn lửa; chỉ đun cách thuỷ bằng bếp điện.",
        "- Dụng cụ vừa đun trông vẫn bình thường nhưng rất nóng: dùng kẹp và đặt lên tấm lót chịu nhiệt.",
    ]),
    ("Dụng cụ thuỷ tinh và vật sắc nhọn", [
        "- Kiểm tra dụng cụ thuỷ tinh trước khi dùng; không dùng cốc, ống nghiệm bị nứt hoặc mẻ.",
        "- Khi làm vỡ đồ thuỷ tinh, báo ngay giáo viên. Không nhặt mảnh vỡ bằng tay; dùng chổi và hót rác, "
        "bỏ vào hộp riêng dành cho thuỷ tinh vỡ.",
        "- Dùng dao, kéo, kim mũi mác đúng cách: lưỡi hướng ra xa người, cắt trên tấm kê.",
    ]),
    ("An toàn điện trong phòng thực hành", [
        "- Chỉ dùng pin hoặc nguồn điện áp thấp theo hướng dẫn. Học sinh không tự cắm thiết bị vào ổ điện "
        "lưới khi chưa được phép.",
        "- Tay phải khô khi cắm, rút phích điện. Rút phích bằng cách cầm vào thân phích, không giật dây.",
        "- Không nối tắt hai cực của nguồn điện. Tắt nguồn trước khi thay đổi cách mắc mạch.",
        "- Báo giáo viên khi thấy dây điện hở, ổ cắm cháy xém, thiết bị nóng bất thường hoặc có mùi khét.",
    ]),
    ("Biển báo an toàn thường gặp", [
        "Trên nhãn hoá chất và cửa phòng thí nghiệm thường có các biển báo. Hãy học thuộc ý nghĩa của chúng:",
        "- Hình ngọn lửa: chất dễ cháy, để xa nguồn nhiệt và tia lửa.",
        "- Hình đầu lâu xương chéo: chất độc, tuyệt đối không để dính vào miệng, mũi, da.",
        "- Hình chất lỏng nhỏ xuống bàn tay và mặt bàn bị ăn mòn: chất ăn mòn, gây bỏng da và hỏng vật liệu.",
        "- Hình tia sét: nguy hiểm về điện.",
        "- Biển hình tròn nền xanh có hình kính hoặc găng tay: bắt buộc đeo đồ bảo hộ đó.",
        "- Biển hình tròn viền đỏ có gạch chéo: điều bị cấm, ví dụ cấm ăn uống, cấm lửa.",
    ]),
    ("Xử lí khi có sự cố", [
        "Giữ bình tĩnh và báo ngay cho giáo viên trong mọi trường hợp, dù sự cố có vẻ nhỏ.",
        "- Bỏng nhiệt: xả vùng da bị bỏng dưới vòi nước mát sạch khoảng 15–20 phút; không bôi kem đánh răng, "
        "nước mắm hay dầu mỡ.",
        "- Hoá chất dính vào da: rửa ngay dưới vòi nước chảy nhiều phút, cởi bỏ phần quần áo bị dính hoá chất.",
        "- Hoá chất bắn vào mắt: rửa mắt liên tục dưới vòi nước sạch ít nhất 15 phút, mắt mở, không dụi.",
        "- Đứt tay do thuỷ tinh: báo giáo viên để được sơ cứu bằng hộp sơ cứu; không tự gắp mảnh vỡ sâu.",
        "- Cháy nhỏ trên bàn: tắt nguồn nhiệt nếu an toàn; giáo viên trùm khăn ướt hoặc dùng bình chữa cháy. "
        "Cồn cháy không dập bằng nước.",
        "- Người bị điện giật: không chạm trực tiếp vào người đó; ngắt nguồn điện trước, gọi người lớn.",
    ]),
    ("Khi kết thúc buổi thực hành", [
        "- Tắt đèn cồn, bếp điện, nguồn điện; rút phích cắm.",
        "- Thu gom hoá chất thừa vào nơi giáo viên quy định; không đổ hoá chất xuống bồn rửa khi chưa được phép.",
        "- Rửa sạch dụng cụ, xếp về đúng vị trí; lau khô mặt bàn.",
        "- Rửa tay bằng xà phòng trước khi ra khỏi phòng.",
        "- Báo cáo giáo viên về dụng cụ bị vỡ, hỏng hoặc hoá chất sắp hết.",
    ]),
    ("Cam kết của học sinh", [
        "Em đã đọc, hiểu và cam kết thực hiện đúng nội quy an toàn phòng thí nghiệm. Em hiểu rằng học sinh "
        "vi phạm nội quy có thể không được tiếp tục làm thí nghiệm trong buổi học đó.",
        "Họ và tên: ................................................   Lớp: ..........   "
        "Ngày: ....../....../..........",
        "Chữ kí của học sinh: ..................................   Chữ kí của phụ huynh: "
        "..................................",
    ]),
]


def _fonts() -> None:
    """Register DejaVu Sans (regular and bold) from matplotlib's bundled fonts."""
    common.register_dejavu("DejaVuSans", "DejaVuSans-Bold")
    pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold",
                                  italic="DejaVuSans", boldItalic="DejaVuSans-Bold")


def _styles() -> dict[str, ParagraphStyle]:
    """Return the paragraph styles of the safety rules PDF."""
    return {
        "title": ParagraphStyle("title", fontName="DejaVuSans-Bold", fontSize=17, leading=22,
                                alignment=TA_CENTER, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", fontName="DejaVuSans", fontSize=10, leading=13,
                                   alignment=TA_CENTER, spaceAfter=6),
        "heading": ParagraphStyle("heading", fontName="DejaVuSans-Bold", fontSize=12.5, leading=16,
                                  spaceBefore=6, spaceAfter=3, textColor="#1b4f72"),
        "body": ParagraphStyle("body", fontName="DejaVuSans", fontSize=10, leading=13.5, spaceAfter=3),
        "bullet": ParagraphStyle("bullet", fontName="DejaVuSans", fontSize=10, leading=13.5, leftIndent=14,
                                 bulletIndent=4, spaceAfter=1.5),
        # A one-space line: pypdf reads it as a blank line, which the platform's PDF reader takes as the
        # end of a text block, so each heading starts a block of its own.
        "gap": ParagraphStyle("gap", fontName="DejaVuSans", fontSize=2, leading=2),
    }


def _heading_box(text: str, style: ParagraphStyle) -> Table:
    """Return a heading paragraph on a light band (a one-cell table)."""
    table = Table([[Paragraph(text, style)]], colWidths=[17 * cm])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), "#e8f1f8"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def build_safety_rules(path: Path) -> None:
    """Write the lab safety rules PDF to a path."""
    styles = _styles()
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm,
                            topMargin=1.8 * cm, bottomMargin=1.8 * cm, title=TITLE,
                            author="Trường Số – gói học liệu STEM", subject=SUBTITLE,
                            creator="scripts/pack_media/stem.py")
    story: list = [Paragraph(TITLE, styles["title"]), Paragraph(SUBTITLE, styles["subtitle"])]
    for heading, items in RULES:
        # A section is kept on one page, so every text block of a page starts with its heading.
        section: list = [Paragraph("&nbsp;", styles["gap"]), _heading_box(heading, styles["heading"])]
        for item in items:
            if item.startswith("- "):
                section.append(Paragraph(item[2:], styles["bullet"], bulletText="•"))
            else:
                section.append(Paragraph(item, styles["body"]))
        story.append(KeepTogether(section))
    # No running header or footer: its text would be read into the first block of each page.
    doc.build(story)


def main() -> int:
    """Build every binary material of the pack; print what was written."""
    rl_config.invariant = 1  # fixed dates and ids: the same input gives the same bytes
    _fonts()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    pdf = OUT_DIR / "noi-quy-an-toan-phong-thi-nghiem.pdf"
    build_safety_rules(pdf)
    print(f"{pdf.relative_to(ROOT)}: {pdf.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
