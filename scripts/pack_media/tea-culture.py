"""Build the binary materials of the tea-culture pack from the text below.

Writes content/packs/tea-culture/materials/cac-buoc-sao-che-thu-cong.pptx: a slide deck "Các bước sao chè
thủ công", one title and a bulleted body per slide, with a short speaker note. The file is rebuilt byte for
byte the same on every run (fixed document dates and zip timestamps), so committing it again is a no-op.

Run from the repository root: `.venv/bin/python scripts/pack_media/tea-culture.py`
"""

from __future__ import annotations

import sys

from pptx import Presentation

import common

DECK = common.materials_dir("tea-culture") / "cac-buoc-sao-che-thu-cong.pptx"
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
    # Every slide, the first too, is "Title and Content": a title and a bulleted body placeholder.
    common.add_slides(prs, SLIDES, title_slide=False, font_size=22)
    common.fix_core_properties(prs.core_properties, "Các bước sao chè thủ công",
                               author="Trường Số – gói Văn hoá trà Thái Nguyên", language="vi-VN")
    return common.office_bytes(prs)


def main() -> int:
    """Write the pack's binary materials; fail when one is too large to ship."""
    data = build_deck()
    if len(data) > MAX_BYTES:
        print(f"{DECK.name} is {len(data)} bytes, more than {MAX_BYTES}", file=sys.stderr)
        return 1
    DECK.write_bytes(data)
    print(f"wrote {DECK.relative_to(common.ROOT)} ({len(data)} bytes, {len(SLIDES)} slides)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
