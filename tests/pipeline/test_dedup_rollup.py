from datetime import UTC, datetime

from flarewatch.mentions.post import Post
from flarewatch.pipeline.dedup import dedup_batch, split_known
from flarewatch.pipeline.normalise import normalise_batch
from flarewatch.pipeline.rollup import MentionFacts, rollup_batch


def _post(ext: str, text: str, author: str | None = "a", url: str | None = None) -> Post:
    return Post(external_id=ext, text=text, author=author, url=url)


def test_same_item_twice_is_folded_onto_the_first() -> None:
    posts = normalise_batch(
        [_post("1", "Worm in burger"), _post("2", "worm in  BURGER"), _post("1", "Worm in burger")]
    )
    result = dedup_batch(posts)
    assert [p.external_id for p in result.unique] == ["1"]
    assert result.duplicates == {"2": "1"}


def test_same_text_by_different_authors_is_kept_as_a_campaign() -> None:
    posts = normalise_batch(
        [_post("1", "Boycott GrillTown", "a"), _post("2", "Boycott GrillTown", "b")]
    )
    assert len(dedup_batch(posts).unique) == 2


def test_anonymous_items_are_identified_by_url() -> None:
    posts = normalise_batch(
        [
            _post("feed1-9", "Recall at GrillTown", None, "https://news.example/a"),
            _post("feed2-4", "Recall at GrillTown", None, "https://news.example/a"),
            _post("feed2-5", "Recall at GrillTown", None, "https://other.example/b"),
        ]
    )
    result = dedup_batch(posts)
    assert [p.external_id for p in result.unique] == ["feed1-9", "feed2-5"]


def test_split_known_separates_stored_identities() -> None:
    posts = normalise_batch([_post("1", "hello"), _post("2", "bye")])
    key = (posts[0].content_hash, "a")
    new, repeats = split_known(posts, {key: 42})
    assert [p.external_id for p in new] == ["2"]
    assert repeats == {"1": 42}


def test_rollup_counts_per_topic_per_minute() -> None:
    t = datetime(2026, 3, 1, 14, 5, 10, tzinfo=UTC)
    facts = [
        MentionFacts(1, t, True, 3.0, 100.0, 7, "facebook"),
        MentionFacts(1, t.replace(second=50), False, 1.0, 10.0, 7, "twitter"),
        MentionFacts(1, t.replace(minute=6), False, 0.0, 0.0, None, "news"),
        MentionFacts(2, t, True, 0.0, 0.0, 8, "facebook"),
    ]
    deltas = rollup_batch(facts)
    first = deltas[0]
    assert (first.topic_id, first.minute) == (1, t.replace(second=0))
    assert (first.count, first.negative_count, first.engagement, first.reach) == (2, 1, 4.0, 110.0)
    assert first.author_ids == {7}
    assert first.platforms == {"facebook": 1, "twitter": 1}
    assert [(d.topic_id, d.count) for d in deltas] == [(1, 2), (1, 1), (2, 1)]
