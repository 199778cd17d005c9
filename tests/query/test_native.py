"""The compiled hot path gives exactly what the pure-Python reference gives.

`make install` builds flarewatch.query._native with Cython; CI must run the compiled module (the
speed target depends on it), so its absence fails here instead of silently testing the fallback.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from flarewatch.query import _native, analysis

# Characters every branch of the tokenizer and the drop step cares about.
_ALPHABET = (
    "abcXYZ_09 \t\n.,!?#@'’׳״\"-/:"
    "אבגכךמםנןפףצץשת"  # Hebrew, with final letters
    "\u05b0\u05b4\u05bc\u05be\u05c3"  # niqqud and Hebrew punctuation kept by the drop
    "ąęółżĄŁİßŉﬁ①"  # Polish, casefold expansions, compatibility forms
    "🔥😡👍❤\ufe0f\u200d\U0001f3fd🇮🇱\u200b\u0307"
)
texts = st.text(alphabet=_ALPHABET, max_size=60) | st.sampled_from(
    [
        "Visit https://acme.example/x?y=1 or mail help@acme.com now",
        "brand's BRANDS' rock'n'roll ו'לך צה\"ל",
        "👨\u200d👩\u200d👧 🇵🇱🇮🇱 🇮 ❤️❤️ 👍🏽",
        "İstanbul ŉ ﬁne ① #_tag @@x ##y",
    ]
)


def _pure_module():
    """The same source loaded as plain Python, whatever was compiled."""
    path = Path(_native.__file__).with_name("_native.py")
    spec = importlib.util.spec_from_file_location("_native_pure", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["_native_pure"] = module
    spec.loader.exec_module(module)
    return module


_PURE = _pure_module()


def test_the_extension_is_compiled() -> None:
    assert _native.COMPILED, (
        "flarewatch.query._native is not compiled: run `make install` (needs a C compiler "
        "and Cython, both installed by pyproject's build requirements)"
    )
    assert not _PURE.COMPILED


@settings(max_examples=600, deadline=None)
@given(texts)
def test_tokens_equal_the_regex_reference(text: str) -> None:
    assert analysis._tokens_compiled(text) == analysis._tokens_python(text)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_pure_python_module_equals_compiled(text: str) -> None:
    folded = text.casefold()
    assert _PURE.tokenize(folded) == _native.tokenize(folded)
    assert _PURE.drop(text) == _native.drop(text)


def test_drop_returns_the_same_object_when_nothing_is_dropped() -> None:
    text = "nothing to drop here, שלום"
    assert _native.drop(text) is text
    assert _native.drop("a\ufe0fb\u05b0c") == "abc"


words = st.text(alphabet="abcdeiosyzłęąóńćśźż#@אבוכלמשהת", min_size=1, max_size=12)


@settings(max_examples=400, deadline=None)
@given(words, st.sampled_from(["en", "pl", ""]), st.booleans())
def test_token_keys_pure_and_compiled_agree(word: str, lang: str, with_fold: bool) -> None:
    token = analysis.tokens(word)
    if not token:
        return
    compiled = _native.token_keys(token[0], lang, with_fold)
    assert compiled == _PURE.token_keys(token[0], lang, with_fold)
    assert set(analysis.token_keys(token[0], lang, with_fold)) == set(compiled)


def test_token_keys_by_language() -> None:
    assert set(analysis.token_keys("#awarii", "pl", False)) == {"#awarii", "awarii", "\x02awar"}
    assert set(analysis.token_keys("cars", "en", False)) == {"cars", "\x01car"}
    assert set(analysis.token_keys("ובישראל", "", False)) == {"ובישראל", "בישראל", "ישראל"}
    assert "\x03zolc" in analysis.token_keys("żółć", "", True)


def test_token_index_pure_and_compiled_agree() -> None:
    first = {"brand": 1, "\x02awar": {2, 3}}
    second = {"refund": {1, 2}, "awaria": 3}
    for module in (_native, _PURE):
        index = module.TokenIndex(first, None, second, None, "pl", False)
        hits, unmet = index.candidates(["brand", "awarii", "refund"], set(), {1, 2, 3})
        assert hits == {1, 2, 3}
        assert unmet == {3}  # "awaria" itself is not in the post, only an inflected form
        assert len(index) == 3
