"""Build the binary materials of the English pack (PDF, DOCX, PPTX, an Ogg audio) from the text written here.

Run from the repository root: `.venv/bin/python scripts/pack_media/english.py`. The files land in
content/packs/english/materials/. Output is reproducible: fixed document dates and zip entry times, so
running the script again without changing the text gives the same bytes.

The audio is spoken by espeak-ng and encoded by oggenc (Debian packages espeak-ng and vorbis-tools); when
either is missing the audio is skipped and the committed file is kept. Its WebVTT transcript is written
from the same lines, with cue times measured from the spoken audio.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import common

OUT = common.materials_dir("english")

# Documents are lists of blocks and decks lists of slides, as common.py describes.

TEA_READING = [
    ("title", "Reading: A weekend on the tea hills (Grade 8)"),
    ("note", "Hướng dẫn: Đọc phần từ vựng, sau đó đọc bài hai lần và trả lời câu hỏi. Nhân vật trong bài là "
             "nhân vật hư cấu; những điều bài nói về cách làm chè là thông tin chung về nghề chè."),
    ("h1", "Words to know: tea and local products"),
    ("table", [
        ["Word", "Meaning", "Example"],
        ["tea bud", "búp chè", "A tea bud is the young tip of the branch."],
        ["pick (v)", "hái", "Farmers pick tea early in the morning."],
        ["roast (v)", "sao (chè)", "The leaves are roasted in a hot pan."],
        ["roll (v)", "vò", "He rolls the leaves until they curl."],
        ["fragrant (adj)", "thơm", "Good green tea is fragrant."],
        ["aftertaste (n)", "hậu vị", "The tea leaves a sweet aftertaste."],
        ["speciality (n)", "đặc sản", "Green tea is a speciality of Thái Nguyên."],
        ["hospitality (n)", "lòng hiếu khách", "Offering tea shows hospitality."],
    ]),
    ("h1", "The reading: A weekend on the tea hills"),
    ("p", "Last month, Mai, a grade 8 student from Hà Nội, spent a weekend with her aunt's family in Tân Cương, "
          "a tea-growing area to the west of Thái Nguyên city. Thái Nguyên is famous all over Viet Nam for its "
          "green tea, and Tân Cương tea is one of its best-known kinds."),
    ("p", "On Saturday, Mai's aunt woke her up at five o'clock. \"We pick tea early, when the leaves are fresh "
          "and cool,\" she said. They walked up a low hill covered with long rows of tea bushes. Her aunt showed "
          "Mai how to pick: only the young bud at the top and the two leaves below it. \"One bud and two leaves,\" "
          "she repeated. By nine o'clock, Mai had picked about two kilograms of fresh leaves, and her aunt had "
          "picked four times as much."),
    ("p", "In the afternoon, Mai watched her uncle make the tea. He roasted the leaves in a large hot pan and "
          "stirred them all the time so they did not burn. Then he rolled them until they became small, dark "
          "green and curled. The whole house smelled of tea."),
    ("p", "On Sunday morning, the family sat together and drank the new tea. It was a little bitter at first, "
          "and then it left a sweet aftertaste. Mai's aunt explained that offering tea to guests is a way to "
          "show hospitality. When Mai left, she took a small packet of tea home for her parents. \"Now I know "
          "how much work there is in every cup,\" she said."),
    ("h1", "Comprehension questions"),
    ("bullets", [
        "1. Where is Tân Cương?",
        "2. What time did Mai get up on Saturday?",
        "3. Which part of the tea plant did they pick?",
        "4. How many kilograms of fresh leaves did Mai's aunt pick?",
        "5. What did Mai's uncle do with the leaves in the afternoon?",
        "6. How did the tea taste?",
        "7. What does offering tea to guests show?",
    ]),
    ("h1", "Answer key"),
    ("bullets", [
        "1. It is a tea-growing area to the west of Thái Nguyên city.",
        "2. At five o'clock.",
        "3. The young bud at the top and the two leaves below it (one bud and two leaves).",
        "4. About eight kilograms: four times Mai's two kilograms.",
        "5. He roasted them in a large hot pan, stirring all the time, and then rolled them.",
        "6. It was a little bitter at first, and then it left a sweet aftertaste.",
        "7. It shows hospitality.",
    ]),
    ("h1", "Language focus: describing a local product with the passive"),
    ("p", "When we describe how a product is made, the person who does the work is often not important, so we "
          "use the passive voice: is/are + past participle."),
    ("bullets", [
        "Tea is grown on low hills.",
        "The buds and young leaves are picked by hand.",
        "The leaves are roasted in a hot pan and then rolled.",
        "The tea is sold in many provinces and is often given as a gift.",
    ]),
    ("h1", "Your turn: talk about a local product"),
    ("p", "Choose a product from your area (a fruit, a cake, a handicraft or a drink). Write 60–80 words about "
          "it. You can use this frame: \"… is a speciality of … It is made from … First, … Then, … It is "
          "famous for … People often buy it as a gift because …\""),
]

PRESENT_TENSES = [
    ("title", "Grammar note: present simple and present continuous (Grade 6)"),
    ("note", "Hướng dẫn: Thì hiện tại đơn nói về thói quen và sự thật; thì hiện tại tiếp diễn nói về việc "
             "đang xảy ra lúc nói. Đọc từng phần, chú ý các từ nhận biết, rồi làm bài tập ở cuối."),
    ("h1", "Present simple: habits, routines and facts"),
    ("p", "We use the present simple for things we do regularly (habits and routines), for facts that are "
          "always true, and for timetables."),
    ("bullets", [
        "I get up at six o'clock every day. (routine)",
        "My grandfather drinks green tea every morning. (habit)",
        "The sun rises in the east. (fact)",
        "Our English lesson starts at 7.30 on Tuesdays. (timetable)",
    ]),
    ("table", [
        ["", "I / you / we / they", "he / she / it"],
        ["Positive", "I play football.", "She plays football."],
        ["Negative", "I don't play football.", "She doesn't play football."],
        ["Question", "Do you play football?", "Does she play football?"],
        ["Short answer", "Yes, I do. / No, I don't.", "Yes, she does. / No, she doesn't."],
    ]),
    ("h2", "Spelling: adding -s or -es"),
    ("bullets", [
        "Most verbs add -s: play → plays, read → reads.",
        "Verbs ending in -s, -sh, -ch, -x or -o add -es: watch → watches, wash → washes, go → goes, do → does.",
        "Consonant + y: change y to i and add -es: study → studies, fly → flies. But vowel + y: play → plays.",
        "Have is irregular: he has, she has, it has.",
    ]),
    ("h1", "Present continuous: actions happening now"),
    ("p", "We use the present continuous for actions happening at the moment of speaking, and for temporary "
          "actions around now. The form is am / is / are + verb-ing."),
    ("bullets", [
        "Look! It is raining.",
        "Be quiet, please. The baby is sleeping.",
        "We are learning about festivals this week.",
    ]),
    ("table", [
        ["", "Form", "Example"],
        ["Positive", "am / is / are + verb-ing", "They are playing in the yard."],
        ["Negative", "am not / isn't / aren't + verb-ing", "He isn't watching TV."],
        ["Question", "Am / Is / Are + subject + verb-ing?", "Are you reading?"],
        ["Short answer", "Yes, I am. / No, I'm not.", "Yes, he is. / No, he isn't."],
    ]),
    ("h2", "Spelling: adding -ing"),
    ("bullets", [
        "Most verbs add -ing: read → reading, play → playing.",
        "Verbs ending in one -e drop the e: make → making, write → writing, ride → riding.",
        "One short vowel + one consonant: double the consonant: swim → swimming, run → running, sit → sitting.",
        "Verbs ending in -ie change ie to y: lie → lying, die → dying.",
    ]),
    ("h1", "Signal words for each tense"),
    ("table", [
        ["Present simple", "Present continuous"],
        ["always, usually, often, sometimes, rarely, never", "now, right now, at the moment"],
        ["every day, every week, on Mondays", "today, this week, this month"],
        ["once a week, twice a month", "Look! Listen! Be quiet!"],
    ]),
    ("p", "Adverbs of frequency such as always, usually and never go before the main verb but after be: "
          "\"She usually walks to school.\" \"He is never late.\""),
    ("h1", "Verbs we rarely use in the continuous"),
    ("p", "Some verbs describe states (feelings, thoughts, wanting, owning), not actions. We normally use them "
          "in the present simple, even when we talk about now: like, love, hate, want, need, know, understand, "
          "believe, remember, belong."),
    ("bullets", [
        "I know the answer. (not: I am knowing the answer.)",
        "Do you understand the question now? (not: Are you understanding …?)",
        "She wants a new bike. (not: She is wanting …)",
    ]),
    ("h1", "Comparing the two tenses"),
    ("p", "The two tenses often appear together: the present simple tells us what usually happens, and the "
          "present continuous tells us what is different now."),
    ("bullets", [
        "My father usually goes to work by motorbike, but today he is taking the bus because it is raining.",
        "Lan often plays badminton after school. Right now she is doing her homework.",
        "We don't usually have English on Fridays, but this week we are having an extra lesson.",
    ]),
    ("h1", "Common mistakes"),
    ("table", [
        ["Wrong", "Right"],
        ["She play football every Sunday.", "She plays football every Sunday."],
        ["Does he likes music?", "Does he like music?"],
        ["I am go to school now.", "I am going to school now."],
        ["They doesn't eat meat.", "They don't eat meat."],
        ["He is wanting an apple.", "He wants an apple."],
    ]),
    ("h1", "Practice exercises"),
    ("p", "Put the verbs in brackets in the present simple or the present continuous."),
    ("bullets", [
        "1. My mother (cook) dinner every evening.",
        "2. Look! The children (fly) kites in the park.",
        "3. We (not have) lessons on Sunday.",
        "4. Listen! Somebody (sing) in the next room.",
        "5. Water (boil) at 100 °C.",
        "6. Minh (study) in the library at the moment.",
    ]),
    ("h2", "Answer key"),
    ("p", "1. cooks  2. are flying  3. don't have  4. is singing  5. boils  6. is studying"),
]

# Slides: (title, body lines, speaker notes).
WEATHER_SLIDES = [
    ("Weather and hobbies", ["English for Grade 4: words and sentences",
                             "Talk about the weather and what you like doing"],
     "Gợi ý cho giáo viên: dùng bộ slide trong hai tiết. Tiết 1: từ vựng thời tiết (slide 2–4). "
     "Tiết 2: sở thích và khảo sát (slide 5–8)."),
    ("Weather words", ["sunny – có nắng", "rainy – có mưa", "cloudy – nhiều mây", "windy – có gió",
                       "stormy – có bão", "hot – nóng    cold – lạnh", "warm – ấm    cool – mát"],
     "Cho học sinh nhìn ra cửa sổ và nói thời tiết hôm nay. Chú ý: sun → sunny, rain → rainy, "
     "cloud → cloudy, wind → windy."),
    ("Asking about the weather", ["What's the weather like today? – It's sunny and hot.",
                                  "What's the weather like in Sa Pa? – It's cold and cloudy.",
                                  "Is it raining? – Yes, it is. / No, it isn't.",
                                  "Remember: It's + weather word (It's windy. It's cool.)"],
     "Luyện hỏi đáp theo cặp. Một bạn hỏi, một bạn nhìn tranh và trả lời."),
    ("Seasons in northern Viet Nam", ["spring: warm, with light rain (drizzle)",
                                      "summer: hot, with heavy rain and storms",
                                      "autumn: cool and pleasant",
                                      "winter: cold, sometimes very cold in the mountains",
                                      "In the south there are two seasons: the dry season and the rainy season."],
     "Hỏi học sinh: What's your favourite season? Why? Gợi ý trả lời: I like autumn because it's cool."),
    ("Hobby words", ["drawing – vẽ", "singing – hát", "dancing – nhảy múa", "reading books – đọc sách",
                     "playing football – đá bóng", "playing chess – chơi cờ", "swimming – bơi",
                     "riding a bike – đi xe đạp", "flying a kite – thả diều", "cooking – nấu ăn"],
     "Các từ chỉ sở thích ở dạng V-ing. Cho học sinh làm động tác, cả lớp đoán từ."),
    ("Talking about hobbies", ["What's your hobby? – My hobby is drawing.",
                               "What do you like doing? – I like swimming.",
                               "Do you like reading? – Yes, I do. / No, I don't.",
                               "Remember: like + verb-ing (I like dancing.)"],
     "Nhấn mạnh: sau like dùng V-ing. Sai: I like swim. Đúng: I like swimming."),
    ("Weather and what we do", ["When it's sunny, we fly kites in the park.",
                                "When it's rainy, I read books at home.",
                                "When it's hot, we go swimming.",
                                "When it's cold, my brother and I play chess inside."],
     "Học sinh hoàn thành câu: When it's windy, I …"),
    ("Your turn: a weather and hobby survey", ["Ask three friends:",
                                               "1. What's your hobby?",
                                               "2. What do you like doing when it's rainy?",
                                               "Write their answers in a table: Name | Hobby | Rainy day activity",
                                               "Then tell the class: Nam's hobby is … When it's rainy, he …"],
     "Cho học sinh 5 phút khảo sát, sau đó 2–3 em báo cáo trước lớp."),
]


# Listening dialogue: (speaker, espeak-ng voice, line). The speaker's name is written in the transcript.
MUSEUM_DIALOGUE = [
    ("Narrator", "en-gb", "Listening practice. Mai is visiting a new town. She wants to find the museum. "
                          "Listen to the dialogue."),
    ("Mai", "en-gb+f3", "Excuse me. Could you tell me the way to the museum, please?"),
    ("Man", "en-gb", "Sure. Go along this street and turn left at the crossroads."),
    ("Mai", "en-gb+f3", "Turn left at the crossroads. And then?"),
    ("Man", "en-gb", "Then go past the hospital. The museum is on your right, next to the bank."),
    ("Mai", "en-gb+f3", "Is it far from here?"),
    ("Man", "en-gb", "Not really. It's about fifteen minutes on foot. Or you can take the number three bus."),
    ("Mai", "en-gb+f3", "Where is the bus stop?"),
    ("Man", "en-gb", "It's just over there, in front of the bookshop."),
    ("Mai", "en-gb+f3", "Thank you very much."),
    ("Man", "en-gb", "You're welcome. Enjoy your visit!"),
]
SPEECH_RATE = 130  # words per minute: slow enough for grade 6 listening
PAUSE_SECONDS = 0.8


def build_pdf(blocks: list, path: Path, title: str) -> None:
    """Write a PDF with DejaVu Sans (it has every Vietnamese letter)."""
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1  # no creation date or random id in the file
    common.register_dejavu("DejaVu", "DejaVu-Bold")
    body = ParagraphStyle("body", fontName="DejaVu", fontSize=10.5, leading=15, spaceAfter=6)
    blank = ParagraphStyle("blank", parent=body, fontSize=2, leading=2, spaceAfter=0)
    styles = {
        "title": ParagraphStyle("title", fontName="DejaVu-Bold", fontSize=17, leading=22, spaceAfter=10),
        "h1": ParagraphStyle("h1", fontName="DejaVu-Bold", fontSize=13, leading=17, spaceBefore=10, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName="DejaVu-Bold", fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4),
        "p": body,
        "note": ParagraphStyle("note", parent=body, textColor=colors.HexColor("#444444"), fontSize=9.5),
    }
    story: list = []
    for kind, content in blocks:
        if kind == "table":
            table = Table([[Paragraph(_escape(c), body) for c in row] for row in content], repeatRows=1)
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f0e0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            story += [table, Spacer(1, 8)]
        elif kind == "bullets":
            story += [Paragraph(_escape(item), body) for item in content]
        else:
            if kind in ("h1", "h2"):
                # An empty line makes the text extractor start a new block at each heading.
                story.append(Paragraph("&nbsp;", blank))
            story.append(Paragraph(_escape(content), styles[kind]))
    doc = SimpleDocTemplate(str(path), pagesize=A4, title=title, author=common.AUTHOR,
                            leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm, bottomMargin=2 * cm)
    doc.build(story)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_audio(lines: list, path: Path, transcript: Path, title: str) -> bool:
    """Speak each line, join them with pauses into one Ogg Vorbis file and write its WebVTT; False if tools lack."""
    if not (shutil.which("espeak-ng") and shutil.which("oggenc")):
        print(f"skipped {path.name}: espeak-ng and oggenc (vorbis-tools) are needed")
        return False
    frames, cues, rate, position = [], [], None, PAUSE_SECONDS
    with tempfile.TemporaryDirectory() as tmp:
        for number, (speaker, voice, text) in enumerate(lines):
            part = Path(tmp) / f"{number}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(SPEECH_RATE), "-w", str(part), text], check=True)
            with wave.open(str(part)) as w:
                rate = rate or w.getframerate()
                pcm = w.readframes(w.getnframes())
                length = w.getnframes() / w.getframerate()
            silence = b"\x00\x00" * int(rate * PAUSE_SECONDS)
            frames.append((silence if number == 0 else b"") + pcm + silence)
            cues.append((position, position + length, f"{speaker}: {text}"))
            position += length + PAUSE_SECONDS
        joined = Path(tmp) / "all.wav"
        common.write_mono_wav(joined, rate, b"".join(frames))
        # A fixed serial number keeps the Ogg bytes the same from one build to the next.
        subprocess.run(["oggenc", "--quiet", "-q", "0", "--serial", "20250101", "-t", title,
                        "-o", str(path), str(joined)], check=True)
    body = "\n".join(f"{common.vtt_time(a)} --> {common.vtt_time(b)}\n{text}\n" for a, b, text in cues)
    transcript.write_text(f"WEBVTT - {title}\n\n{body}", encoding="utf-8")
    return True


def main() -> None:
    """Build every binary material of the English pack and print each file's size."""
    OUT.mkdir(parents=True, exist_ok=True)
    outputs = [
        (OUT / "tea-hills-reading.pdf", lambda p: build_pdf(TEA_READING, p, TEA_READING[0][1])),
        (OUT / "present-simple-and-continuous.docx",
         lambda p: common.build_docx(PRESENT_TENSES, p, PRESENT_TENSES[0][1])),
        (OUT / "weather-and-hobbies.pptx", lambda p: common.build_pptx(WEATHER_SLIDES, p, "Weather and hobbies")),
    ]
    for path, build in outputs:
        build(path)
        print(f"{path.relative_to(common.ROOT)}: {path.stat().st_size // 1024} KB")
    audio = OUT / "finding-the-museum.ogg"
    if build_audio(MUSEUM_DIALOGUE, audio, audio.with_suffix(".vtt"), "Listening: Finding the museum"):
        print(f"{audio.relative_to(common.ROOT)}: {audio.stat().st_size // 1024} KB (+ .vtt transcript)")


if __name__ == "__main__":
    main()
