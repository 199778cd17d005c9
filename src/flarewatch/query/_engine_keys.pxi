# Included by _engine.pyx (one extension module; Cython includes keep its parts in files of
# their own). A token's keys: C ports of the stemmers and the Hebrew prefix chains, as
# strings (`token_keys`) and as hashes on code points (`key_hashes`).


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
