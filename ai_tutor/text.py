"""Vietnamese-aware text handling for the tutor: BM25 tokens, the language of a question, sentences.

`lexical_tokens` gives the same tokens for documents and queries. Per syllable: the lower-case NFC form and, when
it differs, the accent-folded form (so "tan cuong" typed on a phone finds "Tân Cương"; đ folds to d). Per pair of
neighbouring syllables not separated by punctuation, the folded bigram ("tan_cuong"), which stands in for Vietnamese
word segmentation. Hangul, kana and CJK characters are one token each (their bigrams catch words), so a Korean word
in a Vietnamese question counts. A number keeps its decimal or thousands mark as one token, comma and dot alike
("3,6" and "3.6" are "3.6"). Punctuation is dropped. In text whose language is English (`detect_language`),
English stop words are dropped, no bigrams are made and a light suffix stemmer (`stem`) folds word forms
("swimming" → "swim"); the stemmer never touches a word shaped like a Vietnamese syllable.

Measured with `bench/chunking.py --pyvi --xquad`: plain BM25 (bm25s defaults) over the 1,286 sections of the content
packs with their 155 evaluation questions (55 English, 67 Vietnamese, 33 Vietnamese typed without accents), and
over XQuAD's 240 paragraphs with 1,190 questions per language (Vietnamese also with accents removed). MRR@10:

                                              packs                          XQuAD
    variant                                   all    en     vi     vi-plain  vi     vi-plain  en
    syllables + folded                        0.613  0.398  0.760  0.674     0.930  0.918     0.947
    + bigrams, accented and folded            0.606  0.353  0.775  0.685     0.940  0.948     0.933
    + English stop words                      0.637  0.450  0.772  0.675     0.940  0.948     0.950
    + no bigrams in English text              0.639  0.456  0.772  0.675     0.940  0.948     0.954
    + bigrams folded only                     0.651  0.458  0.799  0.674     0.940  0.948     0.954
    + stemmer in English text (this module)   0.652  0.460  0.799  0.674     0.940  0.948     0.959
    stemmer in every text                     0.652  0.459  0.799  0.674     0.940  0.946     0.959
    language decided line by line             0.651  0.461  0.796  0.675     0.940  0.948     0.959
    + pyvi words of 2+ syllables              0.643  0.461  0.771  0.685     0.934  0.949     0.959
    + pyvi words of 3+ syllables              0.649  0.460  0.791  0.674     0.940  0.948     0.959

The default scores R@1 0.561, R@5 0.781, R@10 0.819 over the packs' sections. Accented bigrams next to the folded
ones count a phrase twice: no gain on XQuAD, a loss on the packs. pyvi's word segmentation (ViTokenizer, 3 s to
import) did not help, so it is not used. Most English questions that miss ask about Vietnamese materials: lexical
search cannot cross languages, the dense index must. `detect_language` is right on all 155 evaluation questions and
on XQuAD's 3,570 (Vietnamese with and without accents, English); it takes about 20 µs per question.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from content.repository.tokens import MAX_SYLLABLE, folded
from lms_core.text import nfc

# One token at a time: a number with decimal/thousands marks, one character of a script written without spaces
# (Hangul syllables and jamo, kana, CJK ideographs), a run of other letters and digits, or one punctuation mark.
_SPACELESS = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3"
_TOKEN = re.compile(rf"\d+(?:[.,]\d+)+|[{_SPACELESS}]|[^\W_{_SPACELESS}]+|[^\w\s]|_")
_PUNCT = re.compile(r"[^\w\s]|_")

ENGLISH_STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below both but by can
could did do does doing don down during each few for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just me my myself no nor not of off on once only or other our ours
ourselves out over own please same she should so some such t than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which while who whom whose why
will with would you your yours yourself yourselves s ll re ve d m
""".split())

_INITIAL = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?"
_NUCLEUS = (r"(?:uye|uya|uyu|ieu|yeu|uoi|uou|oai|oay|oeo|uay|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu"
            r"|uy|ya|ye|[aeiouy])")
_VI_SYLLABLE = re.compile(rf"{_INITIAL}{_NUCLEUS}(?:ch|nh|ng|[cmnpt])?")


def has_diacritics(text: str) -> bool:
    """Return whether a text has letters with accents or tone marks (đ included), as typed Vietnamese has."""
    decomposed = unicodedata.normalize("NFD", text)
    return "đ" in decomposed or "Đ" in decomposed or any(
        unicodedata.category(ch) == "Mn" for ch in decomposed)


@lru_cache(maxsize=50_000)
def is_vietnamese_syllable(word: str) -> bool:
    """Return whether a lower-case word, accents folded, has the shape of a Vietnamese syllable ("nghieng": yes)."""
    return _VI_SYLLABLE.fullmatch(folded(word)) is not None


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """Return an English word without its plural, -ing, -ed or final -e ("swimming" → "swim", "makes" → "mak").

    Words that could be a Vietnamese syllable, short words and words that are not plain ASCII letters are returned
    as they are: Vietnamese syllables never end in s, -ing or -ed, and must not lose an "e" ("khoe" is not "kho").
    """
    if len(word) <= 3 or not (word.isascii() and word.isalpha()) or is_vietnamese_syllable(word):
        return word
    w = word
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "ches", "shes", "xes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and any(c in "aeiouy" for c in w[: -len(suffix)]):
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":  # swimm → swim, but spell, miss
                w = w[:-1]
            break
    if len(w) > 3 and w.endswith("e") and not w.endswith("ee"):
        w = w[:-1]
    return w


def _runs(text: str) -> list[list[str]]:
    """Return the lower-case NFC tokens of a text in runs that punctuation does not break."""
    out: list[list[str]] = []
    run: list[str] = []
    for m in _TOKEN.finditer(nfc(text).lower()):
        token = m.group()
        if _PUNCT.fullmatch(token) or len(token) > MAX_SYLLABLE:
            if run:
                out.append(run)
            run = []
        elif token[0].isdigit() and ("," in token or "." in token):
            run.append(token.replace(",", "."))
        else:
            run.append(token)
    if run:
        out.append(run)
    return out


def _tokens(text: str, *, stop_words: bool = True, bigrams: bool = True, english_bigrams: bool = False,
            stemming: bool | str = "en", per_line: bool = False, accented_bigrams: bool = False,
            pyvi_words: int = 0) -> list[str]:
    """Return the BM25 tokens of a text with the options of the measured variants (see `lexical_tokens`)."""
    options = {"stop_words": stop_words, "bigrams": bigrams, "english_bigrams": english_bigrams,
               "stemming": stemming, "accented_bigrams": accented_bigrams, "pyvi_words": pyvi_words}
    if per_line and "\n" in text:
        return [t for line in text.split("\n") for t in _tokens(line, **options)]
    english = detect_language(text) == "en"
    drop = stop_words and english
    pairs = bigrams and (english_bigrams or not english)
    stemming = stemming is True or (stemming == "en" and english)
    out: list[str] = []
    for run in _runs(text):
        previous: tuple[str, str] | None = None
        for token in run:
            if drop and token in ENGLISH_STOP_WORDS:
                previous = None
                continue
            if stemming:
                token = stem(token)
            plain = folded(token)
            out.append(token)
            if plain != token:
                out.append(plain)
            if pairs and previous is not None:
                if accented_bigrams:
                    out.append(f"{previous[0]}_{token}")
                if not accented_bigrams or previous[1] != previous[0] or plain != token:
                    out.append(f"{previous[1]}_{plain}")
            previous = (token, plain)
    if pyvi_words and has_diacritics(text):
        out.extend(_pyvi_words(text, pyvi_words))
    return out


def _pyvi_words(text: str, min_syllables: int) -> list[str]:
    """Return pyvi's segmented words of at least min_syllables syllables, accented and folded."""
    from pyvi import ViTokenizer  # noqa: PLC0415  (3 s to import: only the measured variant needs it)

    out = []
    for word in ViTokenizer.tokenize(nfc(text).lower()).split():
        parts = word.split("_")
        if len(parts) >= min_syllables and all(p.isalnum() for p in parts):
            out.append(word)
            plain = "_".join(folded(p) for p in parts)
            if plain != word:
                out.append(plain)
    return out


def lexical_tokens(text: str) -> list[str]:
    """Return the BM25 tokens of a document or a query: syllables accented and folded, folded syllable bigrams."""
    return _tokens(text)


# ---- language -------------------------------------------------------------------------------------------------

# Frequent Vietnamese syllables and words written without accents (what a phone keyboard without Telex gives).
VI_WORDS = frozenset("""
la cua va co khong duoc nhung cac mot nay cho voi trong de thi nguoi da se ve khi nhu tai sao gi nao the lam bao
nhieu may ai dau o em anh chi thay minh toi chung ta hoc bai hoi vi vay a nhe oi nghia tieng viet han cau tu chu
dung cach phai nen neu hay hoac bang theo sau truoc tren duoi ngoai giua cung con roi nua van dang deu moi tat ca
nhat hon rat qua lai ra vao len xuong di den ban viec nhieu it biet hieu noi doc viet nghe xem thu tim giai thich
vi du tra loi trai gai me bo ong ba nha truong lop thoi gian ngay thang nam gio phut giay buoi sang trua chieu toi
dem nuoc chat khi dat lua cay la hoa qua an uong che tham song chet tinh so luong khoi dien tich the toc do nhiet
cao thap dai ngan rong hep nho lon manh yeu nong lanh am kho uot sach ban dep xau tot xanh do vang trang den nau
tim hong mau sac ten goi dia diem huyen xa thanh pho que lang vung mien bac nam dong tay ngoai kia day do ay
khac giong nhau giup can muon thich ghet yeu so lo nghi nho quen hieu hoi tra kiem tra thi nghiem quan sat ket
qua phan buoc nhom loai kieu dang chon lay mang dat giu bo them bot chia nhan cong tru bang thuc hien dung cu
vat lieu an toan nguy hiem benh suc khoe tay chan mat mui mieng dau bung tim phoi than hinh anh ve viet tap vo
sach but thuoc ke ban ghe bang cua so phong thu vien san choi tro chuyen kien thuc ky nang mon toan van ly hoa
sinh su dia tin cong nghe am nhac my thuat duc ngu phap van hoa lich phong tuc le hoi tet ky niem truyen thuyet
nhan vat tac gia tac pham tho van ban y chinh tom tat ghi chep danh gia khong co duoc chua khong phai vay ha ak
nha nhi nhe dum giup voi ko dc ntn cx hok khum biet ai dau bao gio the nao lam sao tai vi nen muon tu luc
""".split())

# Frequent English words (stop words and the words of students' questions), for telling English from Vietnamese.
EN_WORDS = ENGLISH_STOP_WORDS | frozenset("""
say says said tell told mean means meaning word words english use used using make makes made get gets got go goes
went know knows knew think like likes want wants need needs should must may might shall let lets help explain example
examples difference different between same thing things people person time times day days year years way ways good
bad best better right wrong first last next new old many much more most less little big small long short high low
called call name names story teacher student students class school book books read reading write writing listen
speak speaking answer question questions please thanks thank yes ok okay sentence sentences grammar verb verbs noun
nouns tense past present future plural singular spell spelling pronounce pronunciation letter letters sound sounds
vowel vowels consonant consonants tea water family friend friends visit visitors festival grow growing grown start
started begin began put find found see saw look looks come came give gave take took buy bought sell price
cost why who happen happens happened during every each also still after before usually often always never sometimes
does doing did done been being has have had can could would will shall into onto out over again here there
which whose whom hi hello hey bye
""".split())

_QUOTED = re.compile(r"'[^']{1,80}'|\"[^\"]{1,80}\"|“[^”]{1,80}”|‘[^’]{1,80}’")
_WORDS = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"[a-zđ]+")
_NOISE = re.compile(r"(.)\1\1|[bcdfghjklmnpqrstvwxz]{5}")


def detect_language(text: str) -> str:
    """Return "vi", "en" or "other": the language a question is written in (Vietnamese without accents is "vi").

    Each Latin word is evidence: a word with Vietnamese tone marks strongly for Vietnamese, a frequent Vietnamese
    syllable for Vietnamese, a frequent English word for English, an unknown word by its shape (a possible
    Vietnamese syllable, or not). Capitalised words after the first (names such as "Thái Nguyên" in an English
    question) and quoted words (a phrase asked about) count less. Text with no Latin word is "other".
    """
    text = nfc(text)
    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    vi = en = 0.0
    other = 0
    first = True
    for m in _WORDS.finditer(text):
        raw = m.group()
        word = raw.lower()
        if not _LATIN.fullmatch(folded(word)):
            other += 1
            continue
        weight = 1.0
        if not first and raw[0].isupper():
            weight = 0.25
        if any(a <= m.start() < b for a, b in quoted):
            weight = 0.25
        first = False
        if has_diacritics(word):
            vi += 2 * weight
            continue
        in_vi, in_en = word in VI_WORDS, word in EN_WORDS
        if in_vi and in_en:
            vi += 0.5 * weight
            en += 0.5 * weight
        elif in_vi:
            vi += 1.5 * weight
        elif in_en:
            en += weight
        elif len(word) == 1 or _NOISE.search(word):
            continue
        elif is_vietnamese_syllable(word):
            vi += 0.5 * weight
        else:
            en += 0.75 * weight
    if vi == en == 0 or other > vi + en:
        return "other"
    return "vi" if vi >= en else "en"


# ---- sentences ------------------------------------------------------------------------------------------------

# Abbreviations after which a full stop does not end a sentence (lower case, without the final dot).
ABBREVIATIONS = frozenset("""
tp tx q p tt ths ts gs pgs bs ks cn th tr nxb st mr mrs ms dr prof vs fig e.g i.e cf v.d vd tp.hcm ng
""".split())
# Abbreviations that may end a sentence: a capital letter after them starts a new one.
_LIST_ENDINGS = frozenset({"v.v", "etc", "vv"})
_END = re.compile(r"(?:\.{3}|…|[.!?])+[\"'”’»)\]]*")
_CITATIONS = re.compile(r"\s*(?:\[\d{1,3}\]\s*)+")
_BULLET = re.compile(r"^\s*[-*•+–—·]\s+")
_LIST_NUMBER = re.compile(r"^(?:\d{1,2}|[a-zA-Z])[.)]$")


def sentences(text: str) -> list[str]:
    """Return the sentences of a text: split at . ? ! … and line breaks, list items apart, bullets dropped.

    A full stop or an ellipsis before a small letter, a full stop inside a number (3.5) or after a common
    abbreviation (TP., ThS., v.v. before a small letter) does not end a sentence; citation marks such as "[1]" after a full stop stay with the
    sentence they follow.
    """
    out: list[str] = []
    for line in nfc(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _BULLET.sub("", line).strip()
        if line:
            out.extend(_split_line(line))
    return out


def _split_line(line: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for m in _END.finditer(line):
        end = m.end()
        cites = _CITATIONS.match(line, end)
        if cites and "[" in cites.group():
            end += len(cites.group().rstrip())
        rest = line[end:]
        if rest and not rest[0].isspace():
            continue  # 3.5, v.v, e.g, "[1]Next"
        following = rest.lstrip()
        if not following:
            break
        mark = m.group()
        head = line[start:m.start()]
        last_word = head.rsplit(None, 1)[-1].lower() if head.split() else ""
        if mark[0] in ".…":
            if following[0].islower():
                continue
            if mark == "." and last_word in ABBREVIATIONS:
                continue
            if mark == "." and last_word in _LIST_ENDINGS and not following[0].isupper():
                continue
            if mark == "." and len(last_word) == 1 and last_word.isalpha() and head[-1].isupper():
                continue  # an initial: "H. Chí Minh"
            if mark == "." and _LIST_NUMBER.match(line[start:end].strip()):
                continue  # "2. What time" keeps its number
        pieces.append(line[start:end].strip())
        start = end
    tail = line[start:].strip()
    if tail:
        pieces.append(tail)
    return [p for p in pieces if p]
