"""The Matcher: many stored queries against a stream of posts.

Each query is indexed under its two cheapest presearch requirements, each a key index plus an
Aho-Corasick automaton of wildcard fragments. A post is tokenized once; a compiled per-token memo
(one per workspace shard and analysis mode) says which queries each token meets in either pass,
and only the queries that meet both run their compiled predicate. The memo is `_engine.SpanIndex`
over token spans when the C engine is built (`_engine.collect_batch` runs the per-post loop), and
`_native.TokenIndex` over token lists otherwise; both give the same matches.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from flarewatch.mentions.post import Post
from flarewatch.query import _native
from flarewatch.query._native import TokenIndex
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
from flarewatch.query.presearch import FRAGMENT, cheapest_two, requirements
from flarewatch.query.view import PostView, meta_keys

try:  # the C per-post loop, built by `make install` where there is a C compiler (setup.py)
    from flarewatch.query import _engine
except ImportError:
    _engine = None  # type: ignore[assignment]
# Without it (or with an uncompiled _native) the same matches come from the token-list path.
ENGINE = _engine is not None and _native.COMPILED
# Tokens a per-token memo holds before it empties itself, so that an unbounded stream of new
# words cannot grow memory forever (a few hundred MB at most for the 500k default).
MEMO_LIMIT = 500_000


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
    meta: int = 0  # queries indexed here under a metadata key

    def add(self, qid: int, entries: frozenset[tuple[str, str]]) -> None:
        for kind, value in entries:
            _put(self.fragments if kind == FRAGMENT else self.index, value, qid)
            self.dirty |= kind == FRAGMENT
        self.meta += any(value.startswith(META) for _, value in entries)

    def discard(self, qid: int, entries: frozenset[tuple[str, str]]) -> None:
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

    def meta_hits(self, probe: _Probe, found: set[int]) -> None:
        index = self.index
        for key in probe.meta() & index.keys():
            _collect(found, index[key])

    def __len__(self) -> int:
        return len(self.index) + len(self.fragments)


class _Probe:
    """What presearch needs of a post, computed lazily: most posts stop at the first pass."""

    __slots__ = ("post", "lang", "tokens", "cache", "_meta")

    def __init__(self, post: Post, lang: str, toks: Any, cache: TokenCache | None) -> None:
        self.post = post
        self.lang = lang
        self.tokens = toks  # a token list, or (body, title) `_engine.Spans` with the engine
        self.cache = cache
        self._meta: set[str] | None = None

    def meta(self) -> set[str]:
        if self._meta is None:
            self._meta = meta_keys(self.post, self.lang)
        return self._meta


@dataclass(slots=True)
class _Shard:
    """The queries of one workspace (None: queries that apply to every workspace).

    A candidate must hit the first pass, and the second requirement too if it has one. Both
    requirements are indexed (token keys and wildcard fragments), and a `TokenIndex` per
    analysis mode remembers what each token meets, so a post costs one lookup per token and a
    few set operations; only second requirements that name metadata are checked one by one.
    """

    first: _Pass = field(default_factory=_Pass)
    second: _Pass = field(default_factory=_Pass)
    always: set[int] = field(default_factory=set)
    two_pass: set[int] = field(default_factory=set)  # queries with a second requirement
    # Metadata keys of second requirements (lang:, site:, ...), for the queries that have them.
    second_meta: dict[int, frozenset[str]] = field(default_factory=dict)
    # `_native.TokenIndex` over token lists, or `_engine.SpanIndex` over spans.
    token_indexes: dict[tuple[str, bool, bool], Any] = field(default_factory=dict)

    def add(self, qid: int, passes: list[frozenset[tuple[str, str]]]) -> None:
        self.token_indexes.clear()
        if not passes:
            self.always.add(qid)
            return
        self.first.add(qid, passes[0])
        if len(passes) > 1:
            self.two_pass.add(qid)
            tokens, meta = _split_meta(passes[1])
            self.second.add(qid, tokens)
            if meta:
                self.second_meta[qid] = meta

    def discard(self, qid: int, passes: list[frozenset[tuple[str, str]]]) -> None:
        self.token_indexes.clear()
        self.always.discard(qid)
        if passes:
            self.first.discard(qid, passes[0])
        if len(passes) > 1:
            self.two_pass.discard(qid)
            self.second.discard(qid, _split_meta(passes[1])[0])
            self.second_meta.pop(qid, None)

    def collect_spans(
        self,
        post: Post,
        lang: str,
        mode: str,
        with_fold: bool,
        body: Any,
        title: Any,
        found: set[int],
    ) -> None:
        """`candidates` over `_engine.Spans`, straight into `found`."""
        index = self.token_indexes.get((mode, with_fold, True))
        if index is None:
            index = self._token_index(mode, with_fold, spans=True)
        extra = self.always
        probe = None
        if self.first.meta:
            probe = _Probe(post, lang, None, None)
            extra = set(extra)
            self.first.meta_hits(probe, extra)
        pending = index.collect(body, title, extra, self.two_pass, self.second_meta, found)
        if pending:
            self.admit(post, lang, pending, probe, found)

    def admit(
        self, post: Post, lang: str, pending: list[int], probe: _Probe | None, found: set[int]
    ) -> None:
        """Add the pending ids whose metadata second requirement the post meets."""
        meta = (probe or _Probe(post, lang, None, None)).meta()
        found.update(q for q in pending if not self.second_meta[q].isdisjoint(meta))

    def candidates(self, probe: _Probe, found: set[int]) -> None:
        extra = self.always
        if self.first.meta:
            extra = set(extra)
            self.first.meta_hits(probe, extra)
        index = self._token_index(probe.cache.lang, probe.cache.with_fold)
        hits, unmet = index.candidates(probe.tokens, extra, self.two_pass)
        if unmet:
            if self.second_meta:
                for qid in unmet & self.second_meta.keys():
                    if not self.second_meta[qid].isdisjoint(probe.meta()):
                        unmet.discard(qid)
            hits -= unmet
        found |= hits

    def _token_index(self, lang: str, with_fold: bool, spans: bool = False) -> Any:
        mode = (lang, with_fold, spans)
        index = self.token_indexes.get(mode)
        if index is None:
            index = (_engine.SpanIndex if spans else TokenIndex)(
                self.first.index,
                self.first.automaton(),
                self.second.index,
                self.second.automaton(),
                lang,
                with_fold,
                MEMO_LIMIT,
            )
            self.token_indexes[mode] = index
        return index

    def __len__(self) -> int:
        return len(self.first) + len(self.always)


def _split_meta(
    entries: frozenset[tuple[str, str]],
) -> tuple[frozenset[tuple[str, str]], frozenset[str]]:
    """A second requirement's token keys and fragments, and apart its metadata keys."""
    meta = frozenset(v for k, v in entries if k != FRAGMENT and v.startswith(META))
    if not meta:
        return entries, meta
    return frozenset(e for e in entries if e[1] not in meta), meta


class Matcher:
    """Stored queries, matched against posts through a presearch index.

    `match(post, workspace=w)` considers the queries added for workspace `w` plus those added with
    no workspace; `workspace=None` considers all queries. Not thread-safe: its per-token memos
    change while it matches, so each thread (the pipeline's workers, a re-match) builds its own.
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
    def forget_tokens(self) -> None:
        """Drop the per-token memos (what each token met), keeping the queries and their index.

        The memos fill with every new word of the stream up to `MEMO_LIMIT` tokens; a
        long-running runner calls this on its cache sweep (pipeline/memory.py) so they hold
        only the words of recent hours. Matching refills them on first sight of a token.
        """
        for shard in self._shards.values():
            shard.token_indexes.clear()

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
        self._shards.setdefault(workspace, _Shard()).add(qid, passes)

    def remove(self, key: Hashable) -> None:
        """Forget the query stored under `key` (KeyError if there is none)."""
        qid = self._by_key.pop(key)
        entry = self._entries.pop(qid)
        self._fold_count -= entry.fold
        self._meta_count -= entry.meta
        shard = self._shards[entry.workspace]
        shard.discard(qid, entry.passes)
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
        return self.match_batch([post], workspace=workspace)[0]

    def match_batch(
        self, posts: Sequence[Post], *, workspace: str | None = None
    ) -> list[list[Hashable]]:
        """`match` for each post, with the per-batch work done once."""
        if not self._entries:
            return [[] for _ in posts]
        if workspace is None:
            shards = list(self._shards.values())
        else:
            shards = [s for s in (self._shards.get(workspace), self._shards.get(None)) if s]
        with_fold = self._fold_count > 0
        if not ENGINE:
            return [self._match_tokens(post, shards, with_fold) for post in posts]
        collected = _engine.collect_batch(list(posts), shards, with_fold)
        return [
            self._verify_spans(post, found, with_fold) if found else []
            for post, found in zip(posts, collected, strict=True)
        ]

    # Analysis goes up to the tokens only (`_engine.collect_batch` on the span path): the full
    # PostView (positions, surfaces, title view, metadata) is built for the few posts that have
    # a candidate.
    def _verify_spans(self, post: Post, collected: Any, with_fold: bool) -> list[Hashable]:
        found, lang, body_spans, title_spans = collected

        def analyse() -> PostView:
            # The keys kept with each token by the engine (derived now, once, for tokens that
            # met nothing on first sight), and each token string made once.
            keys: set[str] = set()
            body_toks = body_spans.tokens_and_keys(keys)
            title_toks = title_spans.tokens_and_keys(keys) if title_spans is not None else []
            return PostView(
                post, with_fold=with_fold, analysed=(body_toks, title_toks, lang), body_keys=keys
            )

        return self._verify(found, lang, analyse)

    def _match_tokens(self, post: Post, shards: list[_Shard], with_fold: bool) -> list[Hashable]:
        text = post.text or ""
        title = post.title or ""
        body_toks = tokens(text) if text else []
        title_toks = tokens(title) if title else []
        lang = normalize_language(post.language) or guess_language(
            f"{title} {text}", set(body_toks)
        )
        terms = body_toks + title_toks if title_toks else body_toks
        probe = _Probe(post, lang, terms, token_cache(lang, with_fold))
        found: set[int] = set()
        for shard in shards:
            shard.candidates(probe, found)
        if not found:
            return []
        return self._verify(
            found,
            lang,
            lambda: PostView(post, with_fold=with_fold, analysed=(body_toks, title_toks, lang)),
        )

    def _verify(
        self, candidates: set[int], lang: str, analyse: Callable[[], PostView]
    ) -> list[Hashable]:
        """Keys of the candidates whose predicate holds, in the order they were added."""
        entries = self._entries
        view: PostView | None = None
        out: list[Hashable] = []
        for qid in sorted(candidates):
            entry = entries[qid]
            if entry.languages is not None and lang not in entry.languages:
                continue
            if view is None:
                view = analyse()
            if entry.pred(view.body):
                out.append(entry.key)
        if view is not None:
            view.release()
        return out
