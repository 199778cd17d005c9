"""Hashed n-gram and lexicon features, computed for a whole batch at once with numpy.

Why this shape: per-token Python loops cap out near 10k posts/s before any model runs. Here a batch
is joined into one code-point array, a prefix polynomial hash (mod 2**64, numpy wraps) gives the
hash of any substring in O(1), and every char n-gram, word and word bigram of the batch is hashed
with a handful of vectorised operations. Training and inference share this module, so the shipped
weights always line up with the features.

A batch becomes three parallel arrays ``(doc, index, value)``: the sparse design matrix in COO form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from flarewatch.enrich.text import BOOSTERS, CLAUSE_BREAKS, NEGATORS

_P = np.uint64(0x100000001B3)
_P_INV = np.uint64(pow(0x100000001B3, -1, 2**64))
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_SPACE = 32

# Salts keep feature families apart in the shared hash space.
SALT_CHAR = 0x9E3779B97F4A7C15
SALT_WORD = 0x7F4A7C159E3779B9
SALT_BIGRAM = 0x3C6EF372FE94F82B
SALT_NEG = 0xA54FF53A5F1D36F1
SALT_BOOST = 0x510E527FADE682D1
SALT_LANG = 0x1F83D9ABFB41BD6B
SALT_LEX = 0x5BE0CD19137E2179
SALT_CONJ = 0x2B7E151628AED2A6

_pow_cache: dict[int, np.ndarray] = {}


def _powers(base: np.uint64, n: int) -> np.ndarray:
    key = int(base)
    arr = _pow_cache.get(key)
    if arr is None or len(arr) < n:
        size = max(n, 4096, 2 * (0 if arr is None else len(arr)))
        arr = np.full(size, base, dtype=np.uint64)
        arr[0] = 1
        with np.errstate(over="ignore"):
            arr = np.cumprod(arr, dtype=np.uint64)
        _pow_cache[key] = arr
    return arr[:n]


def mix(h: np.ndarray, salt: int) -> np.ndarray:
    """Murmur3 finaliser: spreads polynomial hashes evenly over the feature buckets."""
    with np.errstate(over="ignore"):
        h = h ^ np.uint64(salt)
        h = h ^ (h >> np.uint64(33))
        h = h * _M1
        h = h ^ (h >> np.uint64(29))
        h = h * _M2
        return h ^ (h >> np.uint64(32))


@dataclass(slots=True)
class Tokens:
    """Hash view of a normalised batch."""

    n_docs: int
    prefix: np.ndarray  # prefix hashes, length n_chars + 1
    char_doc: np.ndarray  # document of every code point
    word_start: np.ndarray
    word_len: np.ndarray
    word_doc: np.ndarray
    word_hash: np.ndarray

    def substring(self, start: np.ndarray, length: np.ndarray) -> np.ndarray:
        inv = _powers(_P_INV, len(self.prefix))
        with np.errstate(over="ignore"):
            return (self.prefix[start + length] - self.prefix[start]) * inv[start]


def tokenize(normalised: Sequence[str]) -> Tokens:
    """Hash every word of already-normalised texts (words are separated by single spaces)."""
    buf = "".join(f" {t} " for t in normalised)
    codes = np.frombuffer(buf.encode("utf-32-le"), dtype=np.uint32)
    n = len(codes)
    lens = np.fromiter((len(t) + 2 for t in normalised), dtype=np.int64, count=len(normalised))
    char_doc = np.repeat(np.arange(len(normalised), dtype=np.int64), lens)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(codes.astype(np.uint64) * _powers(_P, n), out=prefix[1:])
    spaces = np.flatnonzero(codes == _SPACE)
    starts = spaces[:-1] + 1
    ends = spaces[1:]
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    tok = Tokens(
        len(normalised),
        prefix,
        char_doc,
        starts,
        ends - starts,
        char_doc[starts],
        np.empty(0, dtype=np.uint64),
    )
    tok.word_hash = tok.substring(starts, ends - starts)
    return tok


def string_hashes(items: Sequence[str]) -> np.ndarray:
    """Raw hash of each string as :func:`tokenize` would hash it as a word or word sequence."""
    tok = tokenize(items)
    starts = np.cumsum([0] + [len(s) + 2 for s in items[:-1]]) + 1
    return tok.substring(np.asarray(starts, dtype=np.int64), np.array([len(s) for s in items]))


STEM_LENGTHS = tuple(range(2, 13))


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Sorted word-hash → value table (whole words, word pairs and stems)."""

    keys: np.ndarray  # uint64, sorted
    values: np.ndarray  # float32, same length (or 2-D: one column per category)
    stem_keys: np.ndarray
    stem_values: np.ndarray

    @staticmethod
    def build(entries: dict[str, float] | dict[str, np.ndarray]) -> Lexicon:
        words = [w for w in entries if not w.endswith("*")]
        stems = [w[:-1] for w in entries if w.endswith("*")]

        def table(items: list[str], vals: list[object]) -> tuple[np.ndarray, np.ndarray]:
            if not items:
                return np.empty(0, np.uint64), np.empty(0, np.float32)
            k = string_hashes(items)
            v = np.asarray(vals, dtype=np.float32)
            order = np.argsort(k, kind="stable")
            return k[order], v[order]

        wk, wv = table(words, [entries[w] for w in words])
        sk, sv = table(stems, [entries[s + "*"] for s in stems])
        return Lexicon(wk, wv, sk, sv)

    def lookup(self, tok: Tokens) -> tuple[np.ndarray, np.ndarray]:
        """Per word: (hit mask, value); word pairs and longest stems count as hits too."""
        n = len(tok.word_hash)
        shape = (n,) + self.values.shape[1:]
        val = np.zeros(shape, dtype=np.float32)
        hit = np.zeros(n, dtype=bool)
        if len(self.stem_keys):
            for length in STEM_LENGTHS:
                cand = np.flatnonzero(tok.word_len >= length)
                h = tok.substring(tok.word_start[cand], np.full(len(cand), length))
                m, v = _find(self.stem_keys, self.stem_values, h)
                # Lengths ascend, so the longest matching stem's value is the one that stays.
                val[cand[m]] = v
                hit_l = np.zeros(n, dtype=bool)
                hit_l[cand[m]] = True
                hit |= hit_l
        m, v = _find(self.keys, self.values, tok.word_hash)
        val[m] = v
        hit |= m
        if n > 1 and len(self.keys):
            same = tok.word_doc[:-1] == tok.word_doc[1:]
            first = np.flatnonzero(same)
            span = tok.word_start[first + 1] + tok.word_len[first + 1] - tok.word_start[first]
            m2, v2 = _find(self.keys, self.values, tok.substring(tok.word_start[first], span))
            val[first[m2]] = v2
            hit[first[m2]] = True
        return hit, val


def _find(keys: np.ndarray, values: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(keys) == 0 or len(h) == 0:
        return np.zeros(len(h), dtype=bool), values[:0]
    pos = np.minimum(np.searchsorted(keys, h), len(keys) - 1)
    m = keys[pos] == h
    return m, values[pos[m]]


_NEG_H = string_hashes(sorted(NEGATORS))
_BOOST_H = string_hashes(sorted(BOOSTERS))
_BREAK_H = string_hashes(sorted(CLAUSE_BREAKS))
NEG_SCOPE = 3


def scopes(tok: Tokens) -> tuple[np.ndarray, np.ndarray]:
    """Which words sit in a negation scope (up to 3 words after a negator) or after a booster."""
    h = tok.word_hash
    is_neg = np.isin(h, _NEG_H)
    is_break = np.isin(h, _BREAK_H)
    negated = np.zeros(len(h), dtype=bool)
    if len(h) < 2:
        return negated, negated.copy()
    same = tok.word_doc[1:] == tok.word_doc[:-1]
    alive = is_neg
    for _ in range(NEG_SCOPE):
        step = np.zeros(len(h), dtype=bool)
        step[1:] = alive[:-1] & same & ~is_break[1:]
        negated |= step
        alive = step
    boosted = np.zeros(len(h), dtype=bool)
    boosted[1:] = np.isin(h[:-1], _BOOST_H) & same
    return negated, boosted


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    bits: int = 20
    char_ngrams: tuple[int, ...] = (2, 3, 4, 5)
    # Language-tagged copies of the n-gram features: each language gets its own weights on top of
    # the shared ones (feature augmentation, Daume 2007). Off in models trained before it existed.
    lang_conj: bool = False
    # Which char n-gram lengths get tagged copies (words, bigrams and negation/booster features
    # always do when lang_conj is on); fewer tagged families make inference cheaper.
    conj_char_ngrams: tuple[int, ...] = (2, 3, 4, 5)


LEX_BUCKETS = (0.5, 1.5, 2.5)  # |valence| thresholds → strength buckets 1..3


def blocks(
    tok: Tokens,
    languages: Sequence[str],
    lexicon: Lexicon,
    config: FeatureConfig,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, tuple[np.ndarray, ...]]:
    """The batch's features in blocks, each block's ``doc`` array sorted (nothing concatenated).

    Returns ``(ngrams, scale, (lex_doc, lex_idx, lex_val, lang_idx))``: ``ngrams`` is a list of
    ``(doc, index)`` blocks whose features all have the value ``scale[doc]``; the lexicon features
    carry their own values; ``lang_idx[d]`` is document ``d``'s one-hot language feature (value 1).
    Inference sums weights block by block (:func:`linear_scores`); training concatenates the blocks
    (:func:`extract`). Both see the same features.
    """
    mask = np.uint64((1 << config.bits) - 1)
    out: list[tuple[np.ndarray, np.ndarray]] = []
    raw: list[tuple[np.ndarray, np.ndarray, bool]] = []  # (doc, unmasked hash, tagged copy?)
    n_chars = len(tok.prefix) - 1
    for n in config.char_ngrams:
        if n_chars < n:
            continue
        start = np.arange(n_chars - n + 1)
        ok = tok.char_doc[start] == tok.char_doc[start + n - 1]
        start = start[ok]
        h = mix(tok.substring(start, np.full(len(start), n)), SALT_CHAR + n)
        raw.append((tok.char_doc[start], h, n in config.conj_char_ngrams))
    raw.append((tok.word_doc, mix(tok.word_hash, SALT_WORD), True))
    if len(tok.word_hash) > 1:
        pair = np.flatnonzero(tok.word_doc[:-1] == tok.word_doc[1:])
        span = tok.word_start[pair + 1] + tok.word_len[pair + 1] - tok.word_start[pair]
        h = mix(tok.substring(tok.word_start[pair], span), SALT_BIGRAM)
        raw.append((tok.word_doc[pair], h, True))
    negated, boosted = scopes(tok)
    raw.append((tok.word_doc[negated], mix(tok.word_hash[negated], SALT_NEG), True))
    raw.append((tok.word_doc[boosted], mix(tok.word_hash[boosted], SALT_BOOST), True))

    lang_h = string_hashes([lang or "und" for lang in languages])
    count = np.zeros(tok.n_docs, dtype=np.int64)
    for doc, h, tagged in raw:
        idx = h & mask
        out.append((doc, idx))
        count += np.bincount(doc, minlength=tok.n_docs)
        if config.lang_conj and tagged:
            # Language-tagged copy: the masked index re-hashed with the language's hash.
            with np.errstate(over="ignore"):
                out.append((doc, mix(idx ^ (lang_h[doc] * _P), SALT_CONJ) & mask))
            count += np.bincount(doc, minlength=tok.n_docs)
    # Dividing by sqrt(count) approximates L2 normalisation of a binary bag without a second pass.
    scale = (1.0 / np.sqrt(np.maximum(count, 1))).astype(np.float32)
    lex_doc, lex_idx, lex_val = _lexicon_features(tok, lexicon, negated, boosted, mask)
    lang_idx = (mix(lang_h, SALT_LANG) & mask).astype(np.int64)
    return out, scale, (lex_doc, lex_idx, lex_val, lang_idx)


def extract(
    tok: Tokens,
    languages: Sequence[str],
    lexicon: Lexicon,
    config: FeatureConfig,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse features of a tokenised batch as ``(doc, index, value)`` (the training view)."""
    ngrams, scale, (lex_doc, lex_idx, lex_val, lang_idx) = blocks(tok, languages, lexicon, config)
    doc = np.concatenate([d for d, _ in ngrams]) if ngrams else np.empty(0, np.int64)
    index = np.concatenate([i for _, i in ngrams]).astype(np.int64) if ngrams else doc
    return (
        np.concatenate([doc, lex_doc, np.arange(tok.n_docs)]),
        np.concatenate([index, lex_idx, lang_idx]),
        np.concatenate([scale[doc], lex_val, np.ones(tok.n_docs, dtype=np.float32)]),
    )


def _segment_sum(rows: np.ndarray, doc: np.ndarray, n_docs: int) -> np.ndarray:
    """Per-document sums of ``rows`` when ``doc`` is sorted (np.add.reduceat, ~10x bincount)."""
    out = np.zeros((n_docs, rows.shape[1]), dtype=np.float64)
    if len(doc) == 0:
        return out
    starts = np.searchsorted(doc, np.arange(n_docs))
    present = np.zeros(n_docs, dtype=bool)
    present[doc] = True
    s = starts[present]
    out[present] = np.add.reduceat(rows, s, axis=0)
    return out


Blocks = tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, tuple[np.ndarray, ...]]


def linear_scores(
    tok: Tokens,
    languages: Sequence[str],
    lexicon: Lexicon,
    config: FeatureConfig,
    weights: np.ndarray,
    route: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """``X @ weights`` for the batch without building X: one gather and segment sum per block.

    ``route`` = ``(offset, mask)``, both uint64 per document, reads document ``d``'s features
    from its own table inside ``weights``: feature index ``i`` becomes ``offset[d] + (i &
    mask[d])`` (several models' tables stacked in one array, a smaller table folding the
    indices onto its own size; see ``sentiment/routed.py``).
    """
    return gather_scores(blocks(tok, languages, lexicon, config), tok.n_docs, weights, route)


def gather_scores(
    feats: Blocks,
    n: int,
    weights: np.ndarray,
    route: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """:func:`linear_scores` from already computed :func:`blocks` (so two tables can read one
    batch's features)."""
    ngrams, scale, (lex_doc, lex_idx, lex_val, lang_idx) = feats

    def rows(doc: np.ndarray, idx: np.ndarray) -> np.ndarray:
        if route is None:
            return idx.astype(np.intp)
        offset, fold = route
        return ((idx.astype(np.uint64) & fold[doc]) + offset[doc]).astype(np.intp)

    acc = np.zeros((n, weights.shape[1]), dtype=np.float64)
    for doc, idx in ngrams:
        acc += _segment_sum(np.take(weights, rows(doc, idx), axis=0), doc, n)
    acc *= scale[:, None]
    lex = np.take(weights, rows(lex_doc, lex_idx), axis=0) * lex_val[:, None]
    for k in range(weights.shape[1]):  # lexicon block: few features, not doc-sorted
        acc[:, k] += np.bincount(lex_doc, weights=lex[:, k], minlength=n)
    acc += np.take(weights, rows(np.arange(n), lang_idx), axis=0)
    return acc


def _lexicon_features(
    tok: Tokens, lexicon: Lexicon, negated: np.ndarray, boosted: np.ndarray, mask: np.uint64
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Language-independent polarity features: what carries sentiment to unlabelled languages."""
    hit, val = lexicon.lookup(tok)
    val = val * np.where(negated, -0.74, 1.0) * np.where(boosted, 1.3, 1.0)
    w = np.flatnonzero(hit & (val != 0))
    v = val[w]
    bucket = np.searchsorted(np.asarray(LEX_BUCKETS), np.abs(v))
    code = (np.sign(v).astype(np.int64) * 10 + bucket) + negated[w] * 100
    lex_doc = tok.word_doc[w]
    pos = np.bincount(lex_doc, weights=np.maximum(v, 0), minlength=tok.n_docs)
    neg = np.bincount(lex_doc, weights=np.maximum(-v, 0), minlength=tok.n_docs)
    net = pos - neg
    dense = np.stack([pos / (1 + pos), neg / (1 + neg), net / np.sqrt(net * net + 15)], axis=1)
    dense_idx = mix(np.arange(3, dtype=np.uint64) + np.uint64(1000), SALT_LEX) & mask
    code_idx = mix(code.astype(np.uint64), SALT_LEX) & mask
    all_doc = np.concatenate([lex_doc, np.repeat(np.arange(tok.n_docs), 3)])
    all_idx = np.concatenate([code_idx, np.tile(dense_idx, tok.n_docs)]).astype(np.int64)
    all_val = np.concatenate([np.full(len(w), 0.5), dense.ravel()]).astype(np.float32)
    return all_doc, all_idx, all_val
