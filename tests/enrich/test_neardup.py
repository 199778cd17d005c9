from __future__ import annotations

from flarewatch.enrich import NearDuplicateIndex
from flarewatch.mentions.post import Post

CAMPAIGN = (
    "Acme Bank froze my account for no reason and support ignores me, "
    "everyone should move their money out now"
)


def test_copy_paste_campaign_and_retweets_fold_onto_the_original() -> None:
    index = NearDuplicateIndex()
    first = index.add_batch(
        [
            Post("1", CAMPAIGN, author="alice"),
            Post("2", "Lovely weather in Haifa today, going to the beach", author="bob"),
        ]
    )
    assert [r.original_id for r in first] == [None, None]
    results = index.add_batch(
        [
            Post("3", CAMPAIGN.replace("Acme Bank", "ACME bank") + " #boycott", author="carol"),
            Post("4", "RT @alice: " + CAMPAIGN, author="dave"),
            Post("5", "quoting this", author="erin", repost_of="1"),
            Post(
                "6",
                "Completely different complaint about the train being late again",
                author="frank",
            ),
        ]
    )
    assert [r.original_id for r in results] == ["1", "1", "1", None]
    assert results[0].similarity >= 0.6
    top = index.clusters()[0]
    assert (top.original_id, top.count, top.accounts) == (
        "1",
        4,
        ["alice", "carol", "dave", "erin"],
    )
    assert len(index.clusters()) == 1


def test_redelivered_post_is_not_double_counted() -> None:
    index = NearDuplicateIndex()
    index.add_batch([Post("1", CAMPAIGN, author="a")])
    index.add_batch([Post("2", CAMPAIGN + "!", author="b")])
    index.add_batch([Post("2", CAMPAIGN + "!", author="b")])
    assert index.clusters()[0].count == 2


def test_short_posts_only_fold_when_identical() -> None:
    index = NearDuplicateIndex()
    res = index.add_batch([Post("1", "so bad"), Post("2", "so bad"), Post("3", "so good")])
    assert [r.original_id for r in res] == [None, "1", None]


def test_the_index_forgets_its_oldest_originals_beyond_its_bound() -> None:
    index = NearDuplicateIndex(max_originals=2)
    index.add_batch([Post("1", CAMPAIGN, author="a")])
    index.add_batch(
        [
            Post("2", "Lovely weather in Haifa today, going to the beach", author="b"),
            Post("3", "Completely different complaint about the train being late", author="c"),
        ]
    )
    assert len(index) == 2
    # The campaign's original is forgotten: its copy now starts a cluster of its own...
    [copy] = index.add_batch([Post("4", CAMPAIGN + " #boycott", author="d")])
    assert copy.original_id is None
    # ...while a copy of a remembered original still folds onto it.
    [echo] = index.add_batch(
        [Post("5", "RT @c: Completely different complaint about the train being late", author="e")]
    )
    assert echo.original_id == "3"
    assert len(index) == 2
    assert set(index._buckets.values()) <= {"3", "4"}


def test_the_index_forgets_originals_older_than_its_window() -> None:
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 3, 1, tzinfo=UTC)
    index = NearDuplicateIndex(window=timedelta(hours=48))
    index.add_batch([Post("1", CAMPAIGN, author="a", created_at=start)])
    [copy] = index.add_batch(
        [Post("2", CAMPAIGN + " #boycott", author="b", created_at=start + timedelta(hours=47))]
    )
    assert copy.original_id == "1"
    # Three days on, the original is forgotten (signature, buckets, cluster), and so is its
    # id (two generations back); the copy's id, 25 hours old, is still remembered.
    later = start + timedelta(hours=72)
    [fresh] = index.add_batch([Post("3", CAMPAIGN + " again", author="c", created_at=later)])
    assert fresh.original_id is None
    assert len(index) == 1 and set(index._buckets.values()) == {"3"}
    assert [c.original_id for c in index.clusters(min_count=1)] == ["3"]
    assert index._root_of("1") is None and index._root_of("2") == "1"
    assert index.remembered_ids() == 2


def test_remembered_ids_are_bounded_by_count() -> None:
    index = NearDuplicateIndex(max_originals=5)
    for i in range(0, 200, 10):
        index.add_batch([Post(f"r{j}", "x", repost_of="root") for j in range(i, i + 10)])
        assert index.remembered_ids() <= 4 * 5 + 10


def test_one_post_dated_years_ahead_does_not_age_the_index_out() -> None:
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 3, 1, tzinfo=UTC)
    index = NearDuplicateIndex()
    index.add_batch([Post("1", CAMPAIGN, author="a", created_at=start)])
    typo = Post("x", "Lovely weather in Haifa today", created_at=datetime(2099, 1, 1, tzinfo=UTC))
    ok = Post("y", "Completely different complaint about the train", created_at=start)
    index.add_batch([typo, ok, Post("z", "Another ordinary post about lunch", created_at=start)])
    [copy] = index.add_batch(
        [Post("2", CAMPAIGN + " #boycott", author="b", created_at=start + timedelta(hours=1))]
    )
    assert copy.original_id == "1"
