"""What the demo's people write: course and task titles, instructions, students' work, teachers' comments.

All of it is the project's own writing, short and plain, the way a teacher or a student of a lower secondary school
in Tân Cương would put it. Students' texts are assembled from a few sentences, so that no two look copied."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    """How the demo names and runs one subject's courses: the course title and its assignment."""

    title: str
    assignment: str
    assignment_task: str
    english: bool = False  # students write their work in English


AREAS = {
    "GDDP": Area("Văn hoá trà Tân Cương", "Tìm hiểu nghề chè ở quê em",
                 "Hỏi người thân hoặc hàng xóm về một công việc của nghề chè (hái, sao, đóng gói hay bán chè), "
                 "rồi viết 5–7 câu kể lại điều em tìm hiểu được. Có thể nộp kèm ảnh chụp."),
    "KHTN": Area("Khoa học tự nhiên", "Báo cáo thí nghiệm",
                 "Chọn một thí nghiệm trong chủ đề đã học. Ghi lại dụng cụ, các bước làm, kết quả em quan sát được "
                 "và điều em rút ra. Nhớ ghi cả lưu ý an toàn."),
    "CN": Area("Công nghệ", "Sản phẩm nhỏ ở nhà",
               "Làm hoặc sửa một đồ vật nhỏ trong gia đình theo cách đã học. Viết lại các bước làm và chụp ảnh "
               "sản phẩm nếu có thể."),
    "TIN": Area("Tin học", "Bài thực hành",
                "Thực hiện bài thực hành của chủ đề trên máy tính ở nhà hoặc ở phòng máy, rồi viết lại các bước "
                "em đã làm và khó khăn em gặp phải."),
    "NN1": Area("Tiếng Anh", "Writing: my week",
                "Write 5–7 sentences in English about your week. Use at least five new words from the unit.",
                english=True),
    "NN2": Area("Tiếng Hàn", "Luyện viết tiếng Hàn",
                "Viết 3–5 câu tiếng Hàn ngắn để chào hỏi và giới thiệu bản thân, dùng các từ đã học. Ghi nghĩa "
                "tiếng Việt bên dưới mỗi câu."),
    "NV": Area("Ngữ văn – Văn hoá đọc", "Nhật ký đọc sách",
               "Chọn một cuốn sách em đọc trong tháng. Viết 5–7 câu: tên sách, tác giả, nhân vật em thích nhất và "
               "vì sao em muốn giới thiệu cuốn sách này với bạn."),
}


def area_of(code: str, subject_name: str) -> Area:
    """Return how a subject's demo courses are named and run (a plain default for a subject without one)."""
    return AREAS.get(code) or Area(subject_name, "Bài tập về nhà",
                                   "Làm bài tập của chủ đề và nộp bài viết hoặc ảnh chụp bài làm.")


UNIT_FALLBACK = "Chủ đề {n}"
ASSIGNMENT_LESSON = "Bài tập: {title}"
LIVE_LESSON = "Học trực tuyến: {title}"
LIVE_NEXT_LESSON = "Buổi học trực tuyến tiếp theo"
LIVE_ACTIVITY = "Buổi học trực tuyến"
LIVE_SUMMARY = "Cả lớp học trực tuyến qua đường liên kết, nhớ vào lớp đúng giờ và bật micro khi được gọi."
QUIZ_LESSON = "Kiểm tra thường xuyên {n}"
QUIZ_ACTIVITY = "Bài kiểm tra thường xuyên {n}"
QUIZ_INSTRUCTIONS = ("Làm bài trong {minutes} phút. Em được làm {attempts} lần; điểm cao nhất được ghi vào sổ điểm. "
                     "Câu tự luận do thầy cô chấm.")
DISCUSSION = "Hỏi đáp về bài học"
DISCUSSION_INSTRUCTIONS = "Chỗ nào trong bài em chưa hiểu thì hỏi ở đây; bạn nào biết thì trả lời giúp bạn."
COURSE_DESCRIPTION = "Khoá học của lớp {klass}, xây dựng từ học liệu dùng chung ({packs})."

# The quiz's own essay when a pack has none for the subject and grade: the teacher's, in the school's bank.
REFLECTION_TITLE = "Điều em học được (tự luận)"
REFLECTION_STEM = ("Em hãy viết 3–5 câu: điều em thấy bổ ích nhất trong các bài vừa học là gì, và em sẽ vận dụng "
                   "điều đó như thế nào trong cuộc sống hằng ngày?")
REFLECTION_RUBRIC = (("Nêu được một điều bổ ích, gắn với bài đã học", "1"),
                     ("Nói được cách vận dụng, diễn đạt rõ ràng", "1"))

_VI_OPEN = ["Em đã đọc lại bài “{m}” và ghi ra những ý chính.",
            "Sau khi học bài “{m}”, em hỏi thêm bố mẹ và ghi lại.",
            "Em chọn nội dung của bài “{m}” để làm bài này.",
            "Bài “{m}” giúp em hiểu thêm nhiều điều mới."]
_VI_MIDDLE = ["Điều em thấy thú vị nhất là có nhiều chi tiết gần gũi với cuộc sống ở quê em.",
              "Em hiểu rằng muốn làm tốt thì cần quan sát kỹ và làm theo từng bước.",
              "Em đã thử làm lại ở nhà và thấy kết quả giống như trong bài.",
              "Có một phần em chưa hiểu hết, em sẽ hỏi thầy cô trong buổi học trực tuyến.",
              "Em ghi các từ khó vào sổ tay để ôn lại trước giờ kiểm tra.",
              "Em đã kể lại cho em gái nghe và em ấy cũng thấy thích."]
_VI_CLOSE = ["Em sẽ tiếp tục tìm hiểu thêm.", "Em sẽ chia sẻ điều này với các bạn trong lớp.",
             "Lần sau em sẽ trình bày cẩn thận hơn.", "Em cảm ơn thầy cô đã đọc bài của em."]
_EN_OPEN = ["I read “{m}” again and wrote down the new words.", "This week I practised the lesson “{m}”.",
            "My favourite lesson this month is “{m}”."]
_EN_MIDDLE = ["On Monday I go to school by bike with my friend.", "In the evening I help my mother in the kitchen.",
              "At the weekend I visit my grandparents and we drink green tea together.",
              "I practise speaking English with my brother for ten minutes every day.",
              "My favourite part is the dialogue, because I can use it with my classmates."]
_EN_CLOSE = ["Next week I will learn ten more words.", "I want to speak English better.",
             "I will write more carefully next time."]
KOREAN_LINE = "안녕하세요. 만나서 반갑습니다. (Xin chào. Rất vui được gặp bạn.)"


def student_text(rng: random.Random, material: str, english: bool, korean: bool = False) -> str:
    """Return a short piece of a student's work about a material, put together from a few sentences."""
    opening, middle, closing = (_EN_OPEN, _EN_MIDDLE, _EN_CLOSE) if english else (_VI_OPEN, _VI_MIDDLE, _VI_CLOSE)
    parts = [rng.choice(opening).format(m=material), *rng.sample(middle, 2), rng.choice(closing)]
    if korean:
        parts.insert(1, KOREAN_LINE)
    return " ".join(parts)


def feedback(score: float, late: bool) -> str:
    """Return a teacher's comment on an assignment for its score out of 10."""
    if score >= 9:
        text = "Bài làm rất tốt, đủ ý và trình bày rõ ràng."
    elif score >= 7:
        text = "Bài làm khá. Em nêu thêm ví dụ cụ thể để bài thuyết phục hơn."
    elif score >= 5:
        text = "Bài làm đạt yêu cầu nhưng còn thiếu ý. Em đọc lại bài học và bổ sung nhé."
    else:
        text = "Bài làm còn sơ sài. Em xem lại bài học, chỗ nào chưa hiểu thì hỏi thầy cô."
    return text + (" Lần sau em nhớ nộp đúng hạn." if late else "")


def essay_feedback(share: float) -> str:
    """Return a teacher's comment on an essay answer by the share of its points earned."""
    if share >= 0.85:
        return "Em viết tốt, có ý riêng."
    if share >= 0.6:
        return "Khá, em cần nói rõ hơn cách vận dụng."
    return "Em cần viết đủ ý hơn, đọc lại bài học nhé."


QUESTIONS = ["Thầy cô ơi, phần cuối bài “{m}” em chưa hiểu lắm, thầy cô giải thích thêm được không ạ?",
             "Bài “{m}” có phải học thuộc hết không ạ?",
             "Ở bài “{m}”, em muốn tìm hiểu thêm thì đọc ở đâu ạ?",
             "Bạn nào làm xong phần luyện tập của bài “{m}” chưa, chỉ mình với?"]
ANSWERS_BY_TEACHER = ["Em đọc lại mục cuối của bài và ghi ra các ý chính, buổi học trực tuyến tới thầy cô sẽ giải "
                      "thích thêm nhé.",
                      "Không cần học thuộc, em nắm ý chính và tự kể lại được là tốt.",
                      "Em xem thêm trong kho học liệu dùng chung của trường, có nhiều bài cùng chủ đề."]
ANSWERS_BY_STUDENT = ["Mình làm rồi, cậu đọc kỹ phần ví dụ là làm được.", "Mình cũng đang thắc mắc chỗ này."]
