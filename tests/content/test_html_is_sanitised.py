"""HTML is reduced to safe structure before it is rendered or read; Vietnamese text survives."""

from __future__ import annotations

import unicodedata

from content.ingest.extract_markdown_html import sanitize_html


def test_scripts_styles_and_frames_go_with_their_content(fixture_bytes) -> None:
    clean = sanitize_html(fixture_bytes("tea_festival.html").decode())
    for gone in ("<script", "stolen", "<style", "color: red", "<iframe", "evil.example", "Nội dung khung ẩn",
                 "<title"):
        assert gone not in clean


def test_event_handlers_and_javascript_urls_are_removed(fixture_bytes) -> None:
    clean = sanitize_html(fixture_bytes("tea_festival.html").decode())
    for gone in ("onerror", "onload", "onclick", "javascript:", "target="):
        assert gone not in clean.lower()
    assert '<img src="https://example.org/hoi-tra.jpg" alt="Nghệ nhân pha trà">' in clean
    assert '<a href="/hoc-lieu/che" rel="noopener noreferrer">bài học về chè</a>' in clean


def test_vietnamese_text_is_kept_intact(fixture_bytes) -> None:
    clean = sanitize_html(fixture_bytes("tea_festival.html").decode())
    assert "<h1>Lễ hội trà Thái Nguyên</h1>" in clean
    assert "<td>Khai mạc và thi pha trà</td>" in clean
    assert unicodedata.is_normalized("NFC", clean)


def test_tricky_urls() -> None:
    clean = sanitize_html(
        '<a href=" JaVaScRiPt:alert(1)">a</a><a href="data:text/html,<script>x</script>">b</a>'
        '<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="svg"><img src="data:image/png;base64,iVBO" alt="png">'
        '<img src="vbscript:x" alt="vb"><a href="mailto:thuvien@truong.edu.vn">thư viện</a>'
    )
    assert "javascript" not in clean.lower() and "data:text" not in clean and "svg+xml" not in clean
    assert "vbscript" not in clean
    assert 'src="data:image/png;base64,iVBO"' in clean
    assert 'href="mailto:thuvien@truong.edu.vn"' in clean


def test_only_the_allow_list_survives() -> None:
    clean = sanitize_html(
        '<form action="/x"><input name="p"><button>Gửi</button></form><object data="x.swf">flash</object>'
        '<p style="position:fixed" class="x" id="y">Đoạn văn</p><embed src="x"><base href="https://evil/">'
        '<meta http-equiv="refresh" content="0;url=https://evil/"><blockquote>Trích dẫn</blockquote>'
    )
    assert clean == "Gửi<p>Đoạn văn</p><blockquote>Trích dẫn</blockquote>"
