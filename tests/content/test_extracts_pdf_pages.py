"""A PDF gives its text page by page, each section addressed by its page number."""

from __future__ import annotations

import unicodedata

import pytest

from content.ingest import FileType, extract
from content.ingest.extract_pdf import BROKEN_PDF, ENCRYPTED_PDF
from lms_core.errors import Invalid


def test_each_page_keeps_its_number_and_empty_pages_are_skipped(fixture_bytes) -> None:
    sections = extract(fixture_bytes("water_rocket.pdf"), FileType.pdf)
    assert [s.address.page for s in sections] == [1, 2, 3, 5]
    assert {s.kind for s in sections} == {"page"}
    third = sections[2]
    assert third.text.startswith("Các bước tiến hành")
    assert "Bơm không khí vào chai cho đến khi nút bật ra" in third.text
    assert third.address.label() == "Trang 3"
    assert third.address.label("en") == "Page 3"
    assert sections[3].text.startswith("Câu hỏi thảo luận")


def test_pdf_text_is_composed_vietnamese(fixture_bytes) -> None:
    sections = extract(fixture_bytes("water_rocket.pdf"), FileType.pdf)
    assert sections[0].text.startswith("Thí nghiệm STEM: Tên lửa nước")
    assert all(unicodedata.is_normalized("NFC", s.text) for s in sections)


def test_a_broken_pdf_is_invalid_with_a_message(fixture_bytes) -> None:
    with pytest.raises(Invalid) as refused:
        extract(fixture_bytes("broken.pdf"), FileType.pdf)
    assert refused.value.message == BROKEN_PDF
    with pytest.raises(Invalid):
        extract(b"%PDF-1.4\n", FileType.pdf)


def test_a_password_protected_pdf_is_invalid(fixture_bytes) -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(fixture_bytes("water_rocket.pdf"))))
    writer.encrypt(user_password="bi-mat", owner_password="chu", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(Invalid) as refused:
        extract(buffer.getvalue(), FileType.pdf)
    assert refused.value.message == ENCRYPTED_PDF


def test_a_pdf_encrypted_without_user_password_is_read(fixture_bytes) -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(fixture_bytes("water_rocket.pdf"))))
    writer.encrypt(user_password="", owner_password="chu", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert [s.address.page for s in extract(buffer.getvalue(), FileType.pdf)] == [1, 2, 3, 5]
