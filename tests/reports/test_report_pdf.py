"""The PDF export: a PDF whose text (read back with pypdf) holds the administrative heading, the unit's name in
Vietnamese with its diacritics, the reasoned numbers (see conftest.py) and the signature block."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from lms_core.i18n import translations, use_locale
from lms_core.plugins.host import PluginHost
from lms_core.reports import content, pdf

pytestmark = pytest.mark.db
VI_FORM = translations("vi").gettext(content.NATION) != content.NATION


def text_of(db: Session, actor, kind: str, unit_id: int, locale: str, host=None) -> tuple[bytes, str]:  # noqa: ANN001
    with use_locale(locale):
        report = content.build(db=db, actor=actor, host=host or PluginHost(load_entry_points=False), kind=kind,
                               unit_id=unit_id, year_id=_year(db), period="year",
                               today=date(2026, 1, 5))
        data = pdf.document(report)
    return data, "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _year(db: Session) -> int:
    from lms_core.org.service import current_year

    return current_year(db=db).id


def test_a_vietnamese_pdf_keeps_the_diacritics_of_the_unit_and_the_form(db: Session, report_plans) -> None:
    world = report_plans
    data, text = text_of(db, world.school_admin, "school", world.school.id, "vi")
    assert data.startswith(b"%PDF")
    assert "TRƯỜNG THCS A" in text and "Trường THCS A" in text and "Tiếng Anh" in text
    assert "ỦY BAN" in text or "XÃ MỘT" in text  # the body above the school, in capitals with diacritics
    with use_locale("vi"):
        from lms_core.i18n import gettext

        assert gettext(content.NATION).upper() in text and gettext(content.MOTTO) in text
    assert "2,9 %" in text and "10,0 %" in text and "7,1" in text  # written the Vietnamese way
    assert "Một, " in text


@pytest.mark.skipif(not VI_FORM, reason="the Vietnamese catalogue has no translation of the administrative form's "
                                        "words yet (msgids are English; the lead adds the Vietnamese)")
def test_the_vietnamese_pdf_has_the_national_motto(db: Session, report_plans) -> None:
    world = report_plans
    _, text = text_of(db, world.school_admin, "school", world.school.id, "vi")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "BÁO CÁO" in text and "HIỆU TRƯỞNG" in text


def test_an_english_pdf_of_a_province_has_every_section_and_the_signature(db: Session, report_plans, usage,
                                                                        report_host) -> None:
    world = report_plans
    data, text = text_of(db, world.province_staff, "province", world.province.id, "en", report_host)
    flat = " ".join(text.split())
    assert "SOCIALIST REPUBLIC OF VIET NAM" in flat and "Independence - Freedom - Happiness" in flat
    assert "DEPARTMENT OF EDUCATION AND TRAINING OF MỘT" in flat and "Một, January 5, 2026" in flat
    assert "REPORT" in flat and "No.: ..../BC-SGDĐT" in flat
    for title in ("1. The online share of curriculum periods", "2. Shared repository coverage of the curriculum",
                  "3. Use of the platform", "4. Digital materials made by the schools", "5. Use of the AI tutor"):
        assert title in flat, title
    assert "The online share is 7.1%, against a target of 10.0%: 2.9 percentage points short." in flat
    assert "Trường THCS A 2.9% 10.0% 7.1" in flat  # the school below the target, with its gap
    assert "Recipients:" in flat and "DIRECTOR" in flat and "(Signature, full name and seal)" in flat
    assert flat.index("5. Use of the AI tutor") < flat.index("Recipients:")
