"""Question text rendering: Markdown with LaTeX maths turned into MathML on the server, sanitised so only
text structure and latex2mathml's MathML survive; money is not maths; plain text keeps the LaTeX."""

from __future__ import annotations

import time
from html.parser import HTMLParser

import pytest

from lms_core.assessment.render import (
    MATHML_ATTRIBUTES,
    MATHML_TAGS,
    TEXT_ATTRIBUTES,
    TEXT_TAGS,
    plain_text,
    render_question_text,
    sanitize,
)


def _elements(html: str) -> list[tuple[str, dict[str, str]]]:
    """Return the elements of an HTML fragment with their attributes, in document order."""
    found: list[tuple[str, dict[str, str]]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, {k: v or "" for k, v in attrs}))

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.handle_starttag(tag, attrs)

    Parser().feed(html)
    return found


def _tags(html: str) -> list[str]:
    return [tag for tag, _ in _elements(html)]


def _only_allowed(html: str) -> None:
    for tag, attrs in _elements(html):
        assert tag in TEXT_TAGS | MATHML_TAGS, tag
        allowed = MATHML_ATTRIBUTES if tag in MATHML_TAGS else TEXT_ATTRIBUTES.get(tag, set()) | {"rel"}
        assert set(attrs) <= allowed, (tag, attrs)


def test_fractions_render_as_mathml() -> None:
    html = render_question_text("Tính $\\frac{3}{4} + \\dfrac{1}{2}$.")
    assert html.startswith("<p>Tính <math")
    assert _tags(html).count("mfrac") == 2
    assert "<mn>3</mn>" in html and "<mn>4</mn>" in html
    assert html.endswith(".</p>\n")
    _only_allowed(html)


def test_square_and_nth_roots_render_as_mathml() -> None:
    html = render_question_text("Rút gọn $\\sqrt{8}$ và $\\sqrt[3]{27}$.")
    tags = _tags(html)
    assert "msqrt" in tags and "mroot" in tags
    assert "<mn>27</mn>" in html
    _only_allowed(html)


def test_subscripts_and_superscripts_render_as_mathml() -> None:
    html = render_question_text("Cho $x_1^2 + x_2^2 = a_n$ và $e^{x}$.")
    tags = _tags(html)
    assert tags.count("msubsup") == 2
    assert "msub" in tags and "msup" in tags
    _only_allowed(html)


def test_a_matrix_in_display_maths_renders_as_a_mathml_table() -> None:
    text = "Cho ma trận\n\n$$\n\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}\n$$\n\nTính định thức."
    html = render_question_text(text)
    elements = _elements(html)
    maths = [attrs for tag, attrs in elements if tag == "math"]
    assert maths == [{"display": "block"}]
    assert [tag for tag, _ in elements].count("mtr") == 2
    assert [tag for tag, _ in elements].count("mtd") == 4
    assert html.startswith("<p>Cho ma trận</p>") and html.rstrip().endswith("<p>Tính định thức.</p>")
    _only_allowed(html)


def test_inline_display_maths_and_display_blocks_after_a_line_of_text() -> None:
    inline = _elements(render_question_text("Biết $$S = \\pi r^2$$ với $r = 2$."))
    assert [attrs["display"] for tag, attrs in inline if tag == "math"] == ["block", "inline"]
    block = render_question_text("Giải phương trình\n$$x^2 - 5x + 6 = 0$$")
    assert block.startswith("<p>Giải phương trình</p>")
    assert '<math display="block">' in block


def test_maths_in_a_list_and_a_table_is_rendered() -> None:
    html = render_question_text("1. $a^2$\n2. $b^2$\n\n| x | $\\sqrt{x}$ |\n|:-:|--:|\n| 4 | 2 |")
    tags = _tags(html)
    assert tags.count("msup") == 2 and "msqrt" in tags and "table" in tags
    _only_allowed(html)


@pytest.mark.parametrize("text", [
    "Một quyển sách giá 50.000$, một cây bút giá 5$.",
    "Giá chè búp Tân Cương là 20$/kg, chè cành 30$/kg.",
    "Bạn Lan có $5 và bạn Minh có $10.",
    "Tiền vé: \\$15 một người, \\$40 một gia đình.",
])
def test_money_in_a_vietnamese_sentence_is_not_maths(text: str) -> None:
    html = render_question_text(text)
    assert "<math" not in html
    assert html == f"<p>{text.replace(chr(92) + '$', '$')}</p>\n"


def test_an_escaped_dollar_inside_maths_does_not_close_it() -> None:
    html = render_question_text("Giá là $x \\$ + 1$ đồng.")
    assert html.count("<math") == 1
    assert html.endswith(" đồng.</p>\n")


def test_invalid_latex_shows_its_source_escaped_not_an_error() -> None:
    html = render_question_text("Sai: $\\frac{<b>1</b>}{$ và $x^$ rồi $\\begin{matrix} 1$.")
    assert "<math" not in html and "<b>" not in html
    assert "$\\frac{&lt;b&gt;1&lt;/b&gt;}{$" in html
    assert "$x^$" in html and "$\\begin{matrix} 1$" in html


def test_deep_nesting_and_long_input_do_not_blow_up() -> None:
    started = time.monotonic()
    nested = render_question_text("$" + "{" * 3000 + "x" + "}" * 3000 + "$")
    assert "<math" not in nested and nested.startswith("<p>${{{")
    openers = render_question_text("$a " * 30000)
    assert "<math" not in openers
    brackets = render_question_text("[" * 5000 + "$x$" + "]" * 5000)
    assert brackets.count("<math") == 1
    # Generous bound: the point is that hostile input is linear-ish, not quadratic (minutes).
    assert time.monotonic() - started < 30


def test_scripts_event_handlers_and_javascript_urls_are_removed() -> None:
    text = (
        "<script>alert(1)</script> <img src=x onload=alert(1)> [bấm](javascript:alert(1)) "
        "![ảnh](javascript:alert(2)) [trang](https://moet.gov.vn) "
        "$\\href{javascript:alert(3)}{x}$ $\\style{background:url(javascript:alert(4))}{y}$ "
        "$\\class{evil}{z}$ $\\color{javascript:alert(5)}{w}$ $\\color{red}{v}$"
    )
    html = render_question_text(text)
    elements = _elements(html)
    assert "script" not in _tags(html) and "img" not in _tags(html)
    assert all("on" + "load" not in attrs and "style" not in attrs and "class" not in attrs for _, attrs in elements)
    assert [attrs["href"] for tag, attrs in elements if tag == "a"] == ["https://moet.gov.vn"]
    assert all("javascript" not in value for _, attrs in elements for value in attrs.values())
    # Raw HTML and refused images are shown as text, not dropped: the reader still sees what was written.
    assert "&lt;script&gt;" in html and "ảnh" in html
    assert [attrs.get("mathcolor") for tag, attrs in elements if tag == "mstyle"] == [None, "red"]
    _only_allowed(html)


def test_images_come_only_from_the_web_or_our_own_files() -> None:
    html = render_question_text("![hình 1](https://example.org/h1.png) ![hình 2](/question-images/ab12.png) "
                                "![hình 3](data:image/png;base64,AAAA) ![hình 4](file:///etc/passwd) ![hình 5](/../x.png)")
    sources = [attrs["src"] for tag, attrs in _elements(html) if tag == "img"]
    assert sources == ["https://example.org/h1.png", "/question-images/ab12.png"]
    assert "hình 3" in html and "hình 4" in html and "hình 5" in html


def test_hostile_mathml_is_sanitised_to_latex2mathml_elements_and_values() -> None:
    html = sanitize(
        '<math><mi onclick="alert(1)" href="javascript:alert(2)">x</mi>'
        '<maction actiontype="statusline"><mtext>a</mtext></maction>'
        '<mtext><script>alert(3)</script><iframe src="https://e.org"></iframe></mtext>'
        '<mstyle mathcolor="red;background:url(x)" mathsize="1.2em"><mn>1</mn></mstyle>'
        '<mspace width="expression(alert(4))"/><annotation-xml encoding="text/html"><img src=x onerror=alert(5)></annotation-xml>'
        '<semantics><mi>y</mi></semantics></math>'
    )
    elements = _elements(html)
    _only_allowed(html)
    assert {"maction", "script", "iframe", "annotation-xml", "semantics"}.isdisjoint(_tags(html))
    assert "alert(3)" not in html
    assert [attrs for tag, attrs in elements if tag in ("mi", "mstyle", "mspace")] == [{}, {"mathsize": "1.2em"}, {}, {}]


def test_code_keeps_dollars_as_code() -> None:
    html = render_question_text("Trong Python viết `f\"${x}$\"`.")
    assert "<math" not in html and "<code>" in html


def test_headings_are_not_made_in_question_text() -> None:
    html = render_question_text("# Câu 1\n\nNội dung")
    assert "h1" not in _tags(html) and "<p># Câu 1</p>" in html


def test_plain_text_drops_formatting_and_keeps_maths_as_latex() -> None:
    text = "**Cho** hàm số $y = \\frac{1}{x}$ và *đồ thị*:\n\n$$\n\\lim_{x \\to 0^+} y\n$$\n\n1. Tìm $y'$.\n2. Vẽ ![đồ thị](https://e.org/a.png)."
    assert plain_text(text) == (
        "Cho hàm số $y = \\frac{1}{x}$ và đồ thị:\n$$\n\\lim_{x \\to 0^+} y\n$$\n1. Tìm $y'$.\n2. Vẽ đồ thị."
    )


def test_plain_text_of_money_and_escaped_dollars_reads_as_written() -> None:
    assert plain_text("Giá 50.000$ và \\$5.") == "Giá 50.000$ và $5."
    assert plain_text("| a | b |\n|---|---|\n| $x$ | 2 |") == "a | b\n$x$ | 2"
    assert plain_text("- một\n- hai") == "- một\n- hai"
    assert plain_text("") == ""
