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

Parts of this one extension module live in `_engine_text.pxi` (spans, normalisation, the hash),
`_engine_keys.pxi` (stemmer ports, keys, key hashes) and `_engine_filters.pxi` (the filters in
front of the index), included below; `SpanIndex`, the language guess and `collect_batch` are
here. Written as Cython proper, not pure-Python mode like `_native`: it needs C arrays and
malloc. It is optional: without a C compiler the Matcher runs `_native` alone, with the same
results (tests/query/test_engine.py compares the two).
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


include "_engine_text.pxi"
include "_engine_keys.pxi"
include "_engine_filters.pxi"


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
