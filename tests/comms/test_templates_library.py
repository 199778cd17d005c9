"""The shipped starter set and filling a template: every shipped text passes the tone check
for its stage and platform, variables are filled or named as missing, bidi stays correct
(comms/templates/library.py, fill.py)."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

import pytest

from flarewatch.bidi import FSI, PDI
from flarewatch.comms.templates import library
from flarewatch.comms.templates.fill import fill, next_update_time, placeholders
from flarewatch.comms.templates.library import parse_toml, shipped, text_for, to_toml
from flarewatch.errors import InputError
from flarewatch.playbooks.library import shipped as shipped_playbooks
from flarewatch.tone.check import STAGE_REQUIREMENTS, check, format_flag
from flarewatch.tone.limits import length

SAMPLE = {
    "en": {"issue": "the delayed deliveries", "action": "refunding every order"},
    "he": {"issue": "העיכוב במשלוחים", "action": "מחזירים את הכסף על כל הזמנה"},
    "pl": {"issue": "opóźnione dostawy", "action": "zwracamy pieniądze za każde zamówienie"},
}
SHARED = {
    "brand": "Acme",
    "next_update": "18:00",
    "contact": "help@acme.example",
    "author": "@dana",
    "link": "https://acme.example/status",
}


def cases() -> list[tuple[str, str, str]]:
    return [
        (key, language, platform)
        for key, doc in shipped().items()
        for language in doc.languages()
        for platform in doc.platforms(language)
    ]


@pytest.mark.parametrize(("key", "language", "platform"), cases())
def test_every_shipped_template_passes_the_tone_check(key: str, language: str, platform: str):
    doc = shipped()[key]
    _variant, text, _subject = text_for(doc, language, platform)
    filled = fill(text, {**SHARED, **SAMPLE[language]}, language, key)
    flags = check(filled, language, platform, STAGE_REQUIREMENTS.get(doc.stage or "", ()))
    assert flags == [], "\n".join(format_flag(f) for f in flags)


def test_the_starter_set_covers_every_playbook_audience_and_language() -> None:
    docs = shipped().values()
    for playbook in shipped_playbooks():
        mine = [d for d in docs if d.playbook == playbook]
        kinds = {d.kind for d in mine}
        assert {"statement", "reply", "update"} <= kinds, playbook
        assert {d.audience for d in mine} - {"customers"}, f"{playbook}: customers only"
        for doc in mine:
            assert doc.languages() == ["en", "he", "pl"], doc.key
            for language in doc.languages():
                texts = doc.texts(language)
                assert not texts.long or texts.subject, f"{doc.key} {language}: the email subject"
    audiences = {d.audience for d in docs}
    assert {"customers", "employees", "press", "regulators", "partners"} == audiences
    holding = shipped()["data-breach.holding-customers"]
    for language in ("en", "he", "pl"):
        # a short one for X, Bluesky and SMS; a long one (with the email's subject) for the rest
        assert holding.platforms(language) == [
            "x",
            "bluesky",
            "mastodon",
            "facebook",
            "instagram",
            "email",
            "sms",
        ]
        assert text_for(holding, language, "email")[2]
        assert text_for(holding, language, "x")[0] == "short"
        assert text_for(holding, language, "facebook")[0] == "long"


def test_short_texts_fit_x_and_sms_with_sample_values() -> None:
    for key, language, platform in cases():
        if platform not in ("x", "sms"):
            continue
        _v, text, _s = text_for(shipped()[key], language, platform)
        filled = fill(text, {**SHARED, **SAMPLE[language]}, language, key)
        most = 280 if platform == "x" else (160 if language == "en" else 70)
        assert length(filled, platform) <= most, (key, language, platform)


def test_unknown_and_unfilled_variables_are_named() -> None:
    with pytest.raises(InputError, match=r"unknown variable \{brnad\}.*\{brand\}"):
        placeholders("Sorry from {brnad}", "en.short")
    with pytest.raises(InputError, match=r"unknown variable \{brand:>10\}"):
        placeholders("{brand:>10}", "en.short")
    with pytest.raises(InputError, match="literal brace"):
        placeholders("a { brace", "en.short")
    with pytest.raises(InputError, match=r"needs a value for \{contact\}, \{link\}.*--set contact"):
        fill("Write to {contact} or see {link}. {brand}", {"brand": "Acme"}, "en", "t")
    with pytest.raises(InputError, match=r"needs a value for \{contact\}"):
        fill("Write to {contact}", {"contact": "   "}, "en", "t")
    # literal braces stay, and nothing else is left unfilled
    assert fill("{{sic}} {brand}", {"brand": "Acme"}, "en", "t") == "{sic} Acme"


def test_filling_isolates_values_that_run_against_the_text() -> None:
    hebrew = fill("{brand} מתנצלת. עדכון ב-{next_update}.", SHARED, "he", "t")
    # the Latin brand is isolated in a Hebrew sentence; a bare time needs no isolate
    assert hebrew == f"{FSI}Acme{PDI} מתנצלת. עדכון ב-18:00."
    english = fill("{author}, we are sorry.", {"author": "דנה 2"}, "en", "t")
    assert english == f"{FSI}דנה 2{PDI}, we are sorry."
    assert fill("{brand} is sorry", {"brand": "Acme"}, "en", "t") == "Acme is sorry"
    # a control character in a value is shown, never applied
    sneaky = fill("{author} hi", {"author": "x\u202eevil"}, "en", "t")
    assert "\u202e" not in sneaky and "⟦U+202E⟧" in sneaky


def test_the_default_next_update_is_a_local_time_in_an_hour() -> None:
    now = datetime(2026, 12, 8, 14, 5, tzinfo=UTC)
    assert next_update_time(now, "he", "Asia/Jerusalem") == "17:15"
    assert next_update_time(now, "en", "Europe/Warsaw") == "16:15"
    late = datetime(2026, 12, 8, 23, 30, tzinfo=UTC)
    assert next_update_time(late, "en", "UTC").startswith("00:30 (")


def test_a_broken_document_says_what_and_where() -> None:
    # a long text without a subject serves the social platforms but no email
    no_subject = parse_toml('key = "a.b"\n[en]\nlong = "Text"\n', "mine.toml")[0]
    assert "email" not in no_subject.platforms("en") and "facebook" in no_subject.platforms("en")
    with pytest.raises(InputError, match="no text for email in en"):
        text_for(no_subject, "en", "email")
    with pytest.raises(InputError, match=r"mine.toml.*give at least one of short, sms or long"):
        parse_toml('key = "a.b"\n[en]\nsubject = "Hi"\n', "mine.toml")
    with pytest.raises(InputError, match=r"unknown variable \{who\}"):
        parse_toml('key = "a.b"\n[en]\nshort = "Hi {who}"\n', "mine.toml")
    with pytest.raises(InputError, match="at least one of en, he, pl"):
        parse_toml('key = "a.b"\n', "mine.toml")
    with pytest.raises(InputError, match="not valid TOML"):
        parse_toml("key = ", "mine.toml")
    with pytest.raises(InputError, match="appears more than once"):
        parse_toml(
            '[[templates]]\nkey = "a"\n[templates.en]\nshort = "x"\n'
            '[[templates]]\nkey = "a"\n[templates.en]\nshort = "y"\n',
            "set.toml",
        )
    doc = parse_toml('key = "a.b"\n[en]\nshort = "Hi"\n', "mine.toml")[0]
    with pytest.raises(InputError, match="no text for email in en; it has x, bluesky"):
        text_for(doc, "en", "email")
    with pytest.raises(InputError, match="no 'he' text"):
        text_for(doc, "he", "x")


def test_the_toml_writer_round_trips_the_starter_set() -> None:
    docs = list(shipped().values())
    text = to_toml(docs, "All of them")
    assert tomllib.loads(text)["templates"][0]["key"] == docs[0].key
    assert parse_toml(text, "export") == docs
    tricky = parse_toml(
        'key = "t"\n[en]\nshort = "a \\"\\"\\" b\\\\ c"\nlong = "x\\n\\"\\"\\"y\\\\"\n'
        'subject = "s"\n',
        "t",
    )
    assert parse_toml(to_toml(tricky, ""), "again") == tricky


def test_every_shipped_key_names_its_playbook() -> None:
    library.shipped.cache_clear()
    for key, doc in shipped().items():
        assert key.startswith(f"{doc.playbook}.")


def test_the_page_shows_each_text_against_every_platform_it_goes_to() -> None:
    from flarewatch.comms.templates.pages import variant_views

    only_short = parse_toml('key = "a.b"\n[he]\nshort = "שלום {brand}"\n', "t")[0]
    [view] = variant_views(only_short, "he")
    assert [(f.platform, f.limit) for f in view.fits] == [
        ("x", 280),
        ("bluesky", 300),
        ("mastodon", 500),
        ("facebook", 477),  # what shows before "See more"
        ("instagram", 2_200),
    ]
    holding = shipped()["service-outage.holding-customers"]
    known = {"brand": "Acme", "next_update": "18:00"}
    sms = next(v for v in variant_views(holding, "pl", known) if v.variant == "sms")
    assert [(f.platform, f.limit, f.over) for f in sms.fits] == [("sms", 70, False)]
    unfilled = next(v for v in variant_views(holding, "pl") if v.variant == "sms")
    assert unfilled.fits[0].count > sms.fits[0].count  # "{next_update}" is longer than a time
    english = next(v for v in variant_views(holding, "en") if v.variant == "sms")
    assert english.fits[0].limit == 160  # GSM-7 text
