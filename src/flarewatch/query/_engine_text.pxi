# Included by _engine.pyx (one extension module; Cython includes keep its parts in files of
# their own). Reading a post: character classes, the one hash function, token spans,
# and in-place normalisation.


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
