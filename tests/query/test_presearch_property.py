"""Property: the presearch index never drops a query that the reference evaluator matches."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flarewatch.mentions.post import Post
from flarewatch.query import Matcher, matches, render
from flarewatch.query.parser import parse

WORDS = [
    "awaria",
    "awarii",
    "awarię",
    "prąd",
    "prądu",
    "bank",
    "banku",
    "car",
    "cars",
    "city",
    "cities",
    "apple",
    "brand",
    "brand's",
    "ישראל",
    "ובישראל",
    "לישראל",
    "בית",
    "הבית",
    "news",
    "outage",
    "on",
    "a",
    "#brand",
    "@acme",
    "🔥",
    "Apple",
    "APPLE",
    "prad",
]
QUERY_WORDS = [
    "awaria",
    "prąd",
    "bank",
    "car",
    "cities",
    "apple",
    "brand",
    "ישראל",
    "בית",
    "outage",
    "#brand",
    "@acme",
    "🔥",
    "on",
    "prad",
]
PATTERNS = ["awar*", "ba?k", "ca*", "ישר*", "out*e", "app?e"]


def leaf() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(QUERY_WORDS),
        st.sampled_from(PATTERNS),
        st.sampled_from(QUERY_WORDS).map(lambda w: f'"{w}"'),
        st.sampled_from(["{Apple}", "{APPLE}"]),
        st.lists(st.sampled_from(QUERY_WORDS), min_size=2, max_size=3).map(
            lambda ws: '"' + " ".join(ws) + '"'
        ),
        st.tuples(
            st.lists(st.sampled_from(QUERY_WORDS), min_size=2, max_size=3), st.integers(0, 3)
        ).map(lambda t: '"' + " ".join(t[0]) + f'"~{t[1]}'),
        st.sampled_from(
            [
                "lang:pl",
                "lang:en",
                "lang:he",
                "platform:twitter",
                "title:outage",
                "site:example.com",
                "author:acme",
            ]
        ),
    )


def near(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(inner, st.integers(0, 3), st.sampled_from(["NEAR", "ONEAR"]), inner).map(
        lambda t: f"({t[0]}) {t[2]}/{t[1]} ({t[3]})"
    )


def positional() -> st.SearchStrategy[str]:
    base = st.one_of(st.sampled_from(QUERY_WORDS), st.sampled_from(PATTERNS))
    return st.one_of(base, st.lists(base, min_size=2, max_size=3).map(" OR ".join))


queries = st.recursive(
    leaf(),
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(" + " AND ".join(xs) + ")"),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(" + " OR ".join(xs) + ")"),
        inner.map(lambda x: f"NOT ({x})"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]}) AND NOT ({t[1]})"),
        near(positional()),
    ),
    max_leaves=6,
)

posts = st.builds(
    lambda words, title, lang, platform, url: Post(
        external_id="p",
        text=" ".join(words),
        title=" ".join(title) or None,
        language=lang,
        platform=platform,
        url=url,
        author="acme",
    ),
    st.lists(st.sampled_from(WORDS), max_size=12),
    st.lists(st.sampled_from(WORDS), max_size=3),
    st.sampled_from([None, "en", "pl", "he"]),
    st.sampled_from(["twitter", "news"]),
    st.sampled_from([None, "https://www.example.com/a", "https://other.org/"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(queries, min_size=1, max_size=8),
    st.lists(posts, min_size=1, max_size=5),
    st.booleans(),
)
def test_presearch_never_misses(qs: list[str], ps: list[Post], fold: bool) -> None:
    matcher = Matcher(fold_diacritics=fold)
    for i, q in enumerate(qs):
        matcher.add(i, q)
    for post in ps:
        expected = [i for i, q in enumerate(qs) if matches(q, post, fold_diacritics=fold)]
        assert matcher.match(post) == expected


@settings(max_examples=200, deadline=None)
@given(queries)
def test_render_round_trips(q: str) -> None:
    node = parse(q)
    assert parse(render(node)) == node
