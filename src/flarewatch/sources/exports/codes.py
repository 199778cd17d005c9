"""Country and language names, as the tools write them ("United States", "Polska", "Hebrew"),
to the codes posts store ("US", "he"), from Babel's CLDR names in English, Polish and Hebrew."""

from __future__ import annotations

import re
from functools import cache

_CODE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,4})?$")
NAME_LOCALES = ("en", "pl", "he")


@cache
def _countries() -> dict[str, str]:
    from babel import Locale

    names: dict[str, str] = {}
    for locale in NAME_LOCALES:
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code.isalpha():  # not regions ("150")
                names.setdefault(name.lower(), code)
    names.update({"usa": "US", "uk": "GB", "great britain": "GB", "england": "GB"})
    return names


@cache
def _languages() -> dict[str, str]:
    from babel import Locale

    names: dict[str, str] = {}
    for locale in NAME_LOCALES:
        for code, name in Locale.parse(locale).languages.items():
            if "_" not in code and len(code) <= 3:
                names.setdefault(name.lower(), code)
    return names


def country_code(value: str) -> str | None:
    """ "US" stays "US"; "United States" → "US"; a name Babel does not know → None."""
    text = value.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    return _countries().get(text.lower())


def language_code(value: str) -> str | None:
    """ "en" and "en-GB" stay; "English", "angielski", "עברית" → the code; unknown → None."""
    text = value.strip()
    if _CODE.match(text) and text.lower() not in _languages():
        return text.split("_")[0].split("-")[0].lower()
    return _languages().get(text.lower())
