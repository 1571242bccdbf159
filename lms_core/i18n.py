"""Translations: Vietnamese by default, English available; the locale follows the request."""

from __future__ import annotations

import contextvars
import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

LOCALES: dict[str, str] = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LOCALE = "vi"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("truongso_locale", default=DEFAULT_LOCALE)


class CatalogueMissing(RuntimeError):
    """The compiled catalogue is absent: run `make` (pybabel compile) after installing."""


@lru_cache(maxsize=None)
def translations(locale: str) -> _gettext.NullTranslations:
    """Return the compiled catalogue of a locale."""
    mo = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.exists():
        raise CatalogueMissing(f"{mo} is missing; run: pybabel compile -d {LOCALE_DIR} -D {DOMAIN}")
    with mo.open("rb") as fh:
        return _gettext.GNUTranslations(fh)


def normalise_locale(value: str | None) -> str | None:
    """Return a supported locale code for a value such as 'en-GB', or None."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LOCALES else None


def current_locale() -> str:
    """Return the locale of the running request or task."""
    return _current.get()


def set_locale(locale: str) -> contextvars.Token[str]:
    """Set the locale for the running context."""
    return _current.set(normalise_locale(locale) or DEFAULT_LOCALE)


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Run a block in the given locale."""
    token = set_locale(locale)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """Translate a message into the current locale."""
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a count into the current locale."""
    return translations(current_locale()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a message for extraction without translating it now."""
    return message
