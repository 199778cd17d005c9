"""The Matcher's per-post hot path: tokenizing and the token -> candidate-queries memo.

Written in Cython's pure-Python mode: `make install` compiles this file to a C extension (see
setup.py), and without a compiler it runs as the plain Python it is, with the same results. Why
not a library: the work is our own tokenizer and key scheme (Hebrew prefix chains, Polish and
English stems), which no multi-pattern engine knows; what costs time in CPython is the
per-token interpretation around the dict and set operations, which compiled code removes.

`tokenize` is an exact port of `analysis.TOKEN_RE.findall` (tests compare the two on random
text). `token_keys` is the one definition of a post token's keys (analysis.py uses it too); the
stemmers it calls stay in english.py, polish.py and hebrew.py.
"""

from __future__ import annotations

from typing import Any

import cython

from flarewatch.query.english import en_stem
from flarewatch.query.hebrew import prefix_bases
from flarewatch.query.polish import fold, pl_stem

COMPILED: bool = cython.compiled

# Key namespaces (re-exported by analysis). Control characters never occur in a token, so they
# cannot collide with words.
EN = "\x01"
PL = "\x02"
FOLD = "\x03"
PLF = "\x04"


@cython.cfunc
@cython.inline
def _is_word(ch: cython.Py_UCS4) -> cython.bint:
    # re's \w for str patterns: str.isalnum() or "_" (sre's SRE_UNI_IS_WORD).
    return ch == "_" or ch.isalnum()


@cython.cfunc
@cython.inline
def _is_emoji(ch: cython.Py_UCS4) -> cython.bint:
    # analysis._EMOJI_CHARS
    code: cython.long = ord(ch)
    return (
        (0x1F300 <= code <= 0x1FAFF)
        or (0x1F000 <= code <= 0x1F2FF)
        or (0x2600 <= code <= 0x27BF)
        or (0x2B00 <= code <= 0x2BFF)
        or (0x2300 <= code <= 0x23FF)
    )


@cython.cfunc
@cython.inline
def _is_apostrophe(ch: cython.Py_UCS4) -> cython.bint:
    return ch == "'" or ch == "\u2019" or ch == "\u05f3" or ch == "\u05f4"


@cython.cfunc
@cython.inline
def _is_flag(ch: cython.Py_UCS4) -> cython.bint:
    code: cython.long = ord(ch)
    return 0x1F1E6 <= code <= 0x1F1FF


@cython.cfunc
@cython.inline
def _is_final(ch: cython.Py_UCS4) -> cython.bint:
    return ch == "\u05da" or ch == "\u05dd" or ch == "\u05df" or ch == "\u05e3" or ch == "\u05e5"


# Hebrew final letters -> regular ones (hebrew.FINAL_TO_REGULAR).
_FINALS = str.maketrans("\u05da\u05dd\u05df\u05e3\u05e5", "\u05db\u05de\u05e0\u05e4\u05e6")


@cython.ccall
def tokenize(text: str) -> list:
    """`TOKEN_RE.findall(text.translate(FINAL_TO_REGULAR))` for casefolded text:
    `[#@]?\\w+(?:['’׳״]\\w+)*`, a flag pair, or an emoji with its zero-width-joined
    continuation, scanned left to right as the regex engine does."""
    out: list = []
    n: cython.Py_ssize_t = len(text)
    i: cython.Py_ssize_t = 0
    j: cython.Py_ssize_t
    ch: cython.Py_UCS4
    final: cython.bint
    while i < n:
        ch = text[i]
        j = i
        if (ch == "#" or ch == "@") and i + 1 < n and _is_word(text[i + 1]):
            j = i + 1
        if _is_word(text[j]):
            final = False
            while j < n and _is_word(text[j]):
                final = final or _is_final(text[j])
                j += 1
            while j + 1 < n and _is_apostrophe(text[j]) and _is_word(text[j + 1]):
                j += 1
                while j < n and _is_word(text[j]):
                    final = final or _is_final(text[j])
                    j += 1
            out.append(text[i:j].translate(_FINALS) if final else text[i:j])
            i = j
        elif _is_flag(ch) and i + 1 < n and _is_flag(text[i + 1]):
            out.append(text[i : i + 2])
            i += 2
        elif _is_emoji(ch):
            j = i + 1
            while j + 1 < n and text[j] == "\u200d" and _is_emoji(text[j + 1]):
                j += 2
            out.append(text[i:j])
            i = j
        else:
            i += 1
    return out


@cython.cfunc
@cython.inline
def _is_dropped(ch: cython.Py_UCS4) -> cython.bint:
    # analysis._DROP: niqqud and cantillation (not the punctuation of that block), variation
    # selectors, zero-width space, emoji skin tones.
    code: cython.long = ord(ch)
    if 0x0591 <= code <= 0x05C7:
        return code != 0x05BE and code != 0x05C0 and code != 0x05C3 and code != 0x05C6
    return code == 0xFE0F or code == 0xFE0E or code == 0x200B or (0x1F3FB <= code <= 0x1F3FF)


@cython.ccall
def drop(text: str) -> str:
    """`text` without the characters analysis._DROP removes (the same object when none)."""
    n: cython.Py_ssize_t = len(text)
    i: cython.Py_ssize_t = 0
    start: cython.Py_ssize_t = 0
    pieces: list = []
    while i < n:
        if _is_dropped(text[i]):
            if start < i:
                pieces.append(text[start:i])
            start = i + 1
        i += 1
    if start == 0:
        return text
    if start < n:
        pieces.append(text[start:n])
    return "".join(pieces)


@cython.cfunc
@cython.inline
def _is_hebrew_letter(ch: cython.Py_UCS4) -> cython.bint:
    code: cython.long = ord(ch)
    return 0x05D0 <= code <= 0x05EA


@cython.ccall
def token_keys(token: str, lang: str, with_fold: cython.bint) -> list:
    """The keys of a post token: itself, its body without #/@, its Hebrew bases behind a prefix
    chain, its English or Polish stem, folded forms when folding (`analysis.token_keys` is the
    deduplicated tuple)."""
    body: str = token[1:] if token[0] == "#" or token[0] == "@" else token
    keys: list = [token, body] if body is not token else [token]
    if body and _is_hebrew_letter(body[0]):
        keys.extend(prefix_bases(body))
    elif body.isalpha():
        if lang == "en":
            keys.append(EN + en_stem(body))
        elif lang == "pl":
            keys.append(PL + pl_stem(body))
        if with_fold:
            keys.append(FOLD + fold(body))
            if lang == "pl":
                keys.append(PLF + pl_stem(body, folded=True))
    return keys


# A token that meets no query of the index (one shared object: cheap to store and test).
_NOTHING: tuple = (None, None)


@cython.cclass
class TokenIndex:
    """Token -> (ids of the queries whose first presearch requirement it meets, ids of those
    whose second requirement it meets) for one shard of the Matcher and one analysis mode.

    Filled on first sight of a token from the shard's two passes: a key index each (key -> id
    or set of ids) and an Aho-Corasick automaton of wildcard fragments each. Streams repeat
    their tokens endlessly, so after warm-up a post costs one dict lookup per token. Dropped
    whenever the shard changes.
    """

    first: dict
    second: dict
    first_automaton: object
    second_automaton: object
    memo: dict
    lang: str
    with_fold: cython.bint
    limit: cython.Py_ssize_t

    def __init__(
        self,
        first: dict[str, Any],
        first_automaton: Any,
        second: dict[str, Any],
        second_automaton: Any,
        lang: str,
        with_fold: bool,
        limit: int = 500_000,
    ) -> None:
        self.first = first
        self.first_automaton = first_automaton
        self.second = second
        self.second_automaton = second_automaton
        self.memo = {}
        self.lang = lang
        self.with_fold = with_fold
        self.limit = limit

    def __len__(self) -> int:
        return len(self.memo)

    @cython.ccall
    def candidates(self, tokens: list, extra: set, second_required: set) -> tuple:
        """(hits, unmet): the ids whose first requirement the tokens meet, plus `extra`; and
        those of them in `second_required` whose second requirement no token meets."""
        hits: set = set(extra)
        met: list = []
        memo: dict = self.memo
        for token in tokens:
            entry = memo.get(token)
            if entry is None:
                entry = self.entry(token)
                if len(memo) >= self.limit:
                    memo.clear()  # an unbounded stream of new tokens must not grow memory
                memo[token] = entry
            if entry is _NOTHING:
                continue
            found = entry[0]
            if found is not None:
                hits.update(found)
            found = entry[1]
            if found is not None:
                met.append(found)
        unmet: set = hits & second_required
        # Subtract only sets that share an id with the few unmet ones: isdisjoint walks the
        # smaller set, so a common word in hundreds of second requirements stays cheap.
        for found in met:
            if not unmet:
                break
            if not unmet.isdisjoint(found):
                unmet.difference_update(found)
        return hits, unmet

    @cython.ccall
    def entry(self, token: str) -> tuple:
        """What `token` meets: (first-pass ids or None, second-pass ids or None); not stored.
        `_engine.SpanIndex` finds the same ids the same way (tests compare the two paths)."""
        first: set = set()
        second: set = set()
        first_index: dict = self.first
        second_index: dict = self.second
        for key in token_keys(token, self.lang, self.with_fold):
            qids = first_index.get(key)
            if qids is not None:
                if type(qids) is int:
                    first.add(qids)
                else:
                    first |= qids
            qids = second_index.get(key)
            if qids is not None:
                if type(qids) is int:
                    second.add(qids)
                else:
                    second |= qids
        if self.first_automaton is not None or self.second_automaton is not None:
            forms = (token, fold(token)) if self.with_fold else (token,)
            for form in forms:
                if self.first_automaton is not None:
                    for _end, qids in self.first_automaton.iter(form):
                        first.update(qids)
                if self.second_automaton is not None:
                    for _end, qids in self.second_automaton.iter(form):
                        second.update(qids)
        if first or second:
            # Tuples of ints, not frozensets: the garbage collector untracks them, so a memo
            # of a few hundred thousand tokens adds nothing to the collections' walks.
            return (tuple(first) if first else None, tuple(second) if second else None)
        return _NOTHING
