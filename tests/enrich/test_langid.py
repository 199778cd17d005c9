from __future__ import annotations

from flarewatch.enrich import detect_language

WS = ("en", "he", "pl")


def test_workspace_languages() -> None:
    assert (
        detect_language("The delivery was late again and nobody answers the phone", WS)[0] == "en"
    )
    assert detect_language("Obsługa klienta jest beznadziejna, czekam już tydzień", WS)[0] == "pl"
    assert detect_language("השירות היה מצוין והמשלוח הגיע מהר", WS)[0] == "he"


def test_mixed_hebrew_english_is_hebrew() -> None:
    code, conf = detect_language("האפליקציה של Cellcom קורסת כל הזמן, Customer Service לא עונה", WS)
    assert code == "he" and conf > 0.6


def test_transliterated_hebrew() -> None:
    assert detect_language("yalla sababa achla mamash", WS) == ("he", 0.5)


def test_catch_all_finds_languages_outside_the_workspace() -> None:
    assert (
        detect_language("Der Kundendienst war wirklich sehr schlecht und unfreundlich", WS)[0]
        == "de"
    )
    assert detect_language("Очень плохой сервис, никому не советую", WS)[0] == "ru"
    assert detect_language("هذا المنتج سيء جدا ولا أنصح به", WS)[0] == "ar"


def test_short_and_empty_posts_fall_back() -> None:
    assert detect_language("😂😂 http://x.co", WS) == ("und", 0.0)
    code, conf = detect_language("ok", WS)
    assert conf <= 0.5
