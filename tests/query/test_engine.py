"""The C per-post loop (`_engine`) gives exactly what the token-list path and the regex give.

`make install` builds flarewatch.query._engine with Cython; CI must run it (the speed target
depends on it), so its absence fails here instead of silently testing the fallback only.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flarewatch.mentions.post import Post
from flarewatch.query import _native, analysis, matcher
from flarewatch.query.matcher import Matcher

try:
    from flarewatch.query import _engine as engine
except ImportError:  # fails below, loudly: every test here needs it
    engine = None  # type: ignore[assignment]

_ALPHABET = (
    "abcXYZ_09 \t\n.,!?#@'’׳״\"-/:"
    "אבגכךמםנןפףצץשת"  # Hebrew, with final letters
    "\u05b0\u05b4\u05bc\u05be\u05c3"  # niqqud and Hebrew punctuation kept by the drop
    "ąęółżĄŁİßŉﬁ①ΣςΐДд"  # Polish, casefold expansions, compatibility forms, Greek, Cyrillic
    "🔥😡👍❤\ufe0f\u200d\U0001f3fd🇮🇱\u200b\u0307\u00a0\U00010400"
)
texts = st.text(alphabet=_ALPHABET, max_size=60) | st.sampled_from(
    [
        "Visit https://acme.example/x?y=1 or mail help@acme.com now",
        "HTTP www. WWW. http",
        "brand's BRANDS' rock'n'roll ו'לך צה\"ל",
        "👨\u200d👩\u200d👧 🇵🇱🇮🇱 🇮 ❤️❤️ 👍🏽",
        "İstanbul ŉ ﬁne ① #_tag @@x ##y",
        "ZAŻÓŁĆ Gęślą JAŹŃ וּבְיִשְׂרָאֵל שלום",
    ]
)


def test_the_engine_is_compiled_and_used() -> None:
    assert engine is not None, (
        "flarewatch.query._engine is not built: run `make install` (needs a C compiler and "
        "Cython, both installed by pyproject's build requirements)"
    )
    assert matcher.ENGINE


@settings(max_examples=800, deadline=None)
@given(texts)
def test_spans_give_the_regex_tokens(text: str) -> None:
    expected = analysis._tokens_python(text)
    assert engine.scan_text(text).tokens() == expected
    assert engine.scan(analysis.normalised(text)).tokens() == expected
    assert len(engine.scan_text(text)) == len(expected)


def test_case_folding_table_covers_the_multi_character_folds() -> None:
    # ß and İ fold to two characters: the text goes through analysis.normalised instead.
    assert engine.scan_text("STRASSE Straße").tokens() == ["strasse", "strasse"]
    assert engine.scan_text("İzmir").tokens() == ["izmir"]
    assert engine.scan_text("\U00010400x").tokens() == ["\U00010428x"]  # Deseret has case


def _corpus(seed: int, n: int) -> list[Post]:
    rng = random.Random(seed)
    words = [
        "acme",
        "acmes",
        "awaria",
        "awarii",
        "awarię",
        "ישראל",
        "ובישראל",
        "לישראל",
        "refund",
        "Refunds",
        "zwrot",
        "zwrotu",
        "#acme",
        "@acme",
        "🔥",
        "שלום",
        "ok",
        "brand's",
        "prąd",
        "prądzie",
        "outage",
        "outages",
        "złoty",
        "zloty",
    ]
    posts = []
    for i in range(n):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 9)))
        title = " ".join(rng.choice(words) for _ in range(rng.randint(0, 3))) or None
        lang = rng.choice(["en", "pl", "he", None])
        posts.append(Post(external_id=str(i), text=text, title=title, language=lang))
    return posts


_QUERIES = [
    "acme AND (refund OR outage) AND NOT zwrot",
    "awaria AND NOT prąd",
    "ישראל AND שלום",
    "acm* AND refund*",
    '"acme refund"',
    "acme NEAR/2 outage",
    "#acme OR @acme",
    "zloty AND lang:pl",
    "title:acme AND refund",
    "{Refunds} OR 🔥",
    "prąd AND awaria AND zwrotu",
]


@pytest.mark.parametrize("fold", [False, True])
def test_engine_matches_what_the_token_list_path_matches(
    monkeypatch: pytest.MonkeyPatch, fold: bool
) -> None:
    posts = _corpus(7, 600)
    with_engine = Matcher(fold_diacritics=fold)
    without = Matcher(fold_diacritics=fold)
    for i, query in enumerate(_QUERIES):
        with_engine.add(i, query, workspace="w" if i % 3 == 0 else None)
        without.add(i, query, workspace="w" if i % 3 == 0 else None)
    found = []
    for workspace in (None, "w", "other"):
        monkeypatch.setattr(matcher, "ENGINE", True)
        fast = with_engine.match_batch(posts, workspace=workspace)
        monkeypatch.setattr(matcher, "ENGINE", False)
        slow = without.match_batch(posts, workspace=workspace)
        assert fast == slow
        found.append(sum(map(len, fast)))
    assert all(found), "the corpus must exercise matches"


@pytest.mark.parametrize("limit", [3, 40])
def test_a_memo_that_empties_itself_mid_batch_keeps_the_matches(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    # match_batch collects the whole batch before verifying it: spans must keep their keys when
    # the memo empties itself after (or while) they were collected.
    posts = _corpus(11, 400)
    monkeypatch.setattr(matcher, "MEMO_LIMIT", limit)
    fast, slow = Matcher(), Matcher()
    for i, query in enumerate(_QUERIES):
        fast.add(i, query)
        slow.add(i, query)
    expected = [slow._match_tokens(p, list(slow._shards.values()), False) for p in posts]
    assert fast.match_batch(posts) == expected
    assert sum(map(len, expected)) > 0


def test_spans_never_collected_have_no_keys_to_give() -> None:
    with pytest.raises(ValueError, match="never collected"):
        engine.scan_text("acme").add_keys(set())
    assert engine.scan_text("").add_keys(set()) == set()


def test_the_memo_is_bounded_and_refills() -> None:
    index = engine.SpanIndex({"acme": 1}, None, {"refund": 1}, None, "", False, limit=4)
    for i in range(20):
        spans = engine.scan_text(f"acme word{i} refund")
        hits, unmet = index.candidates(spans, None, set(), {1})
        assert hits == {1} and not unmet
        assert len(index) <= 4
    hits, unmet = index.candidates(engine.scan_text("acme"), None, set(), {1})
    assert hits == {1} and unmet == {1}


def test_long_tokens_and_many_tokens_are_compared_exactly() -> None:
    long_word = "x" * 40
    index = engine.SpanIndex({long_word: 1, "y" * 41: 2}, None, {}, None, "", False)
    text = " ".join([long_word, "y" * 40] + [f"w{i}" for i in range(3000)])
    hits, _ = index.candidates(engine.scan_text(text), None, set(), set())
    assert hits == {1}
    hits, _ = index.candidates(engine.scan_text("y" * 41), None, set(), set())
    assert hits == {2}


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="abcdeghijmnorsuwyzłęąóńćśźż#@אבוכלמשהתםןIS'", min_size=1, max_size=14)
    | st.sampled_from(["awariami", "prądowego", "lekarza", "polsce", "stole", "koniach"]),
    st.sampled_from(["en", "pl", ""]),
    st.booleans(),
)
def test_c_stemmers_give_the_reference_keys(word: str, lang: str, with_fold: bool) -> None:
    for token in analysis._tokens_python(word):
        assert engine.token_keys(token, lang, with_fold) == _native.token_keys(
            token, lang, with_fold
        )


def test_wildcard_fragments_are_found_inside_long_and_prefixed_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    posts = [
        Post(external_id="1", text="superacmeco rocks", language="en"),
        Post(external_id="2", text="ובאקמה שלום", language="he"),
        Post(external_id="3", text="nothing here", language="en"),
        Post(external_id="4", text="x" * 30 + "acme", language="en"),
    ]
    queries = ["sup*me*", "אקמ*", "acme*", "a?me*", "rock*", "xx*acme"]
    fast, slow = Matcher(), Matcher()
    for i, query in enumerate(queries):
        fast.add(i, query)
        slow.add(i, query)
    monkeypatch.setattr(matcher, "ENGINE", False)
    expected = [slow.match(p) for p in posts]
    monkeypatch.setattr(matcher, "ENGINE", True)
    assert [fast.match(p) for p in posts] == expected
    assert expected == [[0, 4], [1], [], [5]]


@settings(max_examples=500, deadline=None)
@given(texts, texts | st.just(""))
def test_language_guess_equals_the_python_one(text: str, title: str) -> None:
    body = engine.scan_text(text)
    expected = analysis.guess_language(f"{title} {text}", set(analysis.tokens(text)))
    assert engine.guess_language(text, title, body) == expected


def test_language_guess_counts_distinct_function_words() -> None:
    for text, lang in [
        ("to jest nie tak", "pl"),
        ("the the the jest", "en"),
        ("jest jest jest the", "en"),
        ("jest jest nie the", "pl"),
        ("שלום world", "he"),
        ("zażółć gęślą", "pl"),
        ("plain words", "en"),
    ]:
        assert engine.guess_language(text, "", engine.scan_text(text)) == lang
        assert analysis.guess_language(text, set(analysis.tokens(text))) == lang


@settings(max_examples=600, deadline=None)
@given(
    st.text(alphabet="abcdeghijmnorsuwxyzłęąóńćśźż#@אבוכלמשהתםןIS'", min_size=1, max_size=14)
    | st.sampled_from(
        [
            "news",
            "buses",
            "cities",
            "days",
            "glass",
            "churches",
            "#brands",
            "ובישראל",
            "וכשהגיע",
            "awariami",
            "prądzie",
            "x" * 300 + "ami",
        ]
    ),
    st.sampled_from(["en", "pl", ""]),
)
def test_key_hashes_are_the_hashes_of_the_reference_keys(word: str, lang: str) -> None:
    # A first sight that meets nothing is decided on these hashes alone, so they must be
    # exactly the hashes of the keys the Python path would build.
    for token in analysis._tokens_python(word):
        hashes = engine.key_hashes(token, lang)
        if hashes is None:
            continue  # a very long word: the engine takes the Python path
        expected = [engine.string_hash(k) for k in _native.token_keys(token, lang, False)]
        assert hashes == expected, (token, lang)


def test_tokens_and_keys_give_the_tokens_and_the_reference_keys() -> None:
    index = engine.SpanIndex({"acme": 1}, None, {}, None, "en", False)
    text = "Acme cars #brands ובישראל acme"
    spans = engine.scan_text(text)
    index.candidates(spans, None, set(), set())
    keys: set[str] = set()
    assert spans.tokens_and_keys(keys) == analysis.tokens(text)
    expected = set().union(*(_native.token_keys(t, "en", False) for t in analysis.tokens(text)))
    assert keys == expected
    assert spans.add_keys(set()) == expected  # now from the keys kept in the slots
