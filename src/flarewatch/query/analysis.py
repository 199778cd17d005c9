"""Text analysis shared by queries and posts: one normalisation, one tokenizer, one key scheme.

A token is matched through *keys*: its casefolded form, plus language-specific stems in their own
namespaces (so an English stem never meets a Polish one), plus Hebrew prefix-stripped bases. A
query word carries the keys it would have in every language; it matches a token when the two key
sets meet. Keys per distinct token are cached, so a post costs one regex pass and dict lookups.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from flarewatch.query import _native
from flarewatch.query._native import EN, FOLD, PL, PLF
from flarewatch.query.english import en_stem
from flarewatch.query.hebrew import (
    FINAL_TO_REGULAR,
    HEBREW_LETTERS,
    NIQQUD,
    is_hebrew,
    prefix_bases,
)
from flarewatch.query.polish import fold, pl_stem

# Key namespaces: EN, PL, FOLD, PLF come from _native; metadata keys have their own.
META = "\x10"

_DROP = dict(NIQQUD)
_DROP.update({0xFE0F: None, 0xFE0E: None, 0x200B: None})
# Skin-tone modifiers: 👍🏽 should be found by 👍.
_DROP.update({cp: None for cp in range(0x1F3FB, 0x1F400)})
_FOLDCASE = dict(FINAL_TO_REGULAR)
_FOLDCASE[0x0307] = None  # casefold("İ") leaves a combining dot that would split the token

_EMOJI_CHARS = "\U0001f300-\U0001faff\U0001f000-\U0001f2ff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff"
EMOJI = rf"[\U0001F1E6-\U0001F1FF]{{2}}|[{_EMOJI_CHARS}](?:\u200D[{_EMOJI_CHARS}])*"
# Inside a word: apostrophes (rock'n'roll) and Hebrew geresh/gershayim (צה״ל).
WORD = r"\w+(?:['’׳״]\w+)*"
TOKEN_RE = re.compile(rf"[#@]?{WORD}|{EMOJI}")
# URLs are left to url:/links:, and e-mail addresses are removed with them so that the "@acme"
# inside x@acme.com is not read as a mention (cheaper than a look-behind on every token).
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"]+|[\w.+-]+@[\w-]+\.[\w.-]+", re.IGNORECASE)
_POSSESSIVE_RE = re.compile(r"(?<=\w)['’]s?(?=\W|$)")
# ASCII quote or apostrophe typed as gershayim/geresh between Hebrew letters: צה"ל, ג'ירפה.
_HEB_QUOTE_RE = re.compile(rf"(?<=[{HEBREW_LETTERS}])([\"'])(?=[{HEBREW_LETTERS}])")
_HEB_RE = re.compile(f"[{HEBREW_LETTERS}]")
_PL_LETTERS = frozenset("ąćęłńśźżĄĆĘŁŃŚŹŻ")


_DROP_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _DROP) + "]")
_FINALS_RE = re.compile("[\u05da\u05dd\u05df\u05e3\u05e5\u0307]")


def prep(text: str) -> str:
    """NFKC, niqqud and emoji modifiers dropped, Hebrew ASCII gershayim made Hebrew. Case kept."""
    # re.sub scans in C and returns the same string when nothing matches; str.translate with a
    # dict would look up every character in Python objects, several times slower on plain text.
    return _quotes(_DROP_RE.sub("", unicodedata.normalize("NFKC", text)))


def _quotes(text: str) -> str:
    """The quote rewrites of `prep`, on text already normalised and without _DROP characters."""
    if ("'" in text or '"' in text) and _HEB_RE.search(text):
        text = _HEB_QUOTE_RE.sub(lambda m: "״" if m.group(1) == '"' else "׳", text)
    if "'" in text or "’" in text:
        # English possessive: brand's / brands' -> brand / brands (Lucene's possessive filter).
        text = _POSSESSIVE_RE.sub("", text)
    return text


def foldcase(text: str) -> str:
    """Casefold plus Hebrew final letters made regular, so כ and ך compare equal."""
    text = text.casefold()
    return text.translate(_FOLDCASE) if _FINALS_RE.search(text) else text


def strip_urls(text: str) -> str:
    if "http" in text or "www." in text or "@" in text or "HTTP" in text or "WWW." in text:
        return URL_RE.sub(" ", text)
    return text


_normalize = unicodedata.normalize
_drop_sub = _DROP_RE.sub


def _tokens_python(text: str) -> list[str]:
    # prep, strip_urls and foldcase inlined: this runs on every post.
    text = _drop_sub("", _normalize("NFKC", text))
    if "'" in text or '"' in text or "’" in text:
        text = _quotes(text)
    if "http" in text or "www." in text or "@" in text or "HTTP" in text or "WWW." in text:
        text = URL_RE.sub(" ", text)
    text = text.casefold()
    if _FINALS_RE.search(text):
        text = text.translate(_FOLDCASE)
    return TOKEN_RE.findall(text)


def normalised(text: str) -> str:
    """The text the compiled tokenizers scan: `_native.tokenize(normalised(t)) == tokens(t)`.

    ASCII text is already NFKC and holds nothing to drop; the compiled tokenizers map Hebrew
    final letters themselves, so only the dot that casefold("İ") leaves needs removing here."""
    if not text.isascii():
        text = _native.drop(_normalize("NFKC", text))
    if "'" in text or '"' in text or "’" in text:
        text = _quotes(text)
    if "http" in text or "www." in text or "@" in text or "HTTP" in text or "WWW." in text:
        text = URL_RE.sub(" ", text)
    text = text.casefold()
    if "\u0307" in text:
        text = text.replace("\u0307", "")
    return text


def _tokens_compiled(text: str) -> list[str]:
    return _native.tokenize(normalised(text))


# Both give the same tokens (tests/query/test_native.py). The compiled module is built by
# `make install` (setup.py); uncompiled, the regex path is the faster of the two.
tokens = _tokens_compiled if _native.COMPILED else _tokens_python
tokens.__doc__ = "Normalised tokens of a post text, in order. URLs are left to `url:`/`links:`."


def surface_tokens(text: str) -> list[str]:
    """Tokens with their case kept, aligned with `tokens` (used by case-sensitive terms)."""
    return TOKEN_RE.findall(strip_urls(prep(text)).translate(FINAL_TO_REGULAR))


_LINK_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)


def urls(text: str) -> list[str]:
    return _LINK_RE.findall(text) if ("http" in text or "www." in text) else []


# Frequent function words that are not words of the other language.
_PL_TEXT = """się nie jest że na w z do od dla przez oraz czy jak tak ale po przy już
bardzo są był była było brak dziś dzisiaj który która które jestem mamy ma też tylko jeszcze
gdzie kiedy bo co ten ta to"""
_PL_WORDS = frozenset(_PL_TEXT.split())
_EN_TEXT = """the and is are of to in for with on this that was were it be have has
not but you we they my your at by from"""
_EN_WORDS = frozenset(_EN_TEXT.split())


def guess_language(text: str, distinct: set[str]) -> str:
    """Only used when the source gave no language: script, Polish letters, then function words.
    The guess decides which stemmer applies, so it only has to tell en, pl and he apart."""
    if _HEB_RE.search(text):
        return "he"
    if not _PL_LETTERS.isdisjoint(text):
        return "pl"
    if len(distinct & _PL_WORDS) > len(distinct & _EN_WORDS):
        return "pl"
    return "en"


@lru_cache(maxsize=1024)
def normalize_language(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().lower().replace("_", "-").split("-")[0]
    return {"iw": "he", "heb": "he", "pol": "pl", "eng": "en"}.get(code, code)


def is_word(token: str) -> bool:
    return token.isalpha()


# Built once per distinct token and mode: (keys, forms a wildcard is tried against, folded forms).
# Plain tuples of strings on purpose: the garbage collector untracks them, so a long-tail stream
# that keeps caching new tokens does not keep growing the heap the full collections walk (with a
# frozenset or a NamedTuple per token, those collections were a large share of the match time).
TokenInfo = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
KEYS, FORMS, FOLDED_FORMS = 0, 1, 2


try:  # the same keys from C ports of the stemmers, where `make install` could build them
    from flarewatch.query._engine import token_keys as _token_key_list
    from flarewatch.query._engine import union_keys as _union_keys
except ImportError:
    _token_key_list = _native.token_keys
    _union_keys = None


def token_keys(token: str, lang: str, with_fold: bool) -> tuple[str, ...]:
    """The keys a post token is matched through: itself, its body without #/@, its Hebrew bases
    behind a prefix chain, its English or Polish stem, and folded forms when folding."""
    return tuple(dict.fromkeys(_token_key_list(token, lang, with_fold)))


def token_info(token: str, lang: str, with_fold: bool) -> TokenInfo:
    body = token[1:] if token[0] in "#@" else token
    forms = [token, body] if body != token else [token]
    if is_hebrew(body):
        forms.extend(prefix_bases(body))
    folded = [fold(f) for f in forms] if with_fold else []
    return token_keys(token, lang, with_fold), tuple(forms), tuple(folded)


class TokenKeys(dict[str, tuple[str, ...]]):
    """Token -> its keys: a plain dict lookup, so the key set of a whole post is one C-level
    `set().union(*map(keys.__getitem__, distinct))`. Filled apart from the owning TokenCache:
    most tokens never need the forms wildcards use."""

    def __init__(self, owner: TokenCache) -> None:
        super().__init__()
        self.owner = owner

    def __missing__(self, token: str) -> tuple[str, ...]:
        owner = self.owner
        if len(self) >= owner.LIMIT:
            self.clear()  # an unbounded stream of new tokens must not grow memory forever
        keys = self[token] = token_keys(token, owner.lang, owner.with_fold)
        return keys


class TokenCache(dict[str, TokenInfo]):
    """Token -> TokenInfo for one (language, fold) mode; filled on first sight of a token."""

    LIMIT = 500_000

    def __init__(self, lang: str, with_fold: bool) -> None:
        super().__init__()
        self.lang = lang
        self.with_fold = with_fold
        self.keys_of = TokenKeys(self)

    def __missing__(self, token: str) -> TokenInfo:
        if len(self) >= self.LIMIT:
            self.clear()  # an unbounded stream of new tokens must not grow memory forever
            self.keys_of.clear()
        info = token_info(token, self.lang, self.with_fold)
        self[token] = info
        self.keys_of[token] = info[KEYS]
        return info

    def union_keys(self, distinct: set[str]) -> set[str]:
        """All keys of the given tokens."""
        if _union_keys is not None:
            return _union_keys(distinct, self.lang, self.with_fold)
        return set().union(*map(self.keys_of.__getitem__, distinct))


_CACHES: dict[tuple[str, bool], TokenCache] = {}
STEMMED_LANGUAGES = frozenset({"en", "pl"})


def token_cache(lang: str, with_fold: bool) -> TokenCache:
    mode = lang if lang in STEMMED_LANGUAGES else ""
    key = (mode, with_fold)
    cache = _CACHES.get(key)
    if cache is None:
        cache = _CACHES[key] = TokenCache(mode, with_fold)
    return cache


@lru_cache(maxsize=65_536)
def term_keys(norm: str, *, exact: bool, with_fold: bool) -> frozenset[str]:
    """Keys of a query word: it matches a post token whose keys meet these."""
    keys = {norm}
    if norm[0] in "#@" or not norm.isalpha() or is_hebrew(norm):
        return frozenset(keys)
    if not exact:
        keys.add(EN + en_stem(norm))
        keys.add(PL + pl_stem(norm))
    if with_fold:
        keys.add(FOLD + fold(norm))
        if not exact:
            keys.add(PLF + pl_stem(norm, folded=True))
    return frozenset(keys)


def analyse_query_word(text: str, *, keep_wildcards: bool) -> list[str]:
    """Split a query word the way a post would be split (e-mail -> e, mail), casefolded."""
    normal = foldcase(prep(text))
    if keep_wildcards:
        return _QUERY_WORD_RE.findall(normal)
    return TOKEN_RE.findall(normal)


_QWORD = r"[\w*?]+(?:['’׳״][\w*?]+)*"
_QUERY_WORD_RE = re.compile(rf"[#@]?{_QWORD}|{EMOJI}")
_QUERY_SURFACE_RE = _QUERY_WORD_RE


def analyse_query_surface(text: str) -> list[str]:
    """Like `analyse_query_word` but case kept, for `{Term}`."""
    return _QUERY_SURFACE_RE.findall(prep(text).translate(FINAL_TO_REGULAR))
