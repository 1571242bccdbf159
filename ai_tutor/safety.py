"""What the tutor checks before answering: unusable input, harmful or off-topic requests, students at risk.

`screen(question)` is rule-based and runs before retrieval. Its word lists are short on purpose: each entry is a
phrase a pupil would type, in Vietnamese (the same entry also matches the text typed without diacritics) or in
English, and most are shaped as requests ("cách làm bom", "how to make a bomb") rather than single nouns, so a
lesson question about the same subject ("tác hại của ma tuý") is still answered. The order matters:

1. empty / too long / binary: a clear message, nothing else is looked at;
2. at risk (self-harm, bullying, abuse): answered kindly with a suggestion to talk to a teacher, a parent and the
   school counsellor; the caller flags the message to the homeroom teacher. Checked before "harmful" so that
   "cách tự tử" is treated as a child in distress, not as a rule breaker;
3. harmful (weapons, drugs, violence, adult content, gambling, hacking, cheating on tests): a refusal, unless the
   question is plainly about harm or prevention ("tác hại", "phòng chống", "why is … dangerous");
4. off topic (dating advice, game top-ups, lottery and horoscopes): a gentle pointer back to the lessons.

Also here: `redact_personal_data`, which removes a student's name, phone numbers, e-mail addresses and long
identifier numbers from text that leaves the server, and `injection_like`, which recognises text that talks to the
assistant ("ignore your instructions") so that the generators never treat it as an answer.

Patterns are regular expressions written in lower case with diacritics; every accented letter also accepts its
plain letter ("muốn chết" matches "muon chet"), but an accented letter typed by the student must be the right one,
so "đám bạn" is not "đâm bạn". " ~ " inside a pattern allows up to three words in between.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ai_tutor.text import detect_language
from lms_core.i18n import N_, gettext, use_locale
from lms_core.text import fold, nfc

MAX_QUESTION_CHARS = 1000
Kind = Literal["ok", "empty", "too_long", "binary", "off_topic", "harmful", "at_risk"]

EMPTY = N_("Please type your question first. Ask about something in your lessons and I will look for it in "
           "your class materials.")
TOO_LONG = N_("Your question is too long (more than {limit} characters). Please ask it in a shorter way, one "
              "question at a time.")
BINARY = N_("Your question has characters that are not text. Please type it again in words.")
OFF_TOPIC = N_("I am your study helper, so I can only help with the lessons and materials of your class. Try "
               "asking me about something you are learning.")
HARMFUL = N_("I can't help with that, because it could hurt you or other people, or it is against the law or the "
             "school rules. If you have a question about your lessons, I am happy to help.")
CHEATING = N_("I can't do a test or an exam for you, and I can't give out its answers. I can help you understand "
              "the lesson so that you can do it well yourself.")
AT_RISK = N_("Thank you for telling me. What is happening sounds really hard, and you do not have to face it "
             "alone. Please talk to your homeroom teacher, a parent or the school counsellor soon: they want to "
             "help you. If you feel unsafe right now, tell an adult near you straight away or call 111, the free "
             "child protection hotline.")


@dataclass(frozen=True)
class Screen:
    """The verdict on a question: its kind, the message to show when it is not "ok", and why (for the log)."""

    kind: Kind
    message: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        """Return whether the question may go on to retrieval and an answer."""
        return self.kind == "ok"

    @property
    def flag_teacher(self) -> bool:
        """Return whether the homeroom teacher should be told (a student who may be at risk)."""
        return self.kind == "at_risk"


# --- word lists -------------------------------------------------------------------------------------------------
# Self-harm, abuse and bullying: a pupil speaking about themselves. Never suppressed by the lesson guard below.
AT_RISK_PATTERNS: dict[str, tuple[str, ...]] = {
    "self_harm": (
        r"tự tử", r"tự sát", r"tự vẫn", r"quyên sinh", r"muốn chết", r"thà chết", r"chán sống",
        r"không (?:muốn|thiết) sống", r"không muốn tồn tại", r"tự (?:làm đau|làm hại|hại) (?:bản thân|mình)",
        r"tự hành hạ", r"rạch tay", r"cứa tay", r"nhảy lầu",
        r"kill(?:ing)? myself", r"suicid(?:e|al)", r"want(?:ed)? to die", r"end my life", r"hurt(?:ing)? myself",
        r"self[- ]harm", r"cut(?:ting)? myself", r"(?:don't|do not) want to (?:live|be alive)",
    ),
    "bullying": (
        r"bị (?:bắt nạt|ăn hiếp|đánh hội đồng|đánh đập|quấy rối|sờ soạng|tống tiền|bêu xấu|quay clip|tung ảnh)",
        r"bị ~ (?:bắt nạt|ăn hiếp|đánh hội đồng)", r"xâm hại tình dục",
        r"bị (?:cả lớp|các bạn|mấy bạn|bạn bè|mọi người|tụi nó|bọn nó|nhóm bạn|bạn|bố|mẹ|ba|cha|anh|chị) ~ "
        r"(?:đánh|tẩy chay|cô lập|trêu chọc|chế giễu|nói xấu)",
        r"(?:bắt nạt|ăn hiếp|đánh|tẩy chay|cô lập|trêu chọc|chế giễu|đe (?:dọa|doạ)|dọa đánh) (?:em|mình|tôi|tớ|con)",
        r"không ai chơi với (?:em|mình|tôi|tớ|con)",
        r"(?:being|been|get|got|am|i'm) bullied", r"bull(?:y|ies|ying) me", r"(?:beat|beats|hit|hits) me(?: up)?",
        r"nobody (?:likes|plays with) me", r"threaten(?:s|ed|ing)? me", r"(?:is|are) hurting me",
    ),
}
# Everyday exaggeration that is not about dying ("mệt muốn chết": tired to death), removed before matching.
HYPERBOLE = (r"(?:đói|mệt|nóng|lạnh|cười|sợ|vui|thèm|khát|ngon|đẹp|hay|buồn ngủ|tức|ghen tị) (?:gần |sắp )?muốn chết",
             r"chết cười", r"die (?:laughing|of laughter)")

# Requests to make, get or use something dangerous, to hurt someone, or to cheat. Single words that collide with
# everyday words once typed without diacritics are left out or fenced ("bom" is also "bơm", a pump; "súng nước"
# is a water gun built in STEM club).
_HOW_VI = (r"(?:cách|làm sao|làm thế nào|hướng dẫn|chỉ|dạy|công thức|mua|kiếm|tìm|chế tạo|chế|tự chế|tự làm|"
           r"điều chế|trồng|sử dụng|hút|chơi|ở đâu bán)")
_DANGER_VI = (r"(?:quả bom|bom (?:xăng|tự chế|khói)|thuốc nổ|pháo (?:nổ|tự chế|hoa|bi|diêm)|"
              r"súng(?! (?:nước|phun|đồ chơi|bắn bóng))|vũ khí|dao găm|ma túy|ma tuý|cần sa|thuốc lắc|heroin|"
              r"bóng cười|chất độc|thuốc độc|thuốc lá điện tử)")
_HOW_EN = r"(?:how (?:do i|can i|to|do you)|where (?:can|do) i|help me|teach me|i want to)"
_DANGER_EN = r"(?:a )?(?:bomb|explosives?|gun|weapon|drugs|weed|cocaine|heroin|meth|poison|vape|fireworks)"
_INTENT_VI = r"(?:cách|làm sao|làm thế nào|muốn|sẽ|định)"
_PERSON_VI = r"(?:người|bạn|thầy|cô|nó|hắn|ai đó|bố|mẹ|anh|chị|em|cả lớp)"
_INTENT_EN = r"(?:how (?:do i|can i|to)|i (?:want|will|wanna|am going|'m going) to|i'll)"
_PERSON_EN = r"(?:someone|somebody|a person|people|him|her|them|my \w+|the teacher|a classmate)"
HARMFUL_PATTERNS: dict[str, tuple[str, ...]] = {
    "danger": (rf"{_HOW_VI} ~ {_DANGER_VI}", rf"{_HOW_EN} (?:make|build|get|buy|use|smoke) ~ {_DANGER_EN}"),
    "violence": (rf"{_INTENT_VI} ~ (?:giết|đầu độc|trả thù|đánh chết) {_PERSON_VI}",
                 rf"{_INTENT_EN} (?:kill|poison|stab|hurt|beat up) {_PERSON_EN}"),
    "adult": (r"khiêu dâm", r"phim (?:sex|người lớn)", r"ảnh nóng", r"porn\w*", r"nudes?", r"sex (?:video|pics?)"),
    "gambling": (r"cá độ", r"lô đề", r"đánh đề", r"đánh bạc", r"cá cược", r"(?:sports )?betting", r"gambl\w+"),
    "hacking": (
        r"hack ~ (?:tài khoản|facebook|zalo|mật khẩu|wifi|điểm|account|password)",
        r"(?:lấy trộm|đánh cắp|ăn cắp|trộm) ~ (?:mật khẩu|tài khoản)", r"steal ~ (?:password|account)",
    ),
    "cheating": (
        r"làm (?:hộ|giúp|thay) ~ (?:bài|đề) (?:kiểm tra|thi)", r"(?:bài|đề) (?:kiểm tra|thi) (?:hộ|giùm|thay)",
        r"thi (?:hộ|thay)", r"đáp án ~ đề (?:kiểm tra|thi)", r"(?:cách )?gian lận (?:trong |khi |lúc )?(?:thi|kiểm tra)",
        r"quay cóp", r"phao thi", r"sửa điểm",
        r"(?:do|take|write) my (?:test|exam|quiz)", r"cheat(?:ing)? (?:on|in) ~ (?:test|exam|quiz)",
        r"answers? (?:key )?(?:to|for|of) ~ (?:test|exam|quiz)", r"answer key",
    ),
}

# A question plainly about harm, danger or prevention is a lesson, not a request ("tác hại của ma tuý").
LESSON_GUARD = (
    r"tác hại", r"nguy hiểm", r"hậu quả", r"phòng chống", r"phòng tránh", r"ảnh hưởng", r"vì sao không",
    r"tại sao không", r"có hại", r"độc hại", r"pháp luật", r"bị cấm",
    r"harm(?:s|ful)?", r"dangers?", r"dangerous", r"effects?", r"prevent\w*", r"why (?:is|are) \w+ bad", r"illegal",
)

OFF_TOPIC_PATTERNS: dict[str, tuple[str, ...]] = {
    "dating": (r"(?:cách|làm sao để|làm thế nào để) ~ (?:tỏ tình|tán|cưa|có người yêu|crush)",
               r"tán (?:gái|trai)", r"thả thính", r"(?:get|find) a (?:girlfriend|boyfriend)",
               r"make (?:my )?crush like me"),
    "games": (r"nạp (?:thẻ|kim cương|quân huy)", r"acc (?:game|free fire|liên quân)", r"free fire", r"liên quân mobile",
              r"(?:free|get) (?:robux|diamonds|skins)"),
    "fortune": (r"xổ số", r"tử vi", r"xem bói", r"cung hoàng đạo", r"lottery numbers?", r"horoscope"),
}

INJECTION_PATTERNS = (
    r"(?:ignore|disregard|forget) (?:all |any |the |your |my |previous |prior |above |earlier )*"
    r"(?:instructions|rules|prompts?|directions)",
    r"you are now", r"new instructions", r"system prompt", r"act as (?:a|an|the)", r"pretend (?:to be|you are)",
    r"(?:bỏ qua|phớt lờ|quên|lờ) (?:đi )?(?:hết |mọi |tất cả |các |những )*(?:hướng dẫn|chỉ dẫn|quy tắc|yêu cầu|"
    r"lệnh)",
    r"(?:từ giờ|từ bây giờ) (?:bạn|mày|cậu) là", r"hãy đóng vai",
)


# --- matching ---------------------------------------------------------------------------------------------------
def _loose(pattern: str) -> str:
    """Return a pattern whose accented letters also accept their plain letter, and " ~ " a gap of up to 3 words."""
    out = []
    for ch in pattern.replace(" ~ ", "\x00"):
        plain = fold(ch) if ch.isalpha() else ch
        out.append(f"(?:{ch}|{plain})" if ch.isalpha() and len(plain) == 1 and plain != ch else ch)
    return "".join(out).replace("\x00", r"\s+(?:\S+\s+){0,3}?").replace(" ", r"\s+")


@lru_cache(maxsize=None)
def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    body = "|".join(f"(?:{_loose(p)})" for p in patterns)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def _match(groups: dict[str, tuple[str, ...]], text: str) -> str | None:
    for name, patterns in groups.items():
        if _compile(patterns).search(text):
            return name
    return None


def _prepare(text: str) -> str:
    """Return NFC lower-case text with curly apostrophes straightened and runs of spaces made single."""
    return " ".join(nfc(text).lower().replace("\u2019", "'").split())


def injection_like(text: str) -> bool:
    """Return whether a text speaks to the assistant ("ignore your instructions …") instead of about a subject."""
    return bool(_compile(INJECTION_PATTERNS).search(_prepare(text)))


def _is_binary(text: str) -> bool:
    for ch in text:
        if ch in "\n\r\t":
            continue
        if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cs"):
            return True
    return False


def _message(msgid: str, language: str, **values: object) -> str:
    with use_locale(language if language in ("vi", "en") else "vi"):
        return gettext(msgid).format(**values)


def screen(question: str | bytes, *, language: str | None = None) -> Screen:
    """Return what to do with a question before answering it; the message is in `language` (default: detected)."""
    if isinstance(question, bytes):
        try:
            question = question.decode("utf-8")
        except UnicodeDecodeError:
            return Screen("binary", _message(BINARY, language or "vi"), "undecodable")
    if language is None:
        language = detect_language(question[:MAX_QUESTION_CHARS]) if question.strip() else "vi"
    if _is_binary(question):
        return Screen("binary", _message(BINARY, language), "control characters")
    text = nfc(question).strip()
    if not any(ch.isalnum() for ch in text):
        return Screen("empty", _message(EMPTY, language), "no words")
    if len(text) > MAX_QUESTION_CHARS:
        return Screen("too_long", _message(TOO_LONG, language, limit=MAX_QUESTION_CHARS), f"{len(text)} characters")
    plain = _prepare(text)
    if reason := _match(AT_RISK_PATTERNS, _compile(HYPERBOLE).sub(" ", plain)):
        return Screen("at_risk", _message(AT_RISK, language), reason)
    if (reason := _match(HARMFUL_PATTERNS, plain)) and not _compile(LESSON_GUARD).search(plain):
        return Screen("harmful", _message(CHEATING if reason == "cheating" else HARMFUL, language), reason)
    if reason := _match(OFF_TOPIC_PATTERNS, plain):
        return Screen("off_topic", _message(OFF_TOPIC, language), reason)
    return Screen("ok")


# --- personal data ----------------------------------------------------------------------------------------------
NAME_MARK, PHONE_MARK, EMAIL_MARK, NUMBER_MARK = "[tên]", "[số điện thoại]", "[email]", "[số]"
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Vietnamese phone numbers: 0 and a digit (not "0.5"), or +84, then 8 to 10 more digits in groups separated by
# single spaces, dots or dashes ("0912 345 678", "+84 912.345.678"); never part of a longer number.
_PHONE = re.compile(r"(?<![\w+.,])(?:0\d|\(?\+84\)?[ .\-]?\d)(?:[ .\-]?\d){7,9}(?![\d.,]\d|\d)")
# Identifiers typed as one run of digits (citizen ID numbers have 12, student codes often 9 or more).
_LONG_NUMBER = re.compile(r"(?<![\d.,])\d{9,}(?![.,]?\d)")


def redact_personal_data(text: str, *, names: Iterable[str] = (), numbers: bool = True) -> str:
    """Return text without the given names (accents optional), e-mail addresses, phone numbers and (numbers) long
    identifier numbers."""
    text = nfc(text)
    for name in sorted({" ".join(nfc(n).split()) for n in names if n and n.strip()}, key=len, reverse=True):
        if len(name) < 2:
            continue
        pattern = _loose(re.escape(name).replace(r"\ ", " "))
        text = re.sub(rf"(?<!\w){pattern}(?!\w)", NAME_MARK, text, flags=re.IGNORECASE)
    text = _EMAIL.sub(EMAIL_MARK, text)
    text = _PHONE.sub(PHONE_MARK, text)
    return _LONG_NUMBER.sub(NUMBER_MARK, text) if numbers else text


def private_names(*names: str | None, extra: Sequence[str] = ()) -> list[str]:
    """Return the names worth redacting: each full name as given and its last two syllables ("Thị Lan")."""
    out: list[str] = []
    for name in [*names, *extra]:
        words = (name or "").split()
        if not words:
            continue
        out.append(" ".join(words))
        if len(words) >= 3:
            out.append(" ".join(words[-2:]))
    return out
