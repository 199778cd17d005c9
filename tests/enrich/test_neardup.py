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
