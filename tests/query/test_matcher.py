"""Matcher API: add/replace/remove, workspaces, languages, batches, wildcards via Aho-Corasick."""

from __future__ import annotations

import pytest

from flarewatch.mentions.post import Post
from flarewatch.query import Matcher, QuerySyntaxError, parse


def post(text: str, lang: str | None = "en", **kw: object) -> Post:
    return Post(external_id="x", text=text, language=lang, **kw)  # type: ignore[arg-type]


def test_add_match_remove() -> None:
    m = Matcher()
    m.add("a", "apple")
    m.add("b", "pear OR plum")
    m.add("c", "micro*")
    assert len(m) == 3
    assert m.match(post("apple and plum")) == ["a", "b"]
    assert m.match(post("Microsoft")) == ["c"]
    m.remove("b")
    assert m.match(post("apple and plum")) == ["a"]
    m.remove("c")
    assert m.match(post("Microsoft")) == []
    assert len(m) == 1 and "a" in m and "b" not in m
    with pytest.raises(KeyError):
        m.remove("b")


def test_add_replaces_same_key() -> None:
    m = Matcher()
    m.add(1, "apple")
    m.add(1, "pear")
    assert len(m) == 1
    assert m.match(post("apple")) == []
    assert m.match(post("pear")) == [1]


def test_bad_query_raises_and_leaves_matcher_unchanged() -> None:
    m = Matcher()
    m.add("ok", "apple")
    with pytest.raises(QuerySyntaxError):
        m.add("bad", "(apple")
    assert len(m) == 1


def test_workspaces() -> None:
    m = Matcher()
    m.add("w1", "apple", workspace="one")
    m.add("w2", "apple", workspace="two")
    m.add("all", "apple")
    p = post("apple")
    assert m.match(p, workspace="one") == ["w1", "all"]
    assert m.match(p, workspace="two") == ["w2", "all"]
    assert m.match(p, workspace="three") == ["all"]
    assert m.match(p) == ["w1", "w2", "all"]


def test_languages_filter() -> None:
    m = Matcher()
    m.add("pl", "bank", languages=["pl"])
    m.add("en", "bank", languages=["en", "de"])
    m.add("any", "bank")
    assert m.match(post("bank", "pl")) == ["pl", "any"]
    assert m.match(post("bank", "en-GB")) == ["en", "any"]
    assert m.match(post("w banku", None)) == ["pl", "any"]


def test_negative_only_query_is_always_verified() -> None:
    m = Matcher()
    m.add("n", "NOT spam")
    assert m.match(post("ham")) == ["n"]
    assert m.match(post("spam")) == []


def test_metadata_only_query() -> None:
    m = Matcher()
    m.add("t", "platform:twitter AND lang:en")
    assert m.match(post("anything", platform="twitter")) == ["t"]
    assert m.match(post("anything", platform="news")) == []


def test_match_batch() -> None:
    m = Matcher()
    m.add("a", "apple")
    out = m.match_batch([post("apple"), post("pear"), post("APPLE pie")])
    assert out == [["a"], [], ["a"]]


def test_accepts_parsed_node_and_per_query_fold() -> None:
    m = Matcher()
    m.add("node", parse("apple"))
    m.add("fold", "prad", fold_diacritics=True)
    m.add("plain", "prad")
    assert m.match(post("prądu", "pl")) == ["fold"]
    assert m.match(post("apple")) == ["node"]


def test_empty_matcher() -> None:
    assert Matcher().match(post("anything")) == []


def test_rebuild_many_queries_quickly() -> None:
    m = Matcher()
    for i in range(2000):
        m.add(i, f"word{i} OR (term{i} AND other{i % 7}) OR pre{i}*")
    assert m.match(post("term5 other5")) == [5]
    assert m.match(post("pre12x")) == [1, 12]
    assert m.match(post("pre1234")) == [1, 12, 123, 1234]


def test_remove_with_shared_keys_and_fragments() -> None:
    m = Matcher()
    m.add("a", "apple AND pie")
    m.add("b", "apple AND tart")
    m.add("c", "appl* AND pie")
    m.add("d", "appl* AND cake")
    assert m.match(post("apple pie")) == ["a", "c"]
    m.remove("a")
    assert m.match(post("apple pie")) == ["c"]
    assert m.match(post("apple tart")) == ["b"]
    m.remove("c")
    assert m.match(post("apple pie")) == []
    assert m.match(post("apples cake")) == ["d"]
    m.remove("b")
    m.remove("d")
    assert len(m) == 0 and m.match(post("apple pie cake tart")) == []
    m.add("e", "apple")
    assert m.match(post("apple")) == ["e"]
