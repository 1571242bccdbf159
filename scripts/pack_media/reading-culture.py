"""Build the binary material of the reading-culture pack (a DOCX reading-log template) from the text written here.

Run from the repository root: `.venv/bin/python scripts/pack_media/reading-culture.py`. The file lands in
content/packs/reading-culture/materials/. Output is reproducible: fixed document dates and zip entry times, so
running the script again without changing the text gives the same bytes.
"""

from __future__ import annotations

import common

OUT = common.materials_dir("reading-culture")

# A document is a list of blocks, as common.py describes.

READING_LOG = [
    ("h1", "Mẫu nhật ký đọc sách"),
    ("p", "Mẫu này dành cho học sinh trung học cơ sở ghi lại hành trình đọc một cuốn sách, một tác phẩm hoặc một "
          "tuyển tập truyện. Em có thể in ra và viết tay, hoặc điền trực tiếp trên máy. Mỗi cuốn sách dùng một "
          "bản mẫu."),
    ("h2", "Cách dùng mẫu nhật ký này"),
    ("bullets", [
        "Điền phần A khi bắt đầu đọc một cuốn sách mới.",
        "Sau mỗi buổi đọc, viết một dòng vào bảng ở phần B, chỉ mất khoảng năm phút.",
        "Tóm tắt bằng lời của em; nếu trích nguyên văn thì chỉ chép vài từ, đặt trong ngoặc kép và ghi số trang.",
        "Khi đọc xong, trả lời các câu hỏi ở phần C và tự đánh giá ở phần D.",
        "Mang nhật ký theo khi sinh hoạt câu lạc bộ sách để có sẵn ý kiến và dẫn chứng.",
    ]),
    ("h2", "Phần A. Thông tin cuốn sách"),
    ("table", [
        ["Mục", "Em điền vào đây"],
        ["Tên sách / tác phẩm", ""],
        ["Tác giả (hoặc người kể lại, người dịch)", ""],
        ["Thể loại", ""],
        ["Nguồn sách (thư viện, của nhà, mượn bạn, sách điện tử)", ""],
        ["Ngày bắt đầu đọc", ""],
        ["Ngày đọc xong", ""],
        ["Vì sao em chọn cuốn sách này?", ""],
    ]),
    ("h2", "Phần B. Ghi chép sau mỗi buổi đọc"),
    ("table", [
        ["Ngày", "Đọc từ đâu đến đâu", "Số phút", "Điều em nhớ (1–2 câu bằng lời của em)",
         "Câu hỏi hoặc chi tiết muốn nhớ (ghi số trang)"],
        ["", "", "", "", ""],
        ["", "", "", "", ""],
        ["", "", "", "", ""],
        ["", "", "", "", ""],
        ["", "", "", "", ""],
    ]),
    ("h2", "Phần C. Cảm nhận khi đọc xong"),
    ("bullets", [
        "Cuốn sách kể về điều gì? Tóm tắt trong ba đến năm câu.",
        "Nhân vật hoặc chi tiết em nhớ nhất là gì? Vì sao?",
        "Cuốn sách làm em nhớ đến trải nghiệm nào của bản thân?",
        "Em muốn hỏi tác giả hoặc nhân vật điều gì?",
        "Em sẽ giới thiệu cuốn sách này cho ai? Em chấm mấy sao (từ 1 đến 5)?",
    ]),
    ("h2", "Phần D. Tự đánh giá"),
    ("table", [
        ["Tiêu chí", "Đã làm được", "Chưa làm được"],
        ["Em đọc đều đặn theo kế hoạch", "", ""],
        ["Em ghi chép sau mỗi buổi đọc", "", ""],
        ["Em tóm tắt bằng lời của mình, không chép lại sách", "", ""],
        ["Trích dẫn của em ngắn và có số trang", "", ""],
        ["Em đã chia sẻ cuốn sách với ít nhất một người", "", ""],
    ]),
    ("h1", "Ví dụ đã điền: nhật ký đọc truyền thuyết Việt Nam"),
    ("note", "Đây là ví dụ do nhóm biên soạn tự viết: người viết là một học sinh lớp 6 tưởng tượng; cuốn tuyển "
             "tập trong ví dụ là giả định và số trang chỉ để minh hoạ cách ghi."),
    ("h2", "Ví dụ phần A: thông tin cuốn sách"),
    ("table", [
        ["Mục", "Em điền vào đây"],
        ["Tên sách / tác phẩm", "Tuyển tập truyền thuyết Việt Nam (đọc hai truyện: Thánh Gióng, Sự tích Hồ Gươm)"],
        ["Tác giả (hoặc người kể lại, người dịch)", "Truyện dân gian, nhiều người kể lại"],
        ["Thể loại", "Truyền thuyết"],
        ["Nguồn sách (thư viện, của nhà, mượn bạn, sách điện tử)", "Mượn thư viện trường, hẹn trả sau hai tuần"],
        ["Ngày bắt đầu đọc", "Thứ Hai, tuần 1"],
        ["Ngày đọc xong", "Thứ Sáu, tuần 1"],
        ["Vì sao em chọn cuốn sách này?",
         "Lớp em sắp học bài về người anh hùng trong truyện dân gian, và em muốn biết vì sao hồ ở Hà Nội "
         "tên là Hồ Gươm."],
    ]),
    ("h2", "Ví dụ phần B: ghi chép các buổi đọc"),
    ("table", [
        ["Ngày", "Đọc từ đâu đến đâu", "Số phút", "Điều em nhớ (1–2 câu bằng lời của em)",
         "Câu hỏi hoặc chi tiết muốn nhớ (ghi số trang)"],
        ["Thứ Hai", "Truyện Thánh Gióng", "20",
         "Cậu bé ba tuổi chưa biết nói, nghe có giặc thì xin đi đánh giặc, lớn nhanh nhờ cả làng góp gạo nuôi.",
         "Chi tiết tre đằng ngà vàng óng vì lửa ngựa sắt (tr. 8). Vì sao Gióng không về nhận thưởng?"],
        ["Thứ Tư", "Truyện Sự tích Hồ Gươm", "20",
         "Lê Lợi được Long Quân cho mượn gươm thần để đánh giặc Minh; thắng giặc rồi thì Rùa Vàng đòi lại gươm.",
         "Lưỡi gươm ở dưới nước, chuôi gươm ở trên rừng (tr. 15). Hoàn Kiếm nghĩa là trả lại gươm."],
        ["Thứ Sáu", "Đọc lại cả hai truyện", "15",
         "Hai truyện đều có người anh hùng, có yếu tố kì ảo và đều gắn với một nơi có thật.",
         "Em đã hỏi cô: truyền thuyết khác truyện cổ tích ở chỗ nào?"],
    ]),
    ("h2", "Ví dụ phần C: cảm nhận khi đọc xong"),
    ("p", "Hai truyền thuyết đều kể về việc đánh đuổi giặc ngoại xâm, nhưng em thích nhất chi tiết cả làng góp gạo "
          "nuôi Gióng, vì nó cho thấy người anh hùng lớn lên từ sức của mọi người. Trong truyện Hồ Gươm, em nhớ "
          "cảnh Rùa Vàng nhận lại gươm: khi đất nước đã yên thì vũ khí được trả lại. Truyện làm em nhớ lần cả "
          "lớp cùng góp sức dọn vệ sinh sân trường, việc khó mấy cũng xong. Em muốn hỏi người xưa: vì sao lại "
          "chọn một con rùa để đòi gươm? Em sẽ giới thiệu cuốn sách cho em trai đang học lớp 4. Em chấm 5 sao."),
    ("h2", "Ví dụ phần D: tự đánh giá"),
    ("table", [
        ["Tiêu chí", "Đã làm được", "Chưa làm được"],
        ["Em đọc đều đặn theo kế hoạch", "x", ""],
        ["Em ghi chép sau mỗi buổi đọc", "x", ""],
        ["Em tóm tắt bằng lời của mình, không chép lại sách", "x", ""],
        ["Trích dẫn của em ngắn và có số trang", "", "x (buổi thứ Sáu quên ghi trang)"],
        ["Em đã chia sẻ cuốn sách với ít nhất một người", "x", ""],
    ]),
]


def _docx(blocks: list) -> bytes:
    """Return a Word document of the blocks in Arial 11, with an empty paragraph after each table."""
    from docx.shared import Pt

    doc = common.new_docx("Mẫu nhật ký đọc sách", language="vi-VN")
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(11)
    common.add_blocks(doc, blocks, gap_after_table=True)
    return common.office_bytes(doc)


def main() -> None:
    """Write the pack's binary materials and print their sizes."""
    OUT.mkdir(parents=True, exist_ok=True)
    files = {"mau-nhat-ky-doc-sach.docx": _docx(READING_LOG)}
    for name, data in files.items():
        (OUT / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
