"""The language of a web request: the reader's cookie, else their browser's Accept-Language.

Everything else about languages (catalogues, labels, number and date formatting) is shared
with notifications and the terminal in `flarewatch.i18n`.
"""

from __future__ import annotations

from flarewatch.i18n.languages import DEFAULT_LANGUAGE, LANGUAGES

LOCALE_COOKIE = "flarewatch_lang"


def negotiate(accept_language: str | None) -> str:
    """The best supported language for an Accept-Language header, by its q-values."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        # 'iw' is the code older browsers still send for Hebrew.
        primary = tag.strip().lower().split("-")[0].replace("iw", "he")
        if primary in LANGUAGES and quality > 0:
            choices.append((-quality, index, primary))
    return min(choices)[2] if choices else DEFAULT_LANGUAGE
