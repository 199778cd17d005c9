"""The Matcher: many stored queries against a stream of posts.

Each query is indexed under its two cheapest presearch requirements. A post is analysed once;
each distinct token is mapped (through a per-token memo) to the queries indexed under any of its
keys, one Aho-Corasick pass per index finds wildcard fragments, and only the queries that hit
both of their passes run the compiled predicate.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterator, Sequence
from dataclasses import dataclass, field

import ahocorasick

from flarewatch.mentions.post import Post
from flarewatch.query.analysis import (
    META,
    TokenCache,
    guess_language,
    normalize_language,
    token_cache,
    tokens,
)
from flarewatch.query.ast import Node
from flarewatch.query.evaluate import Compiler, Pred
from flarewatch.query.parser import parse
from flarewatch.query.polish import fold
from flarewatch.query.presearch import FRAGMENT, cheapest_two, requirements
from flarewatch.query.view import PostView, joined_tokens, meta_keys

_NONE: frozenset[int] = frozenset()


@dataclass(slots=True)
class _Entry:
    key: Hashable
    query: str
    pred: Pred
    languages: frozenset[str] | None
    passes: list[frozenset[tuple[str, str]]]  # empty: verified on every post
    workspace: str | None
    fold: bool
    meta: bool  # indexed under a metadata key, so posts must carry theirs


class _TokenHits(dict[str, frozenset[int]]):
    """Token -> ids of the queries of one pass that the token alone makes candidates: those
    indexed under one of its keys, and those whose wildcard fragment occurs in it.

    Computed on first sight of a token (Aho-Corasick runs then, over that token only). Streams
    repeat tokens endlessly, so after warm-up a post costs one C-level set difference against
    the tokens known to hit nothing, plus a lookup for the few that remain. Cleared whenever
    the pass changes.
    """

    LIMIT = 500_000

    def __init__(self, owner: _Pass, cache: TokenCache) -> None:
        super().__init__()
        self.owner = owner
        self.cache = cache
        self.empty: set[str] = set()

    def __missing__(self, token: str) -> frozenset[int]:
        index = self.owner.index
        found: set[int] = set()
        for key in self.cache.keys_of[token]:
            qids = index.get(key)
            if qids is not None:
                _collect(found, qids)
        auto = self.owner.automaton()
        if auto is not None:
            texts = (token, fold(token)) if self.cache.with_fold else (token,)
            for text in texts:
                for _, qids in auto.iter(text):
                    found.update(qids)
        if len(self) + len(self.empty) >= self.LIMIT:
            self.clear()
            self.empty.clear()
        hits = frozenset(found) if found else _NONE
        if hits:
            self[token] = hits
        else:
            self.empty.add(token)
        return hits


# Most keys index a single query; storing the bare id instead of a one-element set keeps the
# index at a fraction of the memory (a set costs over 200 bytes).
QueryIds = int | set[int]


def _collect(found: set[int], qids: QueryIds) -> None:
    if type(qids) is int:
        found.add(qids)
    else:
        found |= qids  # type: ignore[arg-type]


def _put(table: dict[str, QueryIds], value: str, qid: int) -> None:
    cur = table.get(value)
    if cur is None:
        table[value] = qid
    elif type(cur) is int:
        table[value] = {cur, qid}
    else:
        cur.add(qid)  # type: ignore[union-attr]


def _drop(table: dict[str, QueryIds], value: str, qid: int) -> None:
    cur = table.get(value)
    if cur is None:
        return
    if type(cur) is int:
        if cur == qid:
            del table[value]
        return
    cur.discard(qid)  # type: ignore[union-attr]
    if len(cur) == 1:  # type: ignore[arg-type]
        table[value] = next(iter(cur))  # type: ignore[call-overload]
    elif not cur:
        del table[value]


@dataclass(slots=True)
class _Pass:
    """One presearch pass: key index, wildcard fragments and their automaton."""

    index: dict[str, QueryIds] = field(default_factory=dict)
    fragments: dict[str, QueryIds] = field(default_factory=dict)
    auto: ahocorasick.Automaton | None = None
    dirty: bool = False
    memos: dict[tuple[str, bool], _TokenHits] = field(default_factory=dict)
    meta: int = 0  # queries indexed here under a metadata key

    def add(self, qid: int, entries: frozenset[tuple[str, str]]) -> None:
        self.memos.clear()
        for kind, value in entries:
            _put(self.fragments if kind == FRAGMENT else self.index, value, qid)
            self.dirty |= kind == FRAGMENT
        self.meta += any(value.startswith(META) for _, value in entries)

    def discard(self, qid: int, entries: frozenset[tuple[str, str]]) -> None:
        self.memos.clear()
        for kind, value in entries:
            _drop(self.fragments if kind == FRAGMENT else self.index, value, qid)
            self.dirty |= kind == FRAGMENT
        self.meta -= any(value.startswith(META) for _, value in entries)

    def automaton(self) -> ahocorasick.Automaton | None:
        if self.dirty:
            self.auto = None
            if self.fragments:
                auto = ahocorasick.Automaton()
                for fragment, qids in self.fragments.items():
                    auto.add_word(fragment, (qids,) if type(qids) is int else tuple(qids))
                auto.make_automaton()
                self.auto = auto
            self.dirty = False
        return self.auto

    def hits(self, probe: _Probe, found: set[int]) -> None:
        cache = probe.cache
        memo = self.memos.get((cache.lang, cache.with_fold))
        if memo is None:
            memo = self.memos[(cache.lang, cache.with_fold)] = _TokenHits(self, cache)
        rest = probe.distinct - memo.empty
        if rest:
            found.update(*map(memo.__getitem__, rest))
        if self.meta:
            index = self.index
            for key in probe.meta() & index.keys():
                _collect(found, index[key])

    def __len__(self) -> int:
        return len(self.index) + len(self.fragments)


# The second presearch requirement of a two-pass query: its token keys, its metadata keys and
# its wildcard fragments.
_Second = tuple[frozenset[str], frozenset[str], tuple[str, ...]]


class _Probe:
    """What presearch needs of a post, computed lazily: most posts stop at the first pass."""

    __slots__ = ("post", "lang", "distinct", "cache", "_keys", "_meta", "_joined")

    def __init__(self, post: Post, lang: str, distinct: set[str], cache: TokenCache) -> None:
        self.post = post
        self.lang = lang
        self.distinct = distinct
        self.cache = cache
        self._keys: set[str] | None = None
        self._meta: set[str] | None = None
        self._joined: str | None = None

    def keys(self) -> set[str]:
        if self._keys is None:
            self._keys = self.cache.union_keys(self.distinct)
        return self._keys

    def meta(self) -> set[str]:
        if self._meta is None:
            self._meta = meta_keys(self.post, self.lang)
        return self._meta

    def joined(self) -> str:
        if self._joined is None:
            self._joined = joined_tokens(self.distinct, self.cache.with_fold)
        return self._joined


@dataclass(slots=True)
class _Shard:
    """The queries of one workspace (None: queries that apply to every workspace).

    A candidate must hit the first pass, and the second requirement too if it has one. The
    first pass goes through the index; the second is only checked for the few queries that
    hit the first, directly against the post's key set and joined tokens, so a post never pays
    for the (usually much larger) set of queries its tokens would hit in the second pass.
    """

    first: _Pass = field(default_factory=_Pass)
    second: dict[int, _Second] = field(default_factory=dict)
    always: set[int] = field(default_factory=set)

    def candidates(self, probe: _Probe, found: set[int]) -> None:
        hits: set[int] = set(self.always)
        self.first.hits(probe, hits)
        second = self.second
        if hits and second:
            need = hits & second.keys()
            if need:
                for qid in need:
                    keys, meta, fragments = second[qid]
                    if keys and not keys.isdisjoint(probe.keys()):
                        continue
                    if meta and not meta.isdisjoint(probe.meta()):
                        continue
                    if fragments:
                        joined = probe.joined()
                        if any(f in joined for f in fragments):
                            continue
                    hits.discard(qid)
        found |= hits

    def __len__(self) -> int:
        return len(self.first) + len(self.always)


class Matcher:
    """Stored queries, matched against posts through a presearch index.

    `match(post, workspace=w)` considers the queries added for workspace `w` plus those added with
    no workspace; `workspace=None` considers all queries.
    """

    def __init__(self, *, fold_diacritics: bool = False) -> None:
        self.fold_diacritics = fold_diacritics
        self._entries: dict[int, _Entry] = {}
        self._by_key: dict[Hashable, int] = {}
        self._shards: dict[str | None, _Shard] = {}
        self._next = 0
        self._fold_count = 0
        self._meta_count = 0

    # -- maintenance --------------------------------------------------------------------------
    def add(
        self,
        key: Hashable,
        query: str | Node,
        *,
        workspace: str | None = None,
        languages: Collection[str] | None = None,
        fold_diacritics: bool | None = None,
    ) -> None:
        """Add or replace the query stored under `key`. Raises QuerySyntaxError."""
        node = parse(query) if isinstance(query, str) else query
        use_fold = self.fold_diacritics if fold_diacritics is None else fold_diacritics
        compiler = Compiler(use_fold)
        pred = compiler.pred(node)
        passes = [r.entries for r in cheapest_two(requirements(node, compiler))]
        langs = None
        if languages:
            langs = frozenset(filter(None, (normalize_language(lang) for lang in languages)))
        if key in self._by_key:
            self.remove(key)
        qid = self._next
        self._next += 1
        meta = any(value.startswith(META) for entries in passes for _, value in entries)
        entry = _Entry(
            key,
            query if isinstance(query, str) else "",
            pred,
            langs,
            passes,
            workspace,
            use_fold,
            meta,
        )
        self._entries[qid] = entry
        self._by_key[key] = qid
        self._fold_count += use_fold
        self._meta_count += meta
        shard = self._shards.setdefault(workspace, _Shard())
        if not passes:
            shard.always.add(qid)
            return
        shard.first.add(qid, passes[0])
        if len(passes) > 1:
            entries = passes[1]
            shard.second[qid] = (
                frozenset(v for k, v in entries if k != FRAGMENT and not v.startswith(META)),
                frozenset(v for k, v in entries if k != FRAGMENT and v.startswith(META)),
                tuple(v for k, v in entries if k == FRAGMENT),
            )

    def remove(self, key: Hashable) -> None:
        """Forget the query stored under `key` (KeyError if there is none)."""
        qid = self._by_key.pop(key)
        entry = self._entries.pop(qid)
        self._fold_count -= entry.fold
        self._meta_count -= entry.meta
        shard = self._shards[entry.workspace]
        shard.always.discard(qid)
        shard.second.pop(qid, None)
        if entry.passes:
            shard.first.discard(qid, entry.passes[0])
        if not len(shard):
            del self._shards[entry.workspace]

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[Hashable]:
        return iter(list(self._by_key))

    # -- matching -----------------------------------------------------------------------------
    def match(self, post: Post, *, workspace: str | None = None) -> list[Hashable]:
        """Keys of the stored queries that match `post`, in the order they were added."""
        if not self._entries:
            return []
        # Analysis up to the distinct tokens only; the full PostView (positions, surfaces,
        # title view, metadata) is built for the few posts that have a candidate.
        text = post.text or ""
        title = post.title or ""
        body_toks = tokens(text) if text else []
        title_toks = tokens(title) if title else []
        distinct = set(body_toks)
        lang = normalize_language(post.language) or guess_language(f"{title} {text}", distinct)
        if title_toks:
            distinct.update(title_toks)
        with_fold = self._fold_count > 0
        probe = _Probe(post, lang, distinct, token_cache(lang, with_fold))
        candidates: set[int] = set()
        if workspace is None:
            for shard in self._shards.values():
                shard.candidates(probe, candidates)
        else:
            for name in (workspace, None):
                shard = self._shards.get(name)
                if shard is not None:
                    shard.candidates(probe, candidates)
        if not candidates:
            return []
        entries = self._entries
        body = None
        out: list[Hashable] = []
        for qid in sorted(candidates):
            entry = entries[qid]
            if entry.languages is not None and lang not in entry.languages:
                continue
            if body is None:
                body = PostView(
                    post, with_fold=with_fold, analysed=(body_toks, title_toks, lang)
                ).body
            if entry.pred(body):
                out.append(entry.key)
        return out

    def match_batch(
        self, posts: Sequence[Post], *, workspace: str | None = None
    ) -> list[list[Hashable]]:
        return [self.match(post, workspace=workspace) for post in posts]
