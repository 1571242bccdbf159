"""Vietnamese-aware tokens, language detection and sentence splitting of the tutor (no database)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import bm25s
import pytest

from ai_tutor.text import detect_language, has_diacritics, lexical_tokens, sentences

EVAL_DIR = Path(__file__).resolve().parents[2] / "bench" / "data" / "tutor_eval"


# ---- lexical tokens ----------------------------------------------------------------------------------------------

def test_question_typed_without_accents_shares_tokens_with_the_accented_text() -> None:
    document = set(lexical_tokens("Chè Tân Cương được trồng trên đất đồi ở phía tây thành phố."))
    query = set(lexical_tokens("che tan cuong trong dat doi o dau"))
    assert {"che", "tan", "cuong", "tan_cuong", "trong", "dat", "doi"} <= document & query
    assert "chè" in document and "tân" in document  # the accented form is kept too


def test_d_with_stroke_folds_to_d() -> None:
    assert "dat" in lexical_tokens("Đất đỏ")
    assert "dat_do" in lexical_tokens("Đất đỏ")
    assert set(lexical_tokens("dat do")) <= set(lexical_tokens("Đất đỏ"))


def test_syllable_bigrams_capture_compound_words_but_not_across_punctuation() -> None:
    tokens = lexical_tokens("Học sinh trung học cơ sở")
    assert {"hoc_sinh", "trung_hoc", "co_so"} <= set(tokens)
    assert "tan_cuong" not in lexical_tokens("Tân, Cương")


def test_same_text_in_composed_and_decomposed_unicode_gives_the_same_tokens() -> None:
    text = "Nước chè màu xanh vàng"
    assert lexical_tokens(unicodedata.normalize("NFD", text)) == lexical_tokens(text)


def test_english_stop_words_are_dropped_from_english_text() -> None:
    tokens = lexical_tokens("What is the difference between the present simple and the present continuous?")
    assert {"present", "continuous"} <= set(tokens)
    assert not {"what", "is", "the", "and"} & set(tokens)
    assert not [t for t in tokens if "_" in t]  # no bigrams in English text: they lost on the evaluation set


def test_english_word_forms_meet_through_the_stemmer() -> None:
    assert "swim" in set(lexical_tokens("Do you like swimming?")) & set(lexical_tokens("She swims every day."))
    assert "study" in set(lexical_tokens("Two studies of tea")) & set(lexical_tokens("We study tea"))


def test_vietnamese_is_never_stemmed() -> None:
    assert {"khoe", "nghe", "thuong"} <= set(lexical_tokens("Sức khoẻ, nghe giảng, yêu thương"))
    assert {"khoe", "nghe"} <= set(lexical_tokens("the nao la khoe, nghe nhu the nao"))


def test_vietnamese_syllables_that_look_like_english_stop_words_are_kept() -> None:
    tokens = set(lexical_tokens("ôn tập thế nào cho tốt"))
    assert {"on", "the", "on_tap", "the_nao"} <= tokens  # "ôn" and "thế" folded
    assert {"on", "the", "do"} <= set(lexical_tokens("on tap the nao do em"))


def test_numbers_are_kept_with_their_decimal_mark_comma_or_dot() -> None:
    assert "3.6" in lexical_tokens("Nhân với 3,6 để đổi m/s sang km/h")
    assert "3.6" in lexical_tokens("multiply by 3.6")
    assert {"7", "2018"} <= set(lexical_tokens("Lớp 7, chương trình 2018"))


def test_punctuation_is_dropped() -> None:
    tokens = lexical_tokens("Tại sao?! (chè) – \"ngon\"…")
    assert tokens and all(t.replace("_", "").isalnum() for t in tokens)


def test_hangul_in_a_vietnamese_question_gives_tokens() -> None:
    tokens = set(lexical_tokens("감사합니다 nghĩa là gì?"))
    assert {"감", "사", "감_사", "nghia", "la_gi"} <= tokens


def test_bm25_over_lexical_tokens_finds_the_accented_section_for_an_unaccented_question() -> None:
    sections = [
        "Chè Tân Cương có cánh nhỏ, xoăn như móc câu, nước xanh vàng.",
        "Tên lửa nước bay cao hơn khi bơm đủ áp suất.",
        "Ruộng bậc thang ở vùng núi phía Bắc được làm từ lâu đời.",
    ]
    retriever = bm25s.BM25()
    retriever.index([lexical_tokens(s) for s in sections], show_progress=False)
    found, _scores = retriever.retrieve([lexical_tokens("canh che tan cuong the nao")], k=1, show_progress=False)
    assert found[0][0] == 0


# ---- language --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("question", [
    "Chè Tân Cương có gì đặc biệt?",
    "Tại sao?",
    "Tết",
    "cảm ơn",
    "Em chưa hiểu bài này lắm ạ",
    "Trong bài nghe, 안녕하세요 nghĩa là gì?",
    "Chè Tân Cương",
])
def test_vietnamese_questions_with_accents_are_vietnamese(question: str) -> None:
    assert detect_language(question) == "vi"


@pytest.mark.parametrize("question", [
    "tai sao",
    "xin chao",
    "che tan cuong o dau",
    "cho em hoi bai nay lam the nao",
    "giai thich giup em voi",
    "em ko hieu cho nay",
    "cach dung there is va there are",
    "nghia la gi",
    "vi sao nuoc soi o 100 do",
])
def test_vietnamese_typed_without_accents_is_vietnamese(question: str) -> None:
    assert detect_language(question) == "vi"


@pytest.mark.parametrize("question", [
    "why",
    "help",
    "photosynthesis?",
    "What does 'một tôm hai lá' mean?",
    "Where is Tân Cương?",
    "Why is the soil in Thái Nguyên good for tea?",
    "How do I say em trai in English?",
    "when do we use the present continuous",
])
def test_english_questions_are_english_even_with_vietnamese_names(question: str) -> None:
    assert detect_language(question) == "en"


@pytest.mark.parametrize("text", ["안녕하세요", "감사합니다 선생님", "???", "12345", "😀😀", "sdfghjkl", "", "谢谢"])
def test_text_without_vietnamese_or_english_is_other(text: str) -> None:
    assert detect_language(text) == "other"


def test_the_evaluation_questions_are_detected_in_their_language() -> None:
    rows = [json.loads(line) for path in sorted(EVAL_DIR.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert rows
    unaccented = [r for r in rows if r.get("no_diacritics")]
    assert unaccented
    right = sum(detect_language(r["question"]) == r["lang"] for r in rows)
    assert right / len(rows) >= 0.95
    assert sum(detect_language(r["question"]) == "vi" for r in unaccented) / len(unaccented) >= 0.9


@pytest.mark.parametrize(("text", "expected"), [
    ("Tân Cương", True), ("tan cuong", False), ("đi", True), ("Đ", True), ("café", True), ("안녕", False), ("", False),
])
def test_has_diacritics(text: str, expected: bool) -> None:
    assert has_diacritics(text) is expected
    assert has_diacritics(unicodedata.normalize("NFD", text)) is expected


# ---- sentences -------------------------------------------------------------------------------------------------

def test_sentences_split_at_full_stops_questions_and_exclamations() -> None:
    assert sentences("Chè được hái vào buổi sáng. Vì sao vậy? Vì lá còn tươi! Hết…") == [
        "Chè được hái vào buổi sáng.", "Vì sao vậy?", "Vì lá còn tươi!", "Hết…"]


def test_an_ellipsis_before_a_small_letter_does_not_end_a_sentence() -> None:
    assert sentences("Em nghĩ… chắc là đúng. Còn bạn?") == ["Em nghĩ… chắc là đúng.", "Còn bạn?"]


def test_decimals_do_not_end_a_sentence() -> None:
    assert sentences("Khối lượng riêng là 2.5 g/cm3. Tốc độ 3,6 km/h.") == [
        "Khối lượng riêng là 2.5 g/cm3.", "Tốc độ 3,6 km/h."]


def test_school_abbreviations_do_not_end_a_sentence() -> None:
    assert sentences("Em sống ở TP. Thái Nguyên. Thầy là ThS. Nguyễn Văn An.") == [
        "Em sống ở TP. Thái Nguyên.", "Thầy là ThS. Nguyễn Văn An."]
    assert sentences("Có nhiều loại: chè xanh, chè đen, v.v. và cả chè hoa.") == [
        "Có nhiều loại: chè xanh, chè đen, v.v. và cả chè hoa."]
    assert sentences("Có chè xanh, chè đen, v.v. Mỗi loại một vị.") == [
        "Có chè xanh, chè đen, v.v.", "Mỗi loại một vị."]
    assert sentences("Use a verb, e.g. swim. Mr. Nam agrees.") == ["Use a verb, e.g. swim.", "Mr. Nam agrees."]


def test_citation_marks_stay_with_their_sentence() -> None:
    assert sentences("Chè hái một tôm hai lá. [1] Sau đó đem sao ngay. [2][3]") == [
        "Chè hái một tôm hai lá. [1]", "Sau đó đem sao ngay. [2][3]"]
    assert sentences("Chè hái một tôm hai lá [1]. Sau đó đem sao ngay [2].") == [
        "Chè hái một tôm hai lá [1].", "Sau đó đem sao ngay [2]."]


def test_line_breaks_and_list_items_are_sentences_and_bullets_are_dropped() -> None:
    text = "Cần chuẩn bị:\n- một chai nhựa\n• băng dính\n1. Cắt chai. 2. Dán kín.\n\n"
    assert sentences(text) == ["Cần chuẩn bị:", "một chai nhựa", "băng dính", "1. Cắt chai.", "2. Dán kín."]


def test_quoted_question_keeps_its_closing_quote() -> None:
    assert sentences('Mai hỏi: "Bạn đi đâu?" Lan cười.') == ['Mai hỏi: "Bạn đi đâu?"', "Lan cười."]


def test_empty_text_has_no_sentences() -> None:
    assert sentences("") == []
    assert sentences(" \n \n") == []
