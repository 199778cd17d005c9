# Included by _engine.pyx (one extension module; Cython includes keep its parts in files of
# their own). The filters in front of the index: id lists, the Bloom filter of index keys
# and the substring-hash filter of wildcard fragments.


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
