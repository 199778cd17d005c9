"""The Matcher: many stored queries against a stream of posts.

Each query is indexed under its presearch keys. A post is analysed once; the intersection of its
key set with the index (a C-level set operation) and one Aho-Corasick pass for wildcard fragments
give the candidate queries, and only those run the compiled predicate.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterator, Sequence
from dataclasses import dataclass, field

import ahocorasick

from flarewatch.mentions.post import Post
from flarewatch.query.analysis import META, normalize_language
from flarewatch.query.ast import Node
from flarewatch.query.evaluate import Compiler, Pred
from flarewatch.query.parser import parse
from flarewatch.query.presearch import FRAGMENT, extract
from flarewatch.query.view import PostView


@dataclass(slots=True)
class _Entry:
    key: Hashable
    query: str
    pred: Pred
    languages: frozenset[str] | None
    entries: frozenset[tuple[str, str]] | None
    workspace: str | None
    fold: bool
    meta: bool  # indexed under a metadata key, so posts must carry theirs


@dataclass(slots=True)
class _Shard:
    """The queries of one workspace (None: queries that apply to every workspace)."""

    index: dict[str, set[int]] = field(default_factory=dict)
    fragments: dict[str, set[int]] = field(default_factory=dict)
    always: set[int] = field(default_factory=set)
    automaton: ahocorasick.Automaton | None = None
    dirty: bool = False

    def automaton_for_match(self) -> ahocorasick.Automaton | None:
        if self.dirty:
            self.automaton = None
            if self.fragments:
                auto = ahocorasick.Automaton()
                for fragment, qids in self.fragments.items():
                    auto.add_word(fragment, tuple(qids))
                auto.make_automaton()
                self.automaton = auto
            self.dirty = False
        return self.automaton

    def candidates(self, keys: set[str], text: str) -> set[int]:
        index = self.index
        found = set(self.always)
        for key in keys & index.keys():
            found |= index[key]
        auto = self.automaton_for_match()
        if auto is not None:
            for _, qids in auto.iter(text):
                found.update(qids)
        return found

    def __len__(self) -> int:
        return len(self.index) + len(self.fragments) + len(self.always)


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
    def add(self, key: Hashable, query: str | Node, *, workspace: str | None = None,
            languages: Collection[str] | None = None,
            fold_diacritics: bool | None = None) -> None:
        """Add or replace the query stored under `key`. Raises QuerySyntaxError."""
        node = parse(query) if isinstance(query, str) else query
        use_fold = self.fold_diacritics if fold_diacritics is None else fold_diacritics
        compiler = Compiler(use_fold)
        pred = compiler.pred(node)
        req = extract(node, compiler)
        langs = None
        if languages:
            langs = frozenset(filter(None, (normalize_language(lang) for lang in languages)))
        if key in self._by_key:
            self.remove(key)
        qid = self._next
        self._next += 1
        entries = req.entries if req else None
        meta = any(value.startswith(META) for _, value in entries or ())
        entry = _Entry(key, query if isinstance(query, str) else "", pred, langs, entries,
                       workspace, use_fold, meta)
        self._entries[qid] = entry
        self._by_key[key] = qid
        self._fold_count += use_fold
        self._meta_count += meta
        shard = self._shards.setdefault(workspace, _Shard())
        if entry.entries is None:
            shard.always.add(qid)
            return
        for kind, value in entry.entries:
            if kind == FRAGMENT:
                shard.fragments.setdefault(value, set()).add(qid)
                shard.dirty = True
            else:
                shard.index.setdefault(value, set()).add(qid)

    def remove(self, key: Hashable) -> None:
        """Forget the query stored under `key` (KeyError if there is none)."""
        qid = self._by_key.pop(key)
        entry = self._entries.pop(qid)
        self._fold_count -= entry.fold
        self._meta_count -= entry.meta
        shard = self._shards[entry.workspace]
        shard.always.discard(qid)
        for kind, value in entry.entries or ():
            table = shard.fragments if kind == FRAGMENT else shard.index
            qids = table.get(value)
            if qids is not None:
                qids.discard(qid)
                if not qids:
                    del table[value]
            if kind == FRAGMENT:
                shard.dirty = True
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
        shards = self._select(workspace)
        view = PostView(post, with_fold=self._fold_count > 0)
        body = view.body
        keys = body.keys | view.meta_keys() if self._meta_count else body.keys
        text = body.joined()
        candidates: set[int] = set()
        for shard in shards:
            candidates |= shard.candidates(keys, text)
        entries = self._entries
        lang = view.lang
        out: list[Hashable] = []
        for qid in sorted(candidates):
            entry = entries[qid]
            if entry.languages is not None and lang not in entry.languages:
                continue
            if entry.pred(body):
                out.append(entry.key)
        return out

    def match_batch(self, posts: Sequence[Post], *,
                    workspace: str | None = None) -> list[list[Hashable]]:
        return [self.match(post, workspace=workspace) for post in posts]

    def _select(self, workspace: str | None) -> list[_Shard]:
        if workspace is None:
            return list(self._shards.values())
        return [s for w in (workspace, None) if (s := self._shards.get(w)) is not None]
