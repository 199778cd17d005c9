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


def test_script_fast_path_skips_lingua(monkeypatch) -> None:  # noqa: ANN001
    """Scripts that map to one workspace language are decided without building any lingua model."""
    from flarewatch.enrich import langid

    def no_lingua(*_args: object) -> None:
        raise AssertionError("lingua consulted for a script that decides on its own")

    monkeypatch.setattr(langid, "_detector", no_lingua)
    langid._detect_cached.cache_clear()
    ws = ("en", "he", "ar", "ru", "hi")
    assert detect_language("השירות היה מצוין והמשלוח הגיע מהר", ws)[0] == "he"
    assert detect_language("هذا المنتج سيء جدا ولا أنصح به", ws)[0] == "ar"
    assert detect_language("Очень плохой сервис, никому не советую", ws)[0] == "ru"
    assert detect_language("यह सेवा बहुत खराब है, किसी को सलाह नहीं", ws)[0] == "hi"
    assert detect_language("Η εξυπηρέτηση ήταν πολύ κακή σήμερα", ws)[0] == "el"
    langid._detect_cached.cache_clear()


def test_repeated_texts_are_cached() -> None:
    from flarewatch.enrich import langid

    text = "The delivery was late again and nobody answers the phone at all"
    first = detect_language(text, WS)
    hits = langid._detect_cached.cache_info().hits
    assert detect_language(text, list(WS)) == first
    assert langid._detect_cached.cache_info().hits == hits + 1


def test_function_word_vote_decides_clear_posts_without_lingua(monkeypatch) -> None:  # noqa: ANN001
    from flarewatch.enrich import langid

    def no_lingua(*_args: object) -> None:
        raise AssertionError("lingua consulted for a post the function words decide")

    monkeypatch.setattr(langid, "_detector", no_lingua)
    langid._detect_cached.cache_clear()
    cases = {
        "The app crashed again during checkout, this is so frustrating": "en",
        "Obsługa klienta jest beznadziejna, czekam już tydzień": "pl",
        "Der Kundendienst war wirklich sehr schlecht und unfreundlich": "de",
        "El servicio es muy malo, nunca más compro aquí": "es",
        "Le service client est vraiment nul, je ne recommande pas": "fr",
        "De klantenservice is echt slecht, ik ben niet blij": "nl",
    }
    for post, code in cases.items():
        got, conf = detect_language(post, WS)
        assert got == code and 0.5 < conf < 1.0, post
    langid._detect_cached.cache_clear()


def test_code_switched_posts_are_left_to_lingua() -> None:
    from flarewatch.enrich import langid

    mixed = "Ich bin so happy, the new update ist wirklich super"
    assert langid._vote(mixed.lower()) is None  # close runner-up: no decision
    assert detect_language(mixed, WS)[0] in ("de", "en")
    assert langid._vote("gute besserung".lower()) is None  # too little evidence


def test_vote_is_skipped_when_a_workspace_language_has_no_word_list(monkeypatch) -> None:  # noqa: ANN001
    from flarewatch.enrich import langid

    def no_vote(_text: str) -> None:
        raise AssertionError("the vote could outvote a workspace language it has no list for")

    monkeypatch.setattr(langid, "_vote", no_vote)
    langid._detect_cached.cache_clear()
    assert detect_language("The service was bad and the staff did not care", ("en", "tl"))[0]
    langid._detect_cached.cache_clear()


def test_short_posts_stay_capped_when_the_vote_decides() -> None:
    assert detect_language("is it the", WS) == ("en", 0.5)


def test_every_catch_all_language_has_a_function_word_list() -> None:
    from flarewatch.enrich import langid

    assert set(langid.FUNCTION_WORDS) == set(langid.CATCH_ALL)


def test_names_do_not_let_the_catch_all_override_a_workspace_language() -> None:
    # The catch-all alone reads these as Finnish, German and Vietnamese (seen in the demo's
    # chatter): the names carry no language, and "is" is English.
    for text in (
        "Is Grillberry Modiin kosher?",
        "Is Grillberry Dizengoff kosher?",
        "Is Grillberry Haifa kosher?",
    ):
        for workspace in (("he", "en"), ("en", "he", "pl")):
            assert detect_language(text, workspace)[0] == "en", (text, workspace)
    # A post that really is in another language still gets it: its own function words say so.
    assert detect_language("Tämä ravintola on hyvä ja ruoka oli hyvää", ("he", "en"))[0] == "fi"
    assert detect_language("Het eten was koud en de bediening traag", ("he", "en"))[0] == "nl"


def test_words_back_compares_function_word_evidence() -> None:
    from flarewatch.enrich import langid

    assert not langid._words_back("fi", ("en",), "is grillberry modiin kosher?")
    assert langid._words_back("fi", ("en",), "tämä on hyvä ja ruoka oli hyvää")
    assert not langid._words_back("fi", ("en",), "grillberry modiin")  # no evidence either way


def test_the_enricher_takes_a_source_tag_in_a_workspace_language_as_it_is() -> None:
    from flarewatch.enrich import Enricher
    from flarewatch.enrich.enricher import SOURCE_TAG_CONFIDENCE
    from flarewatch.mentions.post import Post

    enricher = Enricher(languages=("en", "pl"))
    text = "The burger was cold and the service was slow again today"
    tagged, foreign, untagged = enricher.enrich_batch(
        [
            Post("1", text, language="PL"),  # trusted as tagged, even against the text
            Post("2", text, language="de"),  # not a workspace language: language id decides
            Post("3", text),
        ]
    )
    assert (tagged.language, tagged.language_confidence) == ("pl", SOURCE_TAG_CONFIDENCE)
    assert foreign.language == untagged.language == "en"
    assert untagged.language_confidence != SOURCE_TAG_CONFIDENCE
