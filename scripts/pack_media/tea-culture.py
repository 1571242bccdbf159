"""Build the binary materials of the tea-culture pack from the text below.

Writes content/packs/tea-culture/materials/cac-buoc-sao-che-thu-cong.pptx: a slide deck "Các bước sao chè
thủ công", one title and a bulleted body per slide, with a short speaker note. The file is rebuilt byte for
byte the same on every run (fixed document dates and zip timestamps), so committing it again is a no-op.

Run from the repository root: `.venv/bin/python scripts/pack_media/tea-culture.py`
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from pptx import Presentation
from pptx.util import Pt

ROOT = Path(__file__).resolve().parents[2]
MATERIALS = ROOT / "content" / "packs" / "tea-culture" / "materials"
DECK = MATERIALS / "cac-buoc-sao-che-thu-cong.pptx"
FIXED_TIME = dt.datetime(2025, 1, 1, 0, 0, 0)
MAX_BYTES = 300 * 1024

# (title, bullets, speaker note) for each slide, in order.
SLIDES: list[tuple[str, list[str], str]] = [
    ("Các bước sao chè thủ công", [
        "Chè xanh Thái Nguyên được làm từ búp chè tươi hái \"một tôm hai lá\".",
        "Quy trình gồm 6 bước: làm héo – sao diệt men – vò chè – sao khô – lên hương – sàng và bảo quản.",
        "Bài trình chiếu dành cho học sinh lớp 6–7, môn Nội dung giáo dục địa phương.",
    ], "Giới thiệu chủ đề; hỏi học sinh ai đã từng xem người lớn sao chè."),
    ("Chuẩn bị nguyên liệu và dụng cụ", [
        "Búp chè tươi hái trong ngày, đúng một tôm hai lá, không dập nát.",
        "Nong, nia hoặc bạt sạch để rải chè.",
        "Chảo gang hoặc tôn quay; bếp củi, bếp điện hoặc bếp ga.",
        "Găng tay, khăn sạch, sàng, túi hoặc hộp đựng kín.",
    ], "Nhấn mạnh: nguyên liệu tốt là điều kiện đầu tiên của chè ngon."),
    ("Bước 1: Làm héo (hong chè)", [
        "Rải mỏng búp chè ở nơi thoáng mát, trong thời gian ngắn.",
        "Búp chè mất bớt nước, lá mềm ra, mùi hăng của lá tươi giảm.",
        "Không phơi nắng, không chất đống dày vì chè sẽ nóng lên và bị thâm.",
    ], "Cho học sinh sờ thử lá chè tươi và lá chè đã héo để so sánh."),
    ("Bước 2: Sao diệt men", [
        "Đốt chảo hoặc tôn quay thật nóng rồi cho búp chè vào.",
        "Đảo liên tục, đều tay; chè kêu lép bép, bốc hơi nước, lá mềm.",
        "Mục đích: làm mất tác dụng của men trong lá để chè giữ màu xanh.",
        "Sao quá lửa: chè cháy, khét. Sao chưa tới: chè đỏ, bị ngốt.",
    ], "Đây là bước quyết định màu xanh của chè xanh."),
    ("Bước 3: Vò chè", [
        "Đổ chè ra nong, mẹt khi chè còn ấm.",
        "Dùng hai bàn tay lăn, xoắn nắm chè nhẹ và đều, hoặc dùng máy vò.",
        "Vò làm cánh chè xoăn lại thành hình \"móc câu\".",
        "Nhựa chè thấm ra mặt lá nên chè dễ ra nước, đượm vị khi pha.",
    ], "Cho học sinh quan sát cánh chè trước và sau khi vò."),
    ("Bước 4: Sao khô", [
        "Cho chè trở lại chảo hoặc tôn quay với lửa nhỏ hơn bước 2.",
        "Đảo đều để chè khô dần từ trong ra ngoài.",
        "Có thể xen kẽ sao và vò thêm vài lần cho cánh chè xoăn chặt, đều.",
        "Cánh chè khô, giòn, bóp nhẹ thấy ráp tay là đạt.",
    ], "Hỏi: vì sao lửa ở bước này phải nhỏ hơn lúc sao diệt men?"),
    ("Bước 5: Lên hương", [
        "Bước cuối cùng và khó nhất của người sao chè.",
        "Lửa liu riu, nhỏ và đều; đảo chè rất nhẹ tay.",
        "Hương cốm toả ra; trên cánh chè xuất hiện lớp tuyết trắng mờ.",
        "Lửa to một chút là chè mất hương, có mùi khói.",
    ], "Người sao chè dùng mắt, tai, mũi và tay để canh lửa."),
    ("Bước 6: Sàng, đóng gói và bảo quản", [
        "Để chè nguội hẳn sau khi lên hương.",
        "Sàng bỏ chè vụn, bụi chè và những cánh chè to.",
        "Đóng gói kín ngay vì chè khô hút ẩm và hút mùi rất nhanh.",
        "Cất ở nơi khô mát, tránh ánh nắng và mùi lạ.",
    ], "Liên hệ bài Phân loại, đóng gói và bảo quản chè."),
    ("An toàn khi thực hành sao chè", [
        "Chỉ thực hành khi có người lớn hướng dẫn.",
        "Đeo găng tay, buộc tóc gọn, mặc quần áo gọn gàng.",
        "Giữ khoảng cách với lửa, không đùa nghịch gần bếp.",
        "Tắt bếp và dọn dẹp sau khi làm xong; ưu tiên bếp ít khói.",
    ], "Nhắc lại quy tắc an toàn trước mọi buổi thực hành."),
    ("Ôn tập: em nhớ được gì?", [
        "Kể tên 6 bước sao chè thủ công theo đúng thứ tự.",
        "Bước nào quyết định màu xanh của chè? (Sao diệt men.)",
        "Bước nào tạo hương cốm và lớp tuyết chè? (Lên hương.)",
        "Vì sao phải vò chè khi chè còn ấm?",
    ], "Cho học sinh trả lời theo nhóm, rồi đối chiếu với các slide trước."),
]


def build_deck() -> bytes:
    """Return the slide deck as PPTX bytes."""
    prs = Presentation()
    layout = prs.slide_layouts[1]  # "Title and Content": a title and a bulleted body placeholder
    for title, bullets, note in SLIDES:
        slide = prs.slides.add_slide(layout)
        slide.shapes.title.text = title
        body = slide.placeholders[1].text_frame
        body.text = bullets[0]
        for line in bullets[1:]:
            body.add_paragraph().text = line
        for paragraph in body.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(22)
        slide.notes_slide.notes_text_frame.text = note
    props = prs.core_properties
    props.title = "Các bước sao chè thủ công"
    props.author = "Trường Số – gói Văn hoá trà Thái Nguyên"
    props.language = "vi-VN"
    props.created = props.modified = FIXED_TIME
    props.last_modified_by = "Trường Số"
    props.revision = 1
    out = io.BytesIO()
    prs.save(out)
    return _fixed_zip(out.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Return the archive rewritten with fixed entry timestamps, so the same text gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main() -> int:
    """Write the pack's binary materials; fail when one is too large to ship."""
    data = build_deck()
    if len(data) > MAX_BYTES:
        print(f"{DECK.name} is {len(data)} bytes, more than {MAX_BYTES}", file=sys.stderr)
        return 1
    DECK.write_bytes(data)
    print(f"wrote {DECK.relative_to(ROOT)} ({len(data)} bytes, {len(SLIDES)} slides)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
