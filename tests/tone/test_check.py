"""The tone check's phrase rules and required elements, per language (docs/tone.md)."""

from __future__ import annotations

import pytest

from flarewatch.tone.check import Flag, check, format_flag, requirements_for
from flarewatch.tone.rules import load


def kinds(flags: list[Flag]) -> list[str]:
    return [f.kind for f in flags]


# One draft per phrase kind and language, and the phrase each must flag.
CASES = [
    ("en", "blame", "Honestly, the customer misused the product.", "the customer misused"),
    ("en", "defensive", "We deny these allegations.", "deny these allegations"),
    ("en", "legal_threat", "Critics will hear from our lawyers.", "hear from our lawyers"),
    ("en", "jargon", "We are leveraging our strengths.", "leveraging"),
    ("he", "blame", "המשתמשים התעלמו מההוראות.", "המשתמשים התעלמו"),
    ("he", "defensive", "אלה טענות שקריות.", "טענות שקריות"),
    ("he", "legal_threat", "ננקוט הליכים משפטיים נגדם.", "הליכים משפטיים"),
    ("he", "jargon", "אנחנו ממנפים את הידע.", "ממנפים"),
    ("pl", "blame", "Klienci zignorowali ostrzeżenia.", "Klienci zignorowali"),
    ("pl", "defensive", "To bezpodstawne zarzuty.", "bezpodstawne zarzuty"),
    ("pl", "legal_threat", "Podejmiemy kroki prawne.", "kroki prawne"),
    ("pl", "jargon", "Optymalizujemy procesy.", "Optymalizujemy"),
]


@pytest.mark.parametrize(("language", "kind", "text", "phrase"), CASES)
def test_each_phrase_kind_in_each_language(
    language: str, kind: str, text: str, phrase: str
) -> None:
    flags = check(text, language)
    assert kinds(flags) == [kind]
    flag = flags[0]
    assert flag.phrase == phrase and text[flag.start : flag.end] == phrase
    rules = load(language)
    assert flag.label == rules.kind_names[kind]
    assert flag.reason and flag.suggestion and flag.reason != flag.suggestion


@pytest.mark.parametrize(
    "text",
    [
        "We are sorry for the outage. Power is back, and refunds go out today.",
        "אנחנו מתנצלים על התקלה. החשמל חזר, וההחזרים יישלחו היום.",
        "Przepraszamy za awarię. Prąd wrócił, zwroty wyślemy dziś.",
    ],
)
def test_a_clean_draft_has_no_flag(text: str) -> None:
    language = "he" if "א" <= text[0] <= "ת" else "pl" if "ą" in text or "ó" in text else "en"
    assert check(text, language) == []


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("וטענות שקריות נוספות", "וטענות שקריות"),  # ו + noun
        ("מדובר בפייק ניוז", "בפייק ניוז"),  # ב
        ("נגיע עם זה לבית המשפט", "לבית המשפט"),  # ל
        ("ושהמשתמשים התעלמו", "ושהמשתמשים התעלמו"),  # ו + ש + ה, three prefixes
        ("הם ממנפים ומהשקרים", "ממנפים"),  # first the jargon, then מה + שקרים
    ],
)
def test_hebrew_prefixes_attached_to_the_word(text: str, phrase: str) -> None:
    flags = check(text, "he")
    assert flags and flags[0].phrase == phrase
    assert text[flags[0].start : flags[0].end] == phrase


def test_hebrew_prefixes_do_not_match_inside_other_words() -> None:
    # the patterns need a word start before the prefixes and a word end after the word:
    # "תביעות" (lawsuits) flags, "לתביעותיכם" (to your claims, a suffix) does not
    assert kinds(check("והתביעות", "he")) == ["legal_threat"]
    assert check("נענה לתביעותיכם היום", "he") == []
    assert kinds(check("ומהשקרים", "he")) == ["defensive"]


@pytest.mark.parametrize(
    "text",
    [
        "Pozwiemy autorów.",
        "Pozwał nas klient, a my pozwiemy jego.",
        "Rozważamy kroków prawnych.",
        "W krokach prawnych nie ma sensu.",
    ],
)
def test_polish_inflected_legal_threats(text: str) -> None:
    assert "legal_threat" in kinds(check(text, "pl"))


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("To fałszywe oskarżenia.", "fałszywe oskarżenia"),
        ("Wobec fałszywych oskarżeń nie milczymy.", "fałszywych oskarżeń"),
        ("O fałszywej informacji mówimy jasno.", "fałszywej informacji"),
        ("Zaprzeczamy zarzutom.", "Zaprzeczamy zarzutom"),
        ("Zaprzeczyliśmy oskarżeniom.", None),  # past tense: not in the rules
    ],
)
def test_polish_inflected_denials(text: str, phrase: str | None) -> None:
    flags = check(text, "pl")
    if phrase is None:
        assert flags == []
    else:
        assert [(f.kind, f.phrase) for f in flags] == [("defensive", phrase)]


def test_stage_requirements_flag_what_is_missing() -> None:
    text = "Power is back in the north district."
    assert check(text, "en") == []
    flags = check(text, "en", required=requirements_for("responsibility"))
    assert kinds(flags) == ["missing_apology", "missing_ownership"]
    assert all(f.start is None and f.phrase == "" for f in flags)
    full = "We are sorry; we got this wrong. Our engineers are fixing it. Next update at 18:00."
    every = requirements_for(None, ["apology", "ownership", "next_step", "next_update"])
    assert check(full, "en", required=every) == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("he", "אנחנו מתנצלים. טעינו. הטכנאים מתקנים את התקלה, עדכון נוסף ב-18:00."),
        ("pl", "Przepraszamy, popełniliśmy błąd. Naprawiamy usterkę, kolejna informacja o 18:00."),
    ],
)
def test_requirements_in_hebrew_and_polish(language: str, text: str) -> None:
    every = requirements_for(None, ["apology", "ownership", "next_step", "next_update"])
    assert check(text, language, required=every) == []
    bare = check("—", language, required=every)
    assert kinds(bare) == [f"missing_{r}" for r in every]
    assert bare[0].reason == load(language).requirements["apology"].reason


def test_bad_stage_platform_or_requirement_say_what_to_use() -> None:
    with pytest.raises(ValueError, match="use one of containment"):
        requirements_for("panic")
    with pytest.raises(ValueError, match="next_update"):
        requirements_for(None, ["apology", "sorry"])
    with pytest.raises(ValueError, match="platform 'myspace'"):
        check("hi", "en", "myspace")


def test_format_isolates_the_phrase_and_texts() -> None:
    flag = check("אין תגובה", "he")[0]
    line = format_flag(flag)
    assert "[0-9]" in line and "«\u2068אין תגובה\u2069»" in line
    assert line.count("\u2068") == line.count("\u2069") == 4


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("he", "לא נוכל לפתוח את הסניף מחר. אנחנו מצטערים."),  # "we can't open", not "no comment"
        ("he", "אנחנו מחויבים לבטיחות הנוסעים ובודקים כל אוטובוס."),
        ("pl", "Jesteśmy zaangażowani w pomoc poszkodowanym rodzinom."),
        ("en", "You're right, and we should have answered you sooner."),  # own fault, not blame
    ],
)
def test_ordinary_sentences_near_the_rules_are_not_flagged(language: str, text: str) -> None:
    assert check(text, language) == []
