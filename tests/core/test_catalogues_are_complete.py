"""Every user-facing message is translated into Vietnamese and English; placeholders survive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from lms_core.i18n import LOCALE_DIR, LOCALES, gettext, use_locale

PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)s")


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_catalogue_has_no_missing_or_fuzzy_entry(locale: str) -> None:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalogue = read_po(fh)
    pot_ids = {m.id for m in read_po((LOCALE_DIR / "messages.pot").open("rb")) if m.id}
    ids = {m.id for m in catalogue if m.id}
    assert pot_ids <= ids, f"not merged into {locale}: {sorted(pot_ids - ids)[:5]}"
    missing = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert not missing, f"{len(missing)} untranslated in {locale}, e.g. {missing[:5]}"
    for m in catalogue:
        if m.id and isinstance(m.id, str):
            assert set(PLACEHOLDER.findall(m.id)) == set(PLACEHOLDER.findall(m.string)), m.id


def test_vietnamese_is_really_vietnamese() -> None:
    with use_locale("vi"):
        assert gettext("Log in") == "Đăng nhập"
        assert gettext("The username or password is not correct.") == "Tên đăng nhập hoặc mật khẩu không đúng."
    with use_locale("en"):
        assert gettext("Log in") == "Log in"


def test_pot_is_up_to_date_with_the_code() -> None:
    """The template must hold every msgid in the code (run `make messages` after adding one)."""
    from babel.messages.extract import extract_from_dir

    repo = Path(__file__).resolve().parents[2]
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}
    found = set()
    for package in ("lms_core", "content"):  # one catalogue serves every package of the distribution
        for _file, _line, message, _comments, _ctx in extract_from_dir(str(repo / package), method_map, options, keywords):
            found.add(message if isinstance(message, str) else message[0])
    pot = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po((LOCALE_DIR / "messages.pot").open("rb")) if m.id}
    assert found <= pot, f"run `make messages`: {sorted(found - pot)[:5]}"
