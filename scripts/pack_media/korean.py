"""Build the binary materials of the Korean pack (WAV + WebVTT, DOCX, PPTX) from the text written here.

Run from the repository root: `.venv/bin/python scripts/pack_media/korean.py`. The files land in
content/packs/korean/materials/. The audio is spoken by espeak-ng (voices "ko" and "vi"); when espeak-ng
is missing the script says so and builds the documents only, never a placeholder sound. Office files get
fixed dates and zip entry times, so running the script again without changing the text gives the same bytes.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import common

OUT = common.materials_dir("korean")

# ---------------------------------------------------------------------------------------------------------
# Audio: "Chào hỏi bằng tiếng Hàn". One cue per phrase: the Korean phrase, a short pause, its Vietnamese
# meaning. Each entry: (Korean text or None, romanisation, Vietnamese text spoken and shown).
# ---------------------------------------------------------------------------------------------------------

AUDIO_RATE = 16_000
LEAD_IN_S = 0.3
MAX_BYTES = 1_500_000
GAP_INSIDE_S = 0.4  # between the Korean phrase and its meaning
GAP_BETWEEN_S = 0.8  # between two cues: time for the listener to repeat
KO_SPEED = 125  # words per minute, slower than espeak's 175 for beginners
VI_SPEED = 170

GREETINGS = [
    (None, "", "Chào hỏi bằng tiếng Hàn. Nghe và nhắc lại."),
    ("안녕하세요", "annyeonghaseyo", "Xin chào."),
    ("안녕하십니까", "annyeonghasimnikka", "Xin chào, rất trang trọng."),
    ("안녕", "annyeong", "Chào bạn thân."),
    ("처음 뵙겠습니다", "cheoeum boepgetseumnida", "Lần đầu được gặp."),
    ("만나서 반갑습니다", "mannaseo bangapseumnida", "Rất vui được gặp bạn."),
    ("제 이름은 마이입니다", "je ireumeun maiimnida", "Tên tôi là Mai."),
    ("저는 베트남 사람이에요", "jeoneun beteunam saramieyo", "Tôi là người Việt Nam."),
    ("잘 부탁합니다", "jal butakamnida", "Mong bạn giúp đỡ."),
    ("안녕히 가세요", "annyeonghi gaseyo", "Tạm biệt, nói với người ra về."),
    ("안녕히 계세요", "annyeonghi gyeseyo", "Tạm biệt, nói với người ở lại."),
]


def speak(text: str, voice: str, speed: int):
    """Return espeak-ng's speech for a text as 16 kHz mono int16 samples (a numpy array)."""
    import numpy as np

    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
                         check=True, capture_output=True).stdout
    with wave.open(io.BytesIO(wav)) as reader:
        rate, channels, width = reader.getframerate(), reader.getnchannels(), reader.getsampwidth()
        frames = reader.readframes(reader.getnframes())
    if channels != 1 or width != 2:
        raise RuntimeError(f"espeak-ng gave {channels} channel(s) of {width} bytes; expected mono 16-bit")
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64)
    samples = trim_silence(samples)
    return resample(samples, rate, AUDIO_RATE)


def trim_silence(samples, threshold: float = 200.0):
    """Drop the near-silent samples espeak-ng leaves before and after the speech."""
    import numpy as np

    loud = np.flatnonzero(np.abs(samples) > threshold)
    return samples[loud[0]:loud[-1] + 1] if loud.size else samples[:0]


def resample(samples, source_rate: int, target_rate: int):
    """Resample with a windowed-sinc low-pass (against aliasing) and linear interpolation."""
    import numpy as np

    if source_rate == target_rate:
        return np.clip(np.round(samples), -32768, 32767).astype("<i2")
    cutoff = 0.45 * min(source_rate, target_rate) / source_rate  # cycles per source sample
    taps = np.arange(-64, 65)
    kernel = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.hamming(taps.size)
    filtered = np.convolve(samples, kernel / kernel.sum(), mode="same")
    count = int(len(samples) * target_rate / source_rate)
    positions = np.arange(count) * (source_rate / target_rate)
    out = np.interp(positions, np.arange(len(samples)), filtered)
    return np.clip(np.round(out), -32768, 32767).astype("<i2")


def build_audio(wav_path: Path, vtt_path: Path) -> None:
    """Speak each greeting, join them with silences into one WAV, and write the cues' exact times."""
    import numpy as np

    def silence(seconds: float):
        return np.zeros(int(seconds * AUDIO_RATE), dtype="<i2")

    parts = [silence(LEAD_IN_S)]
    position = len(parts[0])
    cues = ["WEBVTT", "Kind: captions", "Language: vi", ""]
    for number, (korean, roman, meaning) in enumerate(GREETINGS, start=1):
        pieces = [speak(korean, "ko", KO_SPEED), silence(GAP_INSIDE_S)] if korean else []
        pieces.append(speak(meaning, "vi", VI_SPEED))
        start, length = position, sum(len(p) for p in pieces)
        text = f"{korean} ({roman}) – {meaning}" if korean else meaning
        timing = f"{common.vtt_time(start, AUDIO_RATE)} --> {common.vtt_time(start + length, AUDIO_RATE)}"
        cues += [str(number), timing, text, ""]
        gap = silence(GAP_BETWEEN_S)
        parts += pieces + [gap]
        position += length + len(gap)
    samples = np.concatenate(parts)
    if samples.nbytes > MAX_BYTES:
        raise RuntimeError(f"the greetings audio is {samples.nbytes} bytes; shorten it below {MAX_BYTES}")
    common.write_mono_wav(wav_path, AUDIO_RATE, samples.tobytes())
    vtt_path.write_text("\n".join(cues), encoding="utf-8")


# ---------------------------------------------------------------------------------------------------------
# DOCX: a shopping worksheet (grade 7), as blocks (see common.py).
# ---------------------------------------------------------------------------------------------------------

SHOPPING = [
    ("title", "Phiếu học tập: Mua sắm bằng tiếng Hàn"),
    ("note", "Tiếng Hàn – Ngoại ngữ 2, lớp 7. Hướng dẫn: học từ vựng và cách đọc giá tiền, đọc hội thoại ở "
             "cửa hàng tiện lợi, trả lời câu hỏi, rồi đóng vai với bạn. Phiên âm theo cách phiên âm La-tinh "
             "chuẩn của Hàn Quốc (Revised Romanization)."),
    ("h1", "Từ vựng: cửa hàng và giá tiền"),
    ("table", [
        ["Tiếng Hàn", "Phiên âm", "Nghĩa"],
        ["가게", "gage", "cửa hàng"],
        ["편의점", "pyeonuijeom", "cửa hàng tiện lợi"],
        ["시장", "sijang", "chợ"],
        ["돈", "don", "tiền"],
        ["원", "won", "won (đơn vị tiền Hàn Quốc)"],
        ["얼마", "eolma", "bao nhiêu (tiền)"],
        ["사다 / 사요", "sada / sayo", "mua"],
        ["팔다 / 팔아요", "palda / parayo", "bán"],
        ["비싸요", "bissayo", "đắt"],
        ["싸요", "ssayo", "rẻ"],
        ["영수증", "yeongsujeung", "hoá đơn"],
        ["봉투", "bongtu", "cái túi đựng hàng"],
    ]),
    ("h1", "Đọc giá tiền bằng số Hán Hàn"),
    ("p", "Giá tiền luôn đọc bằng số Hán Hàn. Nhớ: 100 = 백 (baek), 1.000 = 천 (cheon), 10.000 = 만 (man); "
          "không nói 일천 hay 일만."),
    ("table", [
        ["Giá", "Tiếng Hàn", "Phiên âm"],
        ["500 won", "오백 원", "obaek won"],
        ["1.000 won", "천 원", "cheon won"],
        ["1.500 won", "천오백 원", "cheonobaek won"],
        ["3.000 won", "삼천 원", "samcheon won"],
        ["10.000 won", "만 원", "man won"],
        ["25.000 won", "이만 오천 원", "iman ocheon won"],
    ]),
    ("h1", "Hội thoại ở cửa hàng tiện lợi"),
    ("p", "Bạn Nam (học sinh Việt Nam đang ở Hàn Quốc) mua đồ ăn sáng ở cửa hàng tiện lợi."),
    ("table", [
        ["Người nói", "Tiếng Hàn", "Nghĩa"],
        ["Nhân viên", "어서 오세요.", "Xin mời vào."],
        ["Nam", "이 우유 얼마예요?", "Hộp sữa này bao nhiêu tiền?"],
        ["Nhân viên", "천오백 원이에요.", "1.500 won."],
        ["Nam", "그럼 우유 하나하고 빵 두 개 주세요.", "Vậy cho cháu một hộp sữa và hai cái bánh mì."],
        ["Nhân viên", "빵은 하나에 천 원이에요. 모두 삼천오백 원이에요.",
         "Bánh mì một nghìn won một cái. Tất cả là 3.500 won."],
        ["Nam", "카드 돼요?", "Trả bằng thẻ được không ạ?"],
        ["Nhân viên", "네, 돼요. 봉투 필요하세요?", "Vâng, được. Cháu có cần túi không?"],
        ["Nam", "아니요, 괜찮아요. 감사합니다.", "Không cần ạ. Cháu cảm ơn."],
    ]),
    ("p", "Phiên âm: Eoseo oseyo. / I uyu eolmayeyo? / Cheonobaek wonieyo. / Geureom uyu hanahago ppang du gae "
          "juseyo. / Ppangeun hanae cheon wonieyo. Modu samcheonobaek wonieyo. / Kadeu dwaeyo? / Ne, dwaeyo. "
          "Bongtu piryohaseyo? / Aniyo, gwaenchanayo. Gamsahamnida."),
    ("h1", "Mẫu câu cần nhớ khi mua hàng"),
    ("bullets", [
        "N + 얼마예요? (eolmayeyo) – N bao nhiêu tiền?",
        "N + 주세요 (juseyo) – Cho tôi N.",
        "N1 + 하고 (hago) + N2 – N1 và N2: 우유하고 빵 (sữa và bánh mì).",
        "하나에 (hanae) – mỗi cái: 하나에 천 원 (một nghìn won một cái).",
        "모두 (modu) – tất cả, tổng cộng: 모두 삼천오백 원 (tổng cộng 3.500 won).",
        "카드 돼요? (kadeu dwaeyo?) – Trả bằng thẻ được không?",
    ]),
    ("h1", "Câu hỏi đọc hiểu"),
    ("bullets", [
        "1. Hộp sữa giá bao nhiêu tiền?",
        "2. Nam mua mấy cái bánh mì?",
        "3. Nam phải trả tổng cộng bao nhiêu tiền?",
        "4. Nam trả tiền bằng cách nào?",
        "5. Nam có lấy túi đựng hàng không? Nam trả lời bằng câu nào?",
    ]),
    ("h2", "Đáp án"),
    ("bullets", [
        "1. 1.500 won (천오백 원).",
        "2. Hai cái (빵 두 개).",
        "3. 3.500 won (삼천오백 원): 1.500 won tiền sữa và 2.000 won tiền hai cái bánh mì.",
        "4. Bằng thẻ: Nam hỏi 카드 돼요? và nhân viên trả lời 네, 돼요.",
        "5. Không. Nam nói 아니요, 괜찮아요 (Không cần ạ).",
    ]),
    ("h1", "Đóng vai: em đi mua đồ dùng học tập"),
    ("p", "Làm việc theo cặp. Một bạn là người bán, một bạn là khách. Khách mua hai món trong danh sách và hỏi "
          "giá từng món; người bán tính tổng tiền. Giá gợi ý: 공책 (vở) 1.000 won, 연필 (bút chì) 500 won, "
          "지우개 (tẩy) 700 won, 볼펜 (bút bi) 1.200 won. Nhớ chào khi vào và khi ra về: 안녕하세요, "
          "안녕히 계세요."),
]

# ---------------------------------------------------------------------------------------------------------
# PPTX: a quick review of the Hangul alphabet (grade 6), as slides (see common.py).
# ---------------------------------------------------------------------------------------------------------

HANGUL_SLIDES = [
    ("Ôn tập nhanh bảng chữ Hangul", ["Tiếng Hàn – Ngoại ngữ 2, lớp 6",
                                      "40 chữ: 21 nguyên âm và 19 phụ âm"],
     "Gợi ý cho giáo viên: dùng bộ slide để ôn tập cuối chủ đề Hangul trong một tiết. Mỗi slide cho học "
     "sinh đọc to theo cả lớp, sau đó gọi từng em."),
    ("Mười nguyên âm cơ bản", ["ㅏ a    ㅑ ya    ㅓ eo    ㅕ yeo    ㅗ o",
                               "ㅛ yo    ㅜ u    ㅠ yu    ㅡ eu    ㅣ i",
                               "Nguyên âm đứng (ㅏ ㅑ ㅓ ㅕ ㅣ) viết bên phải phụ âm: 가, 너",
                               "Nguyên âm nằm (ㅗ ㅛ ㅜ ㅠ ㅡ) viết bên dưới phụ âm: 고, 누"],
     "Nhắc lại: thêm một nét ngắn thì có âm y ở đầu: ㅏ → ㅑ, ㅓ → ㅕ, ㅗ → ㅛ, ㅜ → ㅠ."),
    ("Mười một nguyên âm ghép", ["ㅐ ae    ㅒ yae    ㅔ e    ㅖ ye",
                                  "ㅘ wa    ㅙ wae    ㅚ oe",
                                  "ㅝ wo    ㅞ we    ㅟ wi    ㅢ ui",
                                  "ㅐ và ㅔ ngày nay đọc gần giống nhau, nhưng viết phải đúng chữ"],
     "Cho học sinh tìm hai nguyên âm cơ bản tạo nên mỗi nguyên âm ghép, ví dụ ㅘ = ㅗ + ㅏ."),
    ("Mười bốn phụ âm cơ bản", ["ㄱ g/k    ㄴ n    ㄷ d/t    ㄹ r/l    ㅁ m",
                                "ㅂ b/p    ㅅ s    ㅇ câm/ng    ㅈ j    ㅊ ch",
                                "ㅋ k    ㅌ t    ㅍ p    ㅎ h",
                                "ㅇ đứng đầu âm tiết thì không đọc; đứng cuối đọc là ng"],
     "Đọc theo thứ tự từ điển: 가 나 다 라 마 바 사 아 자 차 카 타 파 하."),
    ("Âm thường, âm bật hơi, âm căng", ["Thường: ㄱ ㄷ ㅂ ㅈ ㅅ",
                                         "Bật hơi: ㅋ ㅌ ㅍ ㅊ",
                                         "Căng: ㄲ ㄸ ㅃ ㅉ ㅆ",
                                         "달 (mặt trăng) – 탈 (mặt nạ) – 딸 (con gái)",
                                         "불 (lửa) – 풀 (cỏ) – 뿔 (sừng)"],
     "Trò chơi tờ giấy: đặt tờ giấy mỏng trước miệng; khi đọc âm bật hơi tờ giấy rung, âm căng thì không."),
    ("Bốn kiểu ghép âm tiết", ["Phụ âm + nguyên âm đứng: 가 (ga)",
                               "Phụ âm + nguyên âm nằm: 고 (go)",
                               "Phụ âm + nguyên âm ghép: 과 (gwa)",
                               "Phụ âm + nguyên âm + batchim: 강 (gang), 산 (san), 물 (mul)"],
     "Cho học sinh tách chữ: 한 = ㅎ + ㅏ + ㄴ; 국 = ㄱ + ㅜ + ㄱ."),
    ("Bảy âm cuối của batchim", ["[k]: ㄱ ㅋ ㄲ – 책 (chaek)",
                                 "[n]: ㄴ – 산 (san)    [l]: ㄹ – 물 (mul)",
                                 "[t]: ㄷ ㅅ ㅆ ㅈ ㅊ ㅌ ㅎ – 옷 (ot), 꽃 (kkot)",
                                 "[m]: ㅁ – 밤 (bam)    [p]: ㅂ ㅍ – 밥 (bap)",
                                 "[ng]: ㅇ – 강 (gang)"],
     "Nhấn mạnh: nhiều chữ khác nhau ở vị trí batchim đọc chung một âm; phiên âm ghi theo cách đọc."),
    ("Thử thách: đọc các từ sau", ["한국    베트남    서울    하노이",
                                   "김치    학교    우유    친구"],
     "Đáp án: 한국 Hanguk (Hàn Quốc), 베트남 Beteunam (Việt Nam), 서울 Seoul, 하노이 Hanoi (Hà Nội), "
     "김치 gimchi (kim chi), 학교 hakgyo (trường học), 우유 uyu (sữa), 친구 chingu (bạn)."),
]


def main() -> None:
    """Build every binary material of the Korean pack and print each file's size."""
    OUT.mkdir(parents=True, exist_ok=True)
    common.build_docx(SHOPPING, OUT / "phieu-hoc-tap-mua-sam.docx", SHOPPING[0][1])
    common.build_pptx(HANGUL_SLIDES, OUT / "on-tap-bang-chu-hangul.pptx", HANGUL_SLIDES[0][0])
    built = [OUT / "phieu-hoc-tap-mua-sam.docx", OUT / "on-tap-bang-chu-hangul.pptx"]
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed: the greetings audio was not built (apt-get install espeak-ng)",
              file=sys.stderr)
    else:
        build_audio(OUT / "chao-hoi-bang-tieng-han.wav", OUT / "chao-hoi-bang-tieng-han.vtt")
        built += [OUT / "chao-hoi-bang-tieng-han.wav", OUT / "chao-hoi-bang-tieng-han.vtt"]
    for path in built:
        print(f"{path.relative_to(common.ROOT)}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
