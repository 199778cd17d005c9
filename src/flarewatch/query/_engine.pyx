# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The Matcher's per-post loop in C: token spans with their hashes, and a C hash table memo.

Why this exists beside `_native`: after `_native` compiled the tokenizer and the presearch memo,
what was left of the per-post cost was CPython itself: a new str object for every token of every
post, a dict lookup for each (the memo of a long-running worker holds hundreds of thousands of
tokens and misses the CPU cache on every probe), set objects for hits, and the Python stemmers
on the first sight of each new token. Here a post is scanned once into (start, end, hash) spans
of its normalised code points, without creating token strings, and each span is looked up in an
open-addressing table of 64-byte slots (one cache line) that keeps the token's code points for
an exact comparison and the ids of the queries it meets. Only a token seen for the first time
becomes a Python string; its keys come from C ports of the stemmers (`token_keys`, checked
against `_native.token_keys`), and it meets exactly what `_native.TokenIndex.entry` says.

Written as Cython proper, not pure-Python mode like `_native`: it needs C arrays and malloc. It
is optional: without a C compiler the Matcher runs `_native` alone, with the same results
(tests/query/test_engine.py compares the two).
"""

from cpython.mem cimport PyMem_Malloc, PyMem_Realloc, PyMem_Free
from cpython.dict cimport PyDict_GetItem
from cpython.list cimport PyList_GET_ITEM
from cpython.object cimport PyObject
from cpython.unicode cimport (
    PyUnicode_4BYTE_KIND,
    PyUnicode_AsUCS4,
    PyUnicode_AsUCS4Copy,
    PyUnicode_FromKindAndData,
)
from libc.stdint cimport uint64_t, int32_t
from libc.string cimport memset, memcmp

from flarewatch.query._native import EN, FOLD, PL, PLF
from flarewatch.query import english, hebrew, polish
from unicodedata import is_normalized


cdef extern from *:
    void __builtin_prefetch(const void *addr) nogil

# The character classes of `_native.tokenize` (and analysis.TOKEN_RE); kept in step by
# tests/query/test_engine.py, which compares spans with the regex tokens on random text.
# ASCII goes through a table: CPython's Py_UNICODE_ISALNUM is a function call per character.
cdef bint _ASCII_WORD[128]
for _c in range(128):
    _ASCII_WORD[_c] = chr(_c) == "_" or chr(_c).isalnum()


cdef inline bint _is_word(Py_UCS4 ch):
    if ch < 128:
        return _ASCII_WORD[ch]
    return ch.isalnum()


cdef inline bint _is_emoji(Py_UCS4 ch):
    cdef long code = <long>ch
    return (
        (0x1F300 <= code <= 0x1FAFF)
        or (0x1F000 <= code <= 0x1F2FF)
        or (0x2600 <= code <= 0x27BF)
        or (0x2B00 <= code <= 0x2BFF)
        or (0x2300 <= code <= 0x23FF)
    )


cdef inline bint _is_apostrophe(Py_UCS4 ch):
    return ch == u"'" or ch == u"\u2019" or ch == u"\u05f3" or ch == u"\u05f4"


cdef inline bint _is_flag(Py_UCS4 ch):
    cdef long code = <long>ch
    return 0x1F1E6 <= code <= 0x1F1FF


cdef inline Py_UCS4 _regular(Py_UCS4 ch):
    # Hebrew final letters compare as regular ones (hebrew.FINAL_TO_REGULAR).
    if ch < 0x05DA or ch > 0x05E5:
        return ch
    if ch == u"\u05da":
        return u"\u05db"
    if ch == u"\u05dd":
        return u"\u05de"
    if ch == u"\u05df":
        return u"\u05e0"
    if ch == u"\u05e3":
        return u"\u05e4"
    if ch == u"\u05e5":
        return u"\u05e6"
    return ch


cdef inline uint64_t _mix(uint64_t h):
    # FNV-1a leaves the low bits (the table index) poorly spread; a murmur finaliser fixes that.
    h ^= h >> 33
    h *= 0xff51afd7ed558ccdULL
    h ^= h >> 33
    h *= 0xc4ceb9fe1a85ec53ULL
    h ^= h >> 33
    return h if h else 1  # 0 marks an empty slot


cdef inline uint64_t _fnv_step(uint64_t h, Py_UCS4 ch):
    return (h ^ <uint64_t>ch) * 0x100000001b3ULL


cdef uint64_t _fnv_ns(Py_UCS4 ns, const Py_UCS4 *chars, Py_ssize_t n, Py_UCS4 tail):
    """The engine's hash of the code points [ns] + chars + [tail] (FNV-1a, then `_mix`); 0 means
    "absent" for ns and tail (no key holds NUL). Every hash here is this one: spans, keys of
    the index, fragments, function words, so a key hashed on a token's code points equals the
    hash of the key's string."""
    cdef uint64_t h = 0xcbf29ce484222325ULL
    cdef Py_ssize_t i
    if ns:
        h = _fnv_step(h, ns)
    for i in range(n):
        h = _fnv_step(h, chars[i])
    if tail:
        h = _fnv_step(h, tail)
    return _mix(h)


cdef void *_grow(void *ptr, size_t size) except NULL:
    cdef void *out = PyMem_Realloc(ptr, size)
    if out == NULL:
        raise MemoryError()
    return out


cdef class SpanIndex


cdef class Spans:
    """The tokens of one text as spans of its normalised code points (Hebrew final letters
    made regular, as in tokens) with a hash each; `tokens()` gives the strings
    `analysis.tokens` gives."""

    cdef Py_UCS4 *chars
    cdef Py_ssize_t length
    cdef Py_ssize_t count
    cdef Py_ssize_t capacity
    cdef Py_ssize_t *starts
    cdef Py_ssize_t *ends
    cdef uint64_t *hashes
    # Where each token's keys are in the `key_tuples` list of the SpanIndex that last collected
    # these spans. The spans hold that list, so the tuples stay alive after the index empties
    # itself (`match_batch` verifies a post after collecting the whole batch); `stale` when the
    # index emptied itself in the middle of these spans, and then the keys are derived again.
    cdef int32_t *keys_at  # -1: not derived yet (a first sight that met nothing)
    cdef list key_tuples
    cdef bint stale
    cdef str lang
    cdef bint with_fold
    cdef SpanIndex owner

    def __cinit__(self):
        self.keys_at = NULL
        self.key_tuples = None
        self.chars = NULL
        self.length = 0
        self.count = 0
        self.capacity = 0
        self.starts = NULL
        self.ends = NULL
        self.hashes = NULL

    def __dealloc__(self):
        PyMem_Free(self.keys_at)
        PyMem_Free(self.chars)
        PyMem_Free(self.starts)
        PyMem_Free(self.ends)
        PyMem_Free(self.hashes)

    def __len__(self):
        return self.count

    cdef int _push(self, Py_ssize_t start, Py_ssize_t end) except -1:
        cdef Py_ssize_t cap
        if self.count == self.capacity:
            cap = self.capacity * 2 if self.capacity else 32
            self.starts = <Py_ssize_t *>_grow(self.starts, cap * sizeof(Py_ssize_t))
            self.ends = <Py_ssize_t *>_grow(self.ends, cap * sizeof(Py_ssize_t))
            self.hashes = <uint64_t *>_grow(self.hashes, cap * sizeof(uint64_t))
            self.keys_at = <int32_t *>_grow(self.keys_at, cap * sizeof(int32_t))
            self.capacity = cap
        self.starts[self.count] = start
        self.ends[self.count] = end
        self.hashes[self.count] = _fnv_ns(0, &self.chars[start], end - start, 0)
        self.count += 1
        return 0

    cdef str token(self, Py_ssize_t k):
        return PyUnicode_FromKindAndData(
            PyUnicode_4BYTE_KIND, &self.chars[self.starts[k]], self.ends[k] - self.starts[k]
        )

    def tokens(self):
        """The token strings, in order."""
        return [self.token(k) for k in range(self.count)]

    cpdef set add_keys(self, set keys):
        """Add to `keys` the keys of all tokens, as the SpanIndex that collected these spans
        last derived them; returns `keys`."""
        self._analyse(keys, False)
        return keys

    cpdef list tokens_and_keys(self, set keys):
        """`tokens()`, and `add_keys(keys)` on the way (each token string is made once)."""
        return self._analyse(keys, True)

    cdef list _analyse(self, set keys, bint want_tokens):
        cdef Py_ssize_t k
        cdef Slot *slot
        cdef tuple derived
        cdef str token
        cdef list tokens = [] if want_tokens else None
        if self.key_tuples is None and self.count:
            raise ValueError("these spans were never collected by a SpanIndex")
        for k in range(self.count):
            token = self.token(k) if want_tokens or self.stale or self.keys_at[k] < 0 else None
            if want_tokens:
                tokens.append(token)
            if self.stale:
                keys.update(_token_keys(token, self.lang, self.with_fold))
            elif self.keys_at[k] >= 0:
                keys.update(<object>PyList_GET_ITEM(self.key_tuples, self.keys_at[k]))
            else:
                # Derived on first need and kept in the slot, if the index still holds it.
                derived = tuple(_token_keys(token, self.lang, self.with_fold))
                if self.owner.key_tuples is self.key_tuples:
                    slot = self.owner._find(self, k)
                    if slot != NULL and slot.keys_at < 0:
                        slot.keys_at = <int32_t>len(self.key_tuples)
                        self.key_tuples.append(derived)
                keys.update(derived)
        return tokens


cpdef Spans scan(str text):
    """Spans of `_native.tokenize(text)` for casefolded, normalised text (analysis.normalised)."""
    cdef Spans spans = Spans.__new__(Spans)
    cdef Py_ssize_t n = len(text)
    cdef Py_ssize_t i
    spans.chars = <Py_UCS4 *>PyMem_Malloc((n + 1) * sizeof(Py_UCS4))
    if spans.chars == NULL:
        raise MemoryError()
    spans.length = n
    if n:
        PyUnicode_AsUCS4(text, spans.chars, n, 0)
    for i in range(n):
        spans.chars[i] = _regular(spans.chars[i])
    _tokenize(spans)
    return spans


cdef int _tokenize(Spans spans) except -1:
    """`[#@]?\\w+(?:['’׳״]\\w+)*`, a flag pair, or an emoji with its zero-width-joined
    continuation, scanned left to right over `spans.chars` as the regex engine does."""
    cdef Py_ssize_t n = spans.length
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t j
    cdef Py_UCS4 ch
    cdef Py_UCS4 *chars = spans.chars
    chars[n] = 0  # a sentinel no branch below takes for a word or emoji character
    while i < n:
        ch = chars[i]
        j = i
        if (ch == u"#" or ch == u"@") and _is_word(chars[i + 1]):
            j = i + 1
        if _is_word(chars[j]):
            while _is_word(chars[j]):
                j += 1
            while _is_apostrophe(chars[j]) and _is_word(chars[j + 1]):
                j += 1
                while _is_word(chars[j]):
                    j += 1
            spans._push(i, j)
            i = j
        elif _is_flag(ch) and _is_flag(chars[i + 1]):
            spans._push(i, i + 2)
            i += 2
        elif _is_emoji(ch):
            j = i + 1
            while chars[j] == u"\u200d" and _is_emoji(chars[j + 1]):
                j += 2
            spans._push(i, j)
            i = j
        else:
            i += 1
    return 0


# Simple case folding on the fly: for each code point below 0x20000, what casefold() makes of
# it when that is one code point, or _COMPLEX when it becomes several (ß -> ss, İ -> i̇), which
# sends the text through analysis.normalised. Built on first use (about 30 ms).
cdef enum:
    _COMPLEX = 0xFFFFFFFF
    _FOLD_LIMIT = 0x20000
cdef Py_UCS4 *_FOLD = NULL


cdef int _build_fold() except -1:
    global _FOLD
    cdef Py_UCS4 *table = <Py_UCS4 *>PyMem_Malloc(_FOLD_LIMIT * sizeof(Py_UCS4))
    cdef Py_ssize_t c
    cdef str folded
    if table == NULL:
        raise MemoryError()
    for c in range(_FOLD_LIMIT):
        folded = chr(c).casefold()
        table[c] = ord(folded) if len(folded) == 1 else _COMPLEX
    _FOLD = table
    return 0


cdef inline bint _is_dropped(Py_UCS4 ch):
    # analysis._DROP: niqqud and cantillation (not the punctuation of that block), variation
    # selectors, zero-width space, emoji skin tones; and the dot casefold("İ") leaves.
    if 0x0591 <= ch <= 0x05C7:
        return ch != 0x05BE and ch != 0x05C0 and ch != 0x05C3 and ch != 0x05C6
    return (
        ch == 0xFE0F or ch == 0xFE0E or ch == 0x200B or (0x1F3FB <= ch <= 0x1F3FF)
        or ch == 0x0307
    )


cdef inline bint _at(Py_UCS4 *chars, Py_ssize_t i, Py_ssize_t n, str word):
    cdef Py_ssize_t k
    if i + len(word) > n:
        return False
    for k in range(len(word)):
        if chars[i + k] != <Py_UCS4>word[k]:
            return False
    return True


cdef bint _fold_in_place(Spans spans, Py_UCS4 *chars, Py_ssize_t n) except -1:
    """`analysis.normalised` for the common text, in the copied code points: drop, casefold
    and Hebrew finals, compacting as characters drop out. False (and `chars` left in an
    unspecified state) where that function would do more: quotes and apostrophes, URLs,
    e-mail addresses, multi-character case folds."""
    cdef Py_ssize_t i, out = 0
    cdef Py_UCS4 ch, folded
    if _FOLD == NULL:
        _build_fold()
    for i in range(n):
        ch = chars[i]
        if ch < 128:
            if ch == u"'" or ch == u'"' or ch == u"@":
                return False
            if (ch == u"h" or ch == u"H" or ch == u"w" or ch == u"W") and (
                _at(chars, i, n, "http") or _at(chars, i, n, "HTTP")
                or _at(chars, i, n, "www.") or _at(chars, i, n, "WWW.")
            ):
                return False
            if 65 <= ch <= 90:
                ch = <Py_UCS4>(<unsigned int>ch + 32)
        else:
            if _is_dropped(ch):
                continue
            if ch == 0x2019:  # ’: possessives and apostrophes are rewritten by analysis
                return False
            if ch < _FOLD_LIMIT:
                folded = _FOLD[ch]
                if folded == _COMPLEX:
                    return False
                ch = _regular(folded)
        chars[out] = ch
        out += 1
    spans.length = out
    return True


cpdef Spans scan_text(str text):
    """Spans of `analysis.tokens(text)`. Text that is already NFKC and needs no rewriting but
    case folding, niqqud drop and Hebrew finals (the usual post) is folded here on the copied
    code points; anything else goes through `analysis.normalised` first."""
    cdef Py_ssize_t n = len(text)
    cdef Spans spans
    if text.isascii() or is_normalized("NFKC", text):
        spans = Spans.__new__(Spans)
        spans.chars = <Py_UCS4 *>PyMem_Malloc((n + 1) * sizeof(Py_UCS4))
        if spans.chars == NULL:
            raise MemoryError()
        if n:
            PyUnicode_AsUCS4(text, spans.chars, n, 0)
        if _fold_in_place(spans, spans.chars, n):
            _tokenize(spans)
            return spans
    from flarewatch.query.analysis import normalised  # analysis imports this module

    return scan(normalised(text))


# C ports of the stemmers for the first sight of a post token, which is most of the cost of a
# long-tail stream: the Python originals (english.py, polish.py, hebrew.py) stay the reference,
# used for query words, and tests/query/test_engine.py checks these against them on random words.
cdef frozenset _EN_INVARIANT = english._INVARIANT
cdef tuple _ES_AFTER = english._ES_AFTER
cdef tuple _KEEP_S = english._KEEP_S
cdef frozenset _CHAINS = hebrew.PREFIX_CHAINS
cdef Py_ssize_t _MAX_CHAIN = hebrew.MAX_CHAIN
cdef Py_ssize_t _MIN_BASE = hebrew.MIN_BASE
cdef Py_ssize_t _MIN_STEM = polish.MIN_STEM
cdef tuple _PL_PLAIN = polish._PLAIN
cdef tuple _PL_FOLDED = polish._FOLDED
cdef object _fold = polish.fold


# polish._PLAIN as C arrays: its suffixes (longest first, as the table orders them) and its
# stem-final alternations, compared on code points instead of through slices and set lookups.
cdef enum:
    _PL_MAX = 64  # at most this many suffixes or alternations, of at most 7 code points
cdef Py_UCS4 _SUFFIX[_PL_MAX][8]
cdef Py_ssize_t _SUFFIX_LEN[_PL_MAX]
cdef Py_ssize_t _N_SUFFIX = 0
cdef Py_UCS4 _FINAL_OLD[_PL_MAX][8]
cdef Py_ssize_t _FINAL_OLD_LEN[_PL_MAX]
cdef Py_UCS4 _FINAL_NEW[_PL_MAX][8]
cdef Py_ssize_t _FINAL_NEW_LEN[_PL_MAX]
cdef Py_ssize_t _N_FINAL = 0


cdef int _load_polish() except -1:
    global _N_SUFFIX, _N_FINAL
    cdef Py_ssize_t i
    for size, group in _PL_PLAIN[0]:
        for suffix in sorted(group):
            if _N_SUFFIX == _PL_MAX or len(suffix) > 7:
                raise ValueError("polish._PLAIN outgrew the C tables of _engine")
            for i in range(len(suffix)):
                _SUFFIX[_N_SUFFIX][i] = suffix[i]
            _SUFFIX_LEN[_N_SUFFIX] = len(suffix)
            _N_SUFFIX += 1
    for old, new in _PL_PLAIN[1]:
        if _N_FINAL == _PL_MAX or len(old) > 7 or len(new) > 7:
            raise ValueError("polish._PLAIN outgrew the C tables of _engine")
        for i in range(len(old)):
            _FINAL_OLD[_N_FINAL][i] = old[i]
        for i in range(len(new)):
            _FINAL_NEW[_N_FINAL][i] = new[i]
        _FINAL_OLD_LEN[_N_FINAL] = len(old)
        _FINAL_NEW_LEN[_N_FINAL] = len(new)
        _N_FINAL += 1
    return 0


_load_polish()


cdef inline bint _ends_with(Py_UCS4 *word, Py_ssize_t size, Py_UCS4 *tail, Py_ssize_t n):
    cdef Py_ssize_t i
    if n > size:
        return False
    for i in range(n):
        if word[size - n + i] != tail[i]:
            return False
    return True


cdef Py_ssize_t _pl_stem_chars(Py_UCS4 *chars, Py_ssize_t size):
    """polish.pl_stem (not folded) of an alphabetic word, in place: the stem's length."""
    cdef Py_ssize_t k, i, cut = size
    for k in range(_N_SUFFIX):  # longest first: the first that fits wins, as in pl_stem
        if size - _SUFFIX_LEN[k] >= _MIN_STEM and _ends_with(
            chars, size, _SUFFIX[k], _SUFFIX_LEN[k]
        ):
            cut = size - _SUFFIX_LEN[k]
            break
    for k in range(_N_FINAL):
        if _ends_with(chars, cut, _FINAL_OLD[k], _FINAL_OLD_LEN[k]):
            cut -= _FINAL_OLD_LEN[k]
            for i in range(_FINAL_NEW_LEN[k]):
                chars[cut + i] = _FINAL_NEW[k][i]
            cut += _FINAL_NEW_LEN[k]
            break
    for i in range(cut):  # polish._INNER
        if chars[i] == u"ó":
            chars[i] = u"o"
        elif chars[i] == u"ę":
            chars[i] = u"ą"
    return cut


cdef str _pl_stem_plain(str word):
    """polish.pl_stem(word) for an alphabetic casefolded word, on its code points."""
    cdef Py_ssize_t size = len(word)
    cdef Py_UCS4 small[64]
    cdef Py_UCS4 *chars = small
    cdef str out
    if size + 8 > 64:
        chars = <Py_UCS4 *>PyMem_Malloc((size + 8) * sizeof(Py_UCS4))
        if chars == NULL:
            raise MemoryError()
    try:
        PyUnicode_AsUCS4(word, chars, size, 0)
        out = PyUnicode_FromKindAndData(
            PyUnicode_4BYTE_KIND, chars, _pl_stem_chars(chars, size)
        )
    finally:
        if chars != small:
            PyMem_Free(chars)
    return out


cdef str _pl_stem(str word, bint folded):
    cdef tuple table = _PL_FOLDED if folded else _PL_PLAIN
    cdef Py_ssize_t n, size
    cdef str stem
    if not folded:
        return _pl_stem_plain(word) if word.isalpha() else word
    word = _fold(word)
    if not word.isalpha():
        return word
    size = len(word)
    stem = word
    for n, group in table[0]:
        if size - n >= _MIN_STEM and word[size - n:] in group:
            stem = word[: size - n]
            break
    for old, new in table[1]:
        if stem.endswith(old):
            stem = stem[: len(stem) - len(old)] + new
            break
    if folded or (u"ó" not in stem and u"ę" not in stem):
        return stem
    return stem.replace(u"ó", u"o").replace(u"ę", u"ą")


cdef bint _is_prefix_letter(Py_UCS4 ch):
    return (
        ch == u"ו" or ch == u"ה" or ch == u"ב" or ch == u"ל" or ch == u"מ" or ch == u"ש"
        or ch == u"כ"
    )


# english._INVARIANT and hebrew.PREFIX_CHAINS as code points, so that the one English stemmer
# and the one prefix-chain walk below run on code points, for key strings and key hashes alike.
cdef enum:
    _WORDS_MAX = 256
    _WORD_MAX_LEN = 16
cdef Py_UCS4 _EN_INV[_WORDS_MAX][_WORD_MAX_LEN]
cdef Py_ssize_t _EN_INV_LEN[_WORDS_MAX]
cdef Py_ssize_t _N_EN_INV = 0
cdef Py_UCS4 _CHAIN[_WORDS_MAX][_WORD_MAX_LEN]
cdef Py_ssize_t _CHAIN_LEN[_WORDS_MAX]
cdef Py_ssize_t _N_CHAINS = 0


cdef Py_ssize_t _load_words_into(
    object words, Py_UCS4 table[][_WORD_MAX_LEN], Py_ssize_t *lengths
) except -1:
    cdef Py_ssize_t n = 0, i
    for word in sorted(words):
        if n == _WORDS_MAX or len(word) > _WORD_MAX_LEN:
            raise ValueError("a word list outgrew the C tables of _engine")
        for i in range(len(word)):
            table[n][i] = word[i]
        lengths[n] = len(word)
        n += 1
    return n


_N_EN_INV = _load_words_into(_EN_INVARIANT, _EN_INV, _EN_INV_LEN)
_N_CHAINS = _load_words_into(_CHAINS, _CHAIN, _CHAIN_LEN)


cdef inline bint _in_words(
    const Py_UCS4 *chars, Py_ssize_t n, Py_UCS4 table[][_WORD_MAX_LEN],
    const Py_ssize_t *lengths, Py_ssize_t count,
):
    cdef Py_ssize_t i, c
    for i in range(count):
        if lengths[i] != n:
            continue
        for c in range(n):
            if table[i][c] != chars[c]:
                break
        else:
            return True
    return False


cdef inline bint _ends(const Py_UCS4 *chars, Py_ssize_t size, str tail):
    cdef Py_ssize_t n = len(tail), i
    if n > size:
        return False
    for i in range(n):
        if chars[size - n + i] != <Py_UCS4>tail[i]:
            return False
    return True


cdef Py_ssize_t _en_stem_chars(const Py_UCS4 *word, Py_ssize_t size, Py_UCS4 *tail):
    """english.en_stem of an alphabetic word: the stem is word[:returned] + tail (tail 0: none)."""
    cdef Py_UCS4 before
    tail[0] = 0
    if size <= 3 or word[size - 1] != u"s" or _in_words(
        word, size, _EN_INV, _EN_INV_LEN, _N_EN_INV
    ):
        return size
    before = word[size - 4] if size >= 4 else 0
    if size > 4 and _ends(word, size, "ies") and before != u"a" and before != u"e":
        tail[0] = u"y"
        return size - 3
    for suffix in _ES_AFTER:
        if _ends(word, size, suffix):
            return size - 2
    for suffix in _KEEP_S:
        if _ends(word, size, suffix):
            return size
    return size - 1


cdef Py_ssize_t _prefix_offsets(const Py_UCS4 *body, Py_ssize_t n, Py_ssize_t *out):
    """hebrew.prefix_bases: where each base starts (after a valid prefix chain), longest first."""
    cdef Py_ssize_t k, count = 0
    cdef Py_ssize_t limit = min(_MAX_CHAIN, n - _MIN_BASE)
    for k in range(1, limit + 1):
        if _in_words(body, k, _CHAIN, _CHAIN_LEN, _N_CHAINS):
            out[count] = k
            count += 1
        elif not _is_prefix_letter(body[k - 1]):
            break
    return count


cdef str _en_stem(str word):
    cdef Py_ssize_t size = len(word), cut
    cdef Py_UCS4 tail
    cdef Py_UCS4 *chars = PyUnicode_AsUCS4Copy(word)
    try:
        cut = _en_stem_chars(chars, size, &tail)
    finally:
        PyMem_Free(chars)
    if cut == size and not tail:
        return word
    return word[:cut] + "y" if tail else word[:cut]


cdef list _prefix_bases(str token, list out):
    cdef Py_ssize_t offsets[_WORD_MAX_LEN]
    cdef Py_ssize_t count, i
    cdef Py_UCS4 *chars = PyUnicode_AsUCS4Copy(token)
    try:
        count = _prefix_offsets(chars, len(token), offsets)
    finally:
        PyMem_Free(chars)
    for i in range(count):
        out.append(token[offsets[i]:])
    return out


cdef list _token_keys(str token, str lang, bint with_fold):
    """`_native.token_keys` with the C stemmers."""
    cdef Py_UCS4 head = token[0]
    cdef str body = token[1:] if head == u"#" or head == u"@" else token
    cdef list keys = [token, body] if body is not token else [token]
    if body and 0x05D0 <= <long>body[0] <= 0x05EA:
        _prefix_bases(body, keys)
    elif body.isalpha():
        if lang == "en":
            keys.append(EN + _en_stem(body))
        elif lang == "pl":
            keys.append(PL + _pl_stem(body, False))
        if with_fold:
            keys.append(FOLD + _fold(body))
            if lang == "pl":
                keys.append(PLF + _pl_stem(body, True))
    return keys


# The hashes of a post token's keys (`_token_keys`), computed on its code points with no
# Python string: a new token whose key hashes are all absent from the shard's index (the Bloom
# filter below, built from the index keys' code points) meets no query through its keys, which
# is what most first sights in a long-tail stream are. Hash of a key = `_fnv_ns` of the code
# points of its string, namespace character included.
cdef enum:
    _MAX_KEYS = 16
    _STEM_BUFFER = 256  # longer words take the Python path


cdef Py_ssize_t _key_hashes(const Py_UCS4 *token, Py_ssize_t n, int lang, uint64_t *out):
    """The hashes of `_token_keys(token, lang, False)` (lang: 1 en, 2 pl, 0 other) into `out`;
    -1 where only the Python path can say (a very long word)."""
    cdef Py_ssize_t count = 0, k, bases, cut
    cdef const Py_UCS4 *body = token
    cdef Py_ssize_t blen = n
    cdef Py_UCS4 stem[_STEM_BUFFER]
    cdef Py_ssize_t offsets[_WORD_MAX_LEN]
    cdef bint alpha
    cdef Py_UCS4 tail
    out[count] = _fnv_ns(0, token, n, 0)
    count += 1
    if n and (token[0] == u"#" or token[0] == u"@"):
        body = token + 1
        blen = n - 1
        out[count] = _fnv_ns(0, body, blen, 0)
        count += 1
    if blen and 0x05D0 <= body[0] <= 0x05EA:
        bases = _prefix_offsets(body, blen, offsets)
        if count + bases > _MAX_KEYS:
            return -1
        for k in range(bases):
            out[count] = _fnv_ns(0, body + offsets[k], blen - offsets[k], 0)
            count += 1
        return count
    if blen == 0 or lang == 0:
        return count
    alpha = True
    for k in range(blen):
        if not (<Py_UCS4>body[k]).isalpha():
            alpha = False
            break
    if not alpha:
        return count
    if lang == 1:
        cut = _en_stem_chars(body, blen, &tail)
        out[count] = _fnv_ns(1, body, cut, tail)
        return count + 1
    if blen + 8 > _STEM_BUFFER:
        return -1
    for k in range(blen):
        stem[k] = body[k]
    cut = _pl_stem_chars(stem, blen)
    out[count] = _fnv_ns(2, stem, cut, 0)
    return count + 1


def key_hashes(str token, str lang):
    """The hashes the engine derives for a post token's keys without making them (tests
    compare them with the hashes of `_native.token_keys`' strings); None: the Python path."""
    cdef uint64_t out[_MAX_KEYS]
    cdef Py_UCS4 *chars = PyUnicode_AsUCS4Copy(token)
    cdef Py_ssize_t n
    try:
        n = _key_hashes(chars, len(token), 1 if lang == "en" else 2 if lang == "pl" else 0, out)
    finally:
        PyMem_Free(chars)
    return None if n < 0 else [out[i] for i in range(n)]


def string_hash(str key):
    """The engine's hash of a key string (its code points)."""
    cdef Py_UCS4 *chars = PyUnicode_AsUCS4Copy(key)
    try:
        return _fnv_ns(0, chars, len(key), 0)
    finally:
        PyMem_Free(chars)


def token_keys(str token, str lang, bint with_fold):
    """The keys the engine derives for a post token (equal to `_native.token_keys`)."""
    return _token_keys(token, lang, with_fold)


def union_keys(distinct, str lang, bint with_fold):
    """All keys of the given tokens. Derived afresh: with the C stemmers that is cheaper than
    caching them per token, since most tokens of a verified post were never verified before."""
    cdef set keys = set()
    for token in distinct:
        keys.update(_token_keys(token, lang, with_fold))
    return keys


cdef struct IdList:
    int32_t *ids
    Py_ssize_t count
    Py_ssize_t capacity


cdef int _push_id(IdList *found, Py_ssize_t qid) except -1:
    cdef Py_ssize_t cap
    if found.count == found.capacity:
        cap = found.capacity * 2 if found.capacity else 64
        found.ids = <int32_t *>_grow(found.ids, cap * sizeof(int32_t))
        found.capacity = cap
    found.ids[found.count] = <int32_t>qid
    found.count += 1
    return 0


cdef int _append_ids(IdList *found, object qids) except -1:
    # An index value is one id or a set of them (matcher.QueryIds).
    if type(qids) is int:
        return _push_id(found, qids)
    for qid in qids:
        _push_id(found, qid)
    return 0


cdef class KeyFilter:
    """A Bloom filter over the index keys of a shard: most keys of a new token are in no query,
    and this answers that from 128 KiB that stay in cache instead of two probes of dicts of
    tens of thousands of keys. It uses the str hash Python caches in each key object; a "maybe"
    is always settled by the dicts themselves."""

    cdef uint64_t bits[1 << 14]  # 2**20 bits

    def __init__(self, keys, bint code_points=False):
        """`code_points`: hash each key as the engine hashes code points (`string_hash`)
        instead of with Python's str hash."""
        memset(self.bits, 0, sizeof(self.bits))
        cdef uint64_t h
        cdef Py_UCS4 *chars
        for key in keys:
            if code_points:
                chars = PyUnicode_AsUCS4Copy(key)
                try:
                    h = _fnv_ns(0, chars, len(key), 0)
                finally:
                    PyMem_Free(chars)
            else:
                h = <uint64_t>hash(key)
            self._set(h & 0xFFFFF)
            self._set((h >> 20) & 0xFFFFF)

    cdef inline void _set(self, uint64_t bit):
        self.bits[bit >> 6] |= (<uint64_t>1) << (bit & 63)

    cdef inline bint _test(self, uint64_t bit):
        return (self.bits[bit >> 6] >> (bit & 63)) & 1

    cdef inline bint may_hold(self, uint64_t h):
        return self._test(h & 0xFFFFF) and self._test((h >> 20) & 0xFFFFF)


cdef class FragmentFilter:
    """Whether a token contains any wildcard fragment, from hashes of its substrings of each
    fragment length: the exact Aho-Corasick walk then runs only for the few that may."""

    cdef uint64_t *table
    cdef Py_ssize_t mask
    cdef Py_ssize_t *lengths  # the distinct fragment lengths, ascending
    cdef Py_ssize_t n_lengths
    cdef bint always  # an empty fragment, which every token contains

    def __cinit__(self):
        self.table = NULL
        self.lengths = NULL
        self.n_lengths = 0

    def __dealloc__(self):
        PyMem_Free(self.table)
        PyMem_Free(self.lengths)

    def __init__(self, fragments):
        cdef Py_ssize_t size = 16
        cdef Py_UCS4 *chars
        cdef uint64_t h
        cdef Py_ssize_t at
        unique = set(fragments)
        self.always = "" in unique
        unique.discard("")
        while size < 4 * len(unique):
            size *= 2
        self.table = <uint64_t *>PyMem_Malloc(size * sizeof(uint64_t))
        if self.table == NULL:
            raise MemoryError()
        memset(self.table, 0, size * sizeof(uint64_t))
        self.mask = size - 1
        ordered = sorted({len(f) for f in unique})
        self.n_lengths = len(ordered)
        self.lengths = <Py_ssize_t *>PyMem_Malloc((len(ordered) + 1) * sizeof(Py_ssize_t))
        if self.lengths == NULL:
            raise MemoryError()
        for at in range(len(ordered)):
            self.lengths[at] = ordered[at]
        for fragment in unique:
            chars = PyUnicode_AsUCS4Copy(fragment)
            try:
                h = _fnv_ns(0, chars, len(fragment), 0)
            finally:
                PyMem_Free(chars)
            at = <Py_ssize_t>(h & <uint64_t>self.mask)
            while self.table[at] and self.table[at] != h:
                at = (at + 1) & self.mask
            self.table[at] = h

    cdef bint _holds(self, uint64_t h):
        cdef Py_ssize_t at = <Py_ssize_t>(h & <uint64_t>self.mask)
        while self.table[at]:
            if self.table[at] == h:
                return True
            at = (at + 1) & self.mask
        return False

    cdef bint any_in(self, const Py_UCS4 *chars, Py_ssize_t n):
        """Whether the n code points at `chars` may contain a fragment."""
        cdef Py_ssize_t length, start, k
        if self.always:
            return True
        for k in range(self.n_lengths):
            length = self.lengths[k]
            if length > n:
                break
            for start in range(n - length + 1):
                if self._holds(_fnv_ns(0, &chars[start], length, 0)):
                    return True
        return False


cdef enum:
    INLINE = 7  # code points kept in the slot itself: most tokens, one cache line per probe


cdef extern from "stdlib.h":
    void *aligned_alloc(size_t alignment, size_t size) nogil
    void free(void *ptr) nogil


cdef struct Slot:  # 64 bytes, so a probe touches one cache line
    uint64_t hash  # 0: empty
    int32_t length
    int32_t ids_at  # its first-pass ids, then its second-pass ids, in `ids`
    int32_t n_first
    int32_t n_second
    int32_t text_at  # longer tokens: their code points in `chars`
    int32_t keys_at  # its keys, a tuple in `SpanIndex.key_tuples`, for verification
    Py_UCS4 inline[INLINE]


cdef class SpanIndex:
    """What each token meets in a shard's two presearch passes, keyed by the span hash.

    The same contract as `_native.TokenIndex.candidates`, over `Spans` instead of token lists.
    A token is compared by its code points, not trusted on its hash, so a crafted or unlucky
    collision can never stand in for a brand's token. Filled on first sight of a token as
    `TokenIndex.entry` fills its memo (same keys, same automata), with two filters in front
    that can only say "maybe": a Bloom filter of the index keys and a substring-hash filter of
    the wildcard fragments. Emptied, like that memo, when it reaches `limit` tokens so an
    unbounded stream of new words cannot grow memory forever. Dropped by the Matcher whenever
    the shard changes.
    """

    cdef dict first_index
    cdef dict second_index
    cdef object first_automaton
    cdef object second_automaton
    cdef KeyFilter keys
    cdef KeyFilter key_points  # the same keys, by the engine's code-point hash
    cdef int lang_code  # for _key_hashes: 1 en, 2 pl, 0 other
    cdef FragmentFilter fragments
    cdef IdList first_found
    cdef IdList second_found
    cdef IdList post_hits
    cdef list key_tuples
    cdef str lang
    cdef bint with_fold
    cdef Slot *slots
    cdef Py_ssize_t mask
    cdef Py_ssize_t used
    cdef Py_ssize_t limit
    cdef Py_UCS4 *chars
    cdef Py_ssize_t chars_used, chars_cap
    cdef int32_t *ids
    cdef Py_ssize_t ids_used, ids_cap
    # Per-query stamp of the last post whose tokens met its second requirement.
    cdef uint64_t *met
    cdef Py_ssize_t met_cap
    cdef uint64_t stamp

    def __cinit__(self):
        self.slots = NULL
        self.chars = NULL
        self.ids = NULL
        self.met = NULL
        self.first_found.ids = NULL
        self.first_found.count = self.first_found.capacity = 0
        self.second_found.ids = NULL
        self.second_found.count = self.second_found.capacity = 0
        self.post_hits.ids = NULL
        self.post_hits.count = self.post_hits.capacity = 0

    def __init__(
        self, first, first_automaton, second, second_automaton, str lang, bint with_fold,
        Py_ssize_t limit=500_000,
    ):
        self.first_index = first
        self.second_index = second
        self.first_automaton = first_automaton
        self.second_automaton = second_automaton
        self.keys = KeyFilter(list(first) + list(second))
        self.key_points = KeyFilter(list(first) + list(second), code_points=True)
        self.lang_code = 1 if lang == "en" else 2 if lang == "pl" else 0
        fragments = []
        for automaton in (first_automaton, second_automaton):
            if automaton is not None:
                fragments.extend(automaton.keys())
        self.fragments = FragmentFilter(fragments)
        self.lang = lang
        self.with_fold = with_fold
        self.limit = limit
        self.met_cap = 0
        self.chars_cap = 0
        self.ids_cap = 0
        self.stamp = 0
        self._reset(1024)

    def __dealloc__(self):
        free(self.slots)
        PyMem_Free(self.first_found.ids)
        PyMem_Free(self.second_found.ids)
        PyMem_Free(self.post_hits.ids)
        PyMem_Free(self.chars)
        PyMem_Free(self.ids)
        PyMem_Free(self.met)

    def __len__(self):
        return self.used

    @property
    def derived(self):
        """How many of the tokens held have their keys derived (the others met nothing on
        first sight, decided on code points alone, and no verification has needed them)."""
        return len(self.key_tuples)

    cdef Slot *_table(self, Py_ssize_t size) except NULL:
        cdef Slot *table = <Slot *>aligned_alloc(64, size * sizeof(Slot))
        if table == NULL:
            raise MemoryError()
        memset(table, 0, size * sizeof(Slot))
        return table

    cdef int _reset(self, Py_ssize_t capacity) except -1:
        cdef Slot *table = self._table(capacity)
        free(self.slots)
        self.slots = table
        self.mask = capacity - 1
        self.used = 0
        self.chars_used = 0
        self.ids_used = 0
        self.key_tuples = []  # a new list: spans collected before keep the old one alive
        return 0

    cdef int _rehash(self) except -1:
        cdef Slot *old = self.slots
        cdef Py_ssize_t old_size = self.mask + 1
        cdef Py_ssize_t k, at
        self.slots = self._table(old_size * 2)
        self.mask = old_size * 2 - 1
        for k in range(old_size):
            if old[k].hash:
                at = <Py_ssize_t>(old[k].hash & <uint64_t>self.mask)
                while self.slots[at].hash:
                    at = (at + 1) & self.mask
                self.slots[at] = old[k]
        free(old)
        return 0

    cdef inline Slot *_find(self, Spans spans, Py_ssize_t k):
        cdef uint64_t h = spans.hashes[k]
        cdef Py_ssize_t length = spans.ends[k] - spans.starts[k]
        cdef Py_UCS4 *token = &spans.chars[spans.starts[k]]
        cdef Py_ssize_t at = <Py_ssize_t>(h & <uint64_t>self.mask)
        cdef Slot *slot
        while True:
            slot = &self.slots[at]
            if slot.hash == 0:
                return NULL
            if slot.hash == h and slot.length == length:
                if length <= INLINE:
                    if memcmp(slot.inline, token, length * sizeof(Py_UCS4)) == 0:
                        return slot
                elif memcmp(&self.chars[slot.text_at], token, length * sizeof(Py_UCS4)) == 0:
                    return slot
            at = (at + 1) & self.mask

    cdef list _meet(
        self, str token, const Py_UCS4 *chars, Py_ssize_t n, IdList *first, IdList *second
    ):
        """The ids whose first / second requirement `token` meets, as `TokenIndex.entry`
        finds them (duplicates allowed: the caller only collects them into sets)."""
        cdef list keys = _token_keys(token, self.lang, self.with_fold)
        cdef Py_hash_t h
        cdef PyObject *found
        for key in keys:
            h = hash(key)
            if not self.keys.may_hold(<uint64_t>h):
                continue
            found = PyDict_GetItem(self.first_index, key)
            if found != NULL:
                _append_ids(first, <object>found)
            found = PyDict_GetItem(self.second_index, key)
            if found != NULL:
                _append_ids(second, <object>found)
        if self.first_automaton is None and self.second_automaton is None:
            return keys
        if not self.with_fold and not self.fragments.any_in(chars, n):
            return keys
        forms = (token, _fold(token)) if self.with_fold else (token,)
        for form in forms:
            if self.first_automaton is not None:
                for _end, qids in self.first_automaton.iter(form):
                    for qid in qids:
                        _push_id(first, qid)
            if self.second_automaton is not None:
                for _end, qids in self.second_automaton.iter(form):
                    for qid in qids:
                        _push_id(second, qid)
        return keys

    cdef bint _meets_nothing(self, const Py_UCS4 *chars, Py_ssize_t n):
        """True when no key of the token can be in the index and no fragment in it: decided on
        code points alone. False means "maybe" (the Python path decides)."""
        cdef uint64_t hashes[_MAX_KEYS]
        cdef Py_ssize_t count, i
        if self.with_fold:
            return False
        count = _key_hashes(chars, n, self.lang_code, hashes)
        if count < 0:
            return False
        for i in range(count):
            if self.key_points.may_hold(hashes[i]):
                return False
        if self.first_automaton is None and self.second_automaton is None:
            return True
        return not self.fragments.any_in(chars, n)

    cdef Slot *_learn(self, Spans spans, Py_ssize_t k) except NULL:
        cdef IdList *first = &self.first_found
        cdef IdList *second = &self.second_found
        cdef const Py_UCS4 *token_chars = &spans.chars[spans.starts[k]]
        cdef str token
        cdef list keys = None
        first.count = 0
        second.count = 0
        if not self._meets_nothing(token_chars, spans.ends[k] - spans.starts[k]):
            token = spans.token(k)
            keys = self._meet(
                token, token_chars, spans.ends[k] - spans.starts[k], first, second
            )
        cdef Py_ssize_t length = spans.ends[k] - spans.starts[k]
        cdef Py_ssize_t n_ids = first.count + second.count
        cdef Py_ssize_t at, c
        cdef Slot *slot
        if (
            self.used >= self.limit
            # Offsets are 32-bit: a pathological stream of huge tokens empties the memo sooner.
            or self.chars_used + length > 0x7FFFFFFF
            or self.ids_used + n_ids > 0x7FFFFFFF
        ):
            self._reset(self.mask + 1)
        if (self.used + 1) * 4 > (self.mask + 1) * 3:
            self._rehash()
        if length > INLINE and self.chars_used + length > self.chars_cap:
            self.chars_cap = max(self.chars_cap * 2, self.chars_used + length, 4096)
            self.chars = <Py_UCS4 *>_grow(self.chars, self.chars_cap * sizeof(Py_UCS4))
        if self.ids_used + n_ids > self.ids_cap:
            self.ids_cap = max(self.ids_cap * 2, self.ids_used + n_ids, 1024)
            self.ids = <int32_t *>_grow(self.ids, self.ids_cap * sizeof(int32_t))
        at = <Py_ssize_t>(spans.hashes[k] & <uint64_t>self.mask)
        while self.slots[at].hash:
            at = (at + 1) & self.mask
        slot = &self.slots[at]
        slot.hash = spans.hashes[k]
        slot.length = <int32_t>length
        if length <= INLINE:
            for c in range(length):
                slot.inline[c] = spans.chars[spans.starts[k] + c]
        else:
            slot.text_at = <int32_t>self.chars_used
            for c in range(length):
                self.chars[self.chars_used + c] = spans.chars[spans.starts[k] + c]
            self.chars_used += length
        if keys is None:
            slot.keys_at = -1  # derived if a verification ever needs them (Spans.add_keys)
        else:
            slot.keys_at = <int32_t>len(self.key_tuples)
            self.key_tuples.append(tuple(keys))
        slot.ids_at = <int32_t>self.ids_used
        slot.n_first = <int32_t>first.count
        slot.n_second = <int32_t>second.count
        for c in range(first.count):
            self.ids[self.ids_used + c] = first.ids[c]
        self.ids_used += first.count
        for c in range(second.count):
            self.ids[self.ids_used + c] = second.ids[c]
        self.ids_used += second.count
        self.used += 1
        return slot

    cdef int _mark_met(self, int32_t qid) except -1:
        cdef Py_ssize_t cap
        if qid >= self.met_cap:
            cap = max(self.met_cap * 2, qid + 1, 1024)
            self.met = <uint64_t *>_grow(self.met, cap * sizeof(uint64_t))
            memset(&self.met[self.met_cap], 0, (cap - self.met_cap) * sizeof(uint64_t))
            self.met_cap = cap
        self.met[qid] = self.stamp
        return 0

    cdef int _collect(self, Spans spans) except -1:
        """First-pass ids of the tokens into `post_hits`; second-pass ids stamped as met."""
        cdef Py_ssize_t k, c
        cdef Slot *slot
        cdef int32_t *ids
        # The probes of a long-running worker's table miss the CPU cache; issuing them all
        # first lets the memory system fetch them in parallel instead of one after another.
        for k in range(spans.count):
            __builtin_prefetch(&self.slots[spans.hashes[k] & <uint64_t>self.mask])
        cdef list before = self.key_tuples
        for k in range(spans.count):
            slot = self._find(spans, k)
            if slot == NULL:
                slot = self._learn(spans, k)
            spans.keys_at[k] = slot.keys_at
            if slot.n_first == 0 and slot.n_second == 0:
                continue
            ids = &self.ids[slot.ids_at]
            for c in range(slot.n_first):
                _push_id(&self.post_hits, ids[c])
            ids += slot.n_first
            for c in range(slot.n_second):
                self._mark_met(ids[c])
        spans.key_tuples = self.key_tuples
        spans.owner = self
        spans.stale = self.key_tuples is not before
        spans.lang = self.lang
        spans.with_fold = self.with_fold
        return 0

    cdef inline bint _met(self, int32_t qid):
        return qid < self.met_cap and self.met[qid] == self.stamp

    cpdef object collect(
        self, Spans body, Spans title, set extra, set second_required, dict second_meta,
        set found,
    ):
        """Add to `found` the ids whose first requirement the post's tokens (body, then title
        when not None) meet, plus `extra`, unless they are in `second_required` and no token
        meets their second requirement. Those of the latter in `second_meta` (a second
        requirement that names metadata, which tokens cannot meet) are returned for the caller
        to check; None when there are none."""
        cdef Py_ssize_t k
        cdef int32_t qid
        cdef list pending = None
        self.stamp += 1
        self.post_hits.count = 0
        self._collect(body)
        if title is not None:
            self._collect(title)
        for q in extra:
            _push_id(&self.post_hits, q)
        for k in range(self.post_hits.count):
            qid = self.post_hits.ids[k]
            if second_required and not self._met(qid) and qid in second_required:
                if qid in second_meta:
                    if pending is None:
                        pending = []
                    pending.append(qid)
                continue
            found.add(qid)
        return pending

    cpdef tuple candidates(self, Spans body, Spans title, set extra, set second_required):
        """(hits, unmet): the ids whose first requirement the post's tokens (body, then title
        when not None) meet, plus `extra`; and those of them in `second_required` whose second
        requirement no token meets (`_native.TokenIndex.candidates` over spans)."""
        cdef set hits = set(extra)
        cdef set unmet = set()
        cdef Py_ssize_t k
        self.stamp += 1
        self.post_hits.count = 0
        self._collect(body)
        if title is not None:
            self._collect(title)
        for k in range(self.post_hits.count):
            hits.add(self.post_hits.ids[k])
        for q in hits:
            if q in second_required and not self._met(q):
                unmet.add(q)
        return hits, unmet


# analysis.guess_language for a post the source gave no language, on spans: the function words
# of each language as (hash, code points) so that no token string is made.
cdef enum:
    _GUESS_MAX = 128
cdef uint64_t _WORD_HASH[_GUESS_MAX]
cdef Py_UCS4 _WORD_CHARS[_GUESS_MAX][16]
cdef Py_ssize_t _WORD_LEN[_GUESS_MAX]
cdef bint _WORD_PL[_GUESS_MAX]
cdef bint _WORD_EN[_GUESS_MAX]
cdef Py_ssize_t _N_WORDS = -1  # not loaded yet


cdef int _load_words() except -1:
    global _N_WORDS
    from flarewatch.query.analysis import _EN_WORDS, _PL_WORDS  # analysis imports this module

    cdef Py_ssize_t n = 0, i
    for word in sorted(_PL_WORDS | _EN_WORDS):
        if n == _GUESS_MAX or len(word) > 16:
            raise ValueError("analysis' function words outgrew the C tables of _engine")
        for i in range(len(word)):
            _WORD_CHARS[n][i] = word[i]
        _WORD_HASH[n] = _fnv_ns(0, _WORD_CHARS[n], len(word), 0)
        _WORD_LEN[n] = len(word)
        _WORD_PL[n] = word in _PL_WORDS
        _WORD_EN[n] = word in _EN_WORDS
        n += 1
    _N_WORDS = n
    return 0


cdef str _guess_language(str text, str title, Spans body):
    """`analysis.guess_language(f"{title} {text}", set(body tokens))`."""
    cdef Py_UCS4 ch
    cdef Py_ssize_t k, w, c
    cdef uint64_t seen_lo = 0, seen_hi = 0, bit
    cdef Py_ssize_t pl = 0, en = 0
    cdef bint polish = False
    for part in (title, text):
        for ch in <str>part:
            if 0x05D0 <= ch <= 0x05EA:
                return "he"
            if not polish and ch > 127 and ch in u"ąćęłńśźżĄĆĘŁŃŚŹŻ":
                polish = True
    if polish:
        return "pl"
    if _N_WORDS < 0:
        _load_words()
    for k in range(body.count):
        for w in range(_N_WORDS):
            if _WORD_HASH[w] != body.hashes[k] or _WORD_LEN[w] != body.ends[k] - body.starts[k]:
                continue
            for c in range(_WORD_LEN[w]):
                if _WORD_CHARS[w][c] != body.chars[body.starts[k] + c]:
                    break
            else:
                bit = (<uint64_t>1) << (w & 63)
                if w < 64 and not (seen_lo & bit):
                    seen_lo |= bit
                elif w >= 64 and not (seen_hi & bit):
                    seen_hi |= bit
                else:
                    break  # a repeat: distinct tokens count once
                pl += _WORD_PL[w]
                en += _WORD_EN[w]
            break
    return "pl" if pl > en else "en"


def guess_language(str text, str title, Spans body):
    """The engine's `analysis.guess_language` (tests compare the two)."""
    return _guess_language(text, title, body)


cdef object _UNSEEN = object()


def collect_batch(list posts, list shards, bint with_fold):
    """The per-post loop of `Matcher.match_batch`: for each post, None when no stored query is
    a candidate, else (candidate ids, language, body spans, title spans).

    The shards are the Matcher's `_Shard` objects; a shard whose first pass holds metadata keys,
    or whose span index for this mode does not exist yet, goes through its own `collect_spans`.
    """
    from flarewatch.query.analysis import (  # analysis imports this module
        STEMMED_LANGUAGES,
        normalize_language,
    )

    cdef list out = []
    cdef Spans body, title_spans
    cdef set found
    cdef str mode
    cdef Py_ssize_t i, n_shards = len(shards)
    # What does not change during a batch, looked up once: each shard's attributes, its span
    # index per mode once it exists, and each source language's normalised form.
    cdef list metas = [shard.first.meta for shard in shards]
    cdef list always = [shard.always for shard in shards]
    cdef list two_pass = [shard.two_pass for shard in shards]
    cdef list second_meta = [shard.second_meta for shard in shards]
    cdef list indexes = [{} for _ in shards]
    cdef dict languages = {}
    for post in posts:
        text = post.text or ""
        title = post.title or ""
        body = scan_text(text)
        title_spans = scan_text(title) if title else None
        source = post.language
        lang = languages.get(source, _UNSEEN)
        if lang is _UNSEEN:
            lang = languages[source] = normalize_language(source)
        if lang is None:
            lang = _guess_language(text, title, body)
        mode = lang if lang in STEMMED_LANGUAGES else ""
        found = set()
        for i in range(n_shards):
            shard = shards[i]
            index = (<dict>indexes[i]).get(mode)
            if index is None:
                index = shard.token_indexes.get((mode, with_fold, True))
                if index is None or metas[i]:
                    shard.collect_spans(post, lang, mode, with_fold, body, title_spans, found)
                    continue
                (<dict>indexes[i])[mode] = index
            pending = (<SpanIndex>index).collect(
                body, title_spans, always[i], two_pass[i], second_meta[i], found
            )
            if pending:
                shard.admit(post, lang, pending, None, found)
        out.append((found, lang, body, title_spans) if found else None)
    return out
