from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from flarewatch.enrich import Enricher, RelevanceFilter, SpamScorer
from flarewatch.mentions.post import Post

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)


def test_link_only_copies_and_new_accounts() -> None:
    scorer = SpamScorer()
    posts = [
        Post(
            str(i),
            "WIN a free iPhone now http://spam.example",
            author=f"bot{i}",
            author_created_at=NOW - timedelta(days=2),
            created_at=NOW,
        )
        for i in range(5)
    ]
    posts.append(Post("link", "http://x.example/abc", author="linker", created_at=NOW))
    posts.append(
        Post(
            "ok",
            "The new branch in Tel Aviv has friendly staff",
            author="human",
            author_created_at=NOW - timedelta(days=900),
            created_at=NOW,
        )
    )
    res = scorer.score_batch(posts, NOW)
    assert all(r.is_spam for r in res[:5])
    assert res[0].signals["copies"] == 1.0 and res[0].signals["new_account"] == 1.0
    assert res[5].signals["link_only"] == 1.0
    assert not res[6].is_spam and res[6].score == 0.0


def test_posting_rate() -> None:
    posts = [
        Post(
            str(i),
            f"message number {i} about things",
            author="flood",
            created_at=NOW - timedelta(minutes=i),
        )
        for i in range(40)
    ]
    assert SpamScorer().score_batch(posts, NOW)[0].signals["rate"] == 1.0


def test_relevance_filter_learns_from_marks_and_round_trips() -> None:
    f = RelevanceFilter()
    assert f.score(["anything"]) == [1.0]
    for text in [
        "Crypto giveaway, send ETH to double it",
        "Free crypto airdrop claim now",
        "crypto giveaway claim your tokens",
    ]:
        f.mark(text, relevant=False)
    f.mark("Acme support fixed my router quickly", relevant=True)
    restored = RelevanceFilter.from_dict(json.loads(json.dumps(f.to_dict())))
    spam, real = restored.score(
        ["crypto giveaway claim free tokens", "Acme router support was quick"]
    )
    assert spam < 0.5 < real


def test_relevance_effect_is_visible_in_enrichment() -> None:
    f = RelevanceFilter()
    for text in ["Crypto giveaway, send ETH to double it", "Free crypto airdrop claim now"]:
        f.mark(text, relevant=False)
    post = Post("1", "crypto giveaway airdrop claim now", author="x", created_at=NOW)
    enricher = Enricher(("en",))
    before = enricher.enrich_batch([post], NOW)[0]
    after = Enricher(("en",)).enrich_batch([post], NOW, relevance=f)[0]
    assert before.relevance == 1.0 and after.relevance < 0.5
    assert after.spam_score > before.spam_score and after.is_spam


def test_a_crowd_repeating_one_sentence_is_a_campaign_not_spam() -> None:
    posts = [
        Post(
            str(i),
            "Boycott Grillberry until they explain the worm!",
            author=f"customer{i}",
            author_created_at=NOW - timedelta(days=400 + i),
            created_at=NOW - timedelta(minutes=i),
        )
        for i in range(12)
    ]
    results = SpamScorer().score_batch(posts, NOW)
    assert results[-1].signals["copies"] == 1.0
    assert not any(r.is_spam for r in results)


def test_copies_ignore_links_handles_hashtags_and_case() -> None:
    texts = [
        "Boycott Acme until they explain! http://a.example/1",
        "boycott acme until they explain! @acme #boycott",
        "BOYCOTT Acme until they explain! https://b.example/2 #acme",
    ]
    posts = [Post(str(i), t, author=f"a{i}", created_at=NOW) for i, t in enumerate(texts)]
    posts.append(Post("x", "Acme explained it well", author="a9", created_at=NOW))
    res = SpamScorer().score_batch(posts, NOW)
    assert [r.signals["copies"] for r in res] == [0.5, 0.5, 0.5, 0.0]
    assert not any(r.is_spam for r in res)  # copies alone stay below the spam line


def _copy(i: int, at: datetime) -> Post:
    return Post(f"c{i}", "Boycott them until they explain", author=f"acct{i}", created_at=at)


def test_copies_count_within_a_day_of_each_other_not_across_days() -> None:
    scorer = SpamScorer()
    scorer.score_batch([_copy(0, NOW), _copy(1, NOW)], NOW)
    # Ten hours later the morning's two accounts still count: three copies in all.
    later = NOW + timedelta(hours=10)
    assert scorer.score_batch([_copy(2, later)], later)[0].signals["copies"] == 0.5
    # Across the generation boundary (12 h) the earlier ones are still remembered.
    after_rotation = NOW + timedelta(hours=13)
    res = scorer.score_batch([_copy(3, after_rotation)], after_rotation)
    assert res[0].signals["copies"] == 0.75
    # Two days on, the text is new again: the memory spans a day of the posts' clock.
    two_days = NOW + timedelta(days=2)
    assert scorer.score_batch([_copy(4, two_days)], two_days)[0].signals["copies"] == 0.0
    assert len(scorer) == 1


def test_copy_memory_is_bounded_by_count_as_well() -> None:
    scorer = SpamScorer(memory=100)
    for start in range(0, 1_000, 50):
        posts = [
            Post(str(i), f"distinct text number {i} here", author="a", created_at=NOW)
            for i in range(start, start + 50)
        ]
        scorer.score_batch(posts, NOW)
        assert len(scorer) <= 100 + 50


def test_a_viral_text_remembers_only_the_accounts_the_signal_needs() -> None:
    scorer = SpamScorer()
    posts = [_copy(i, NOW) for i in range(50)]
    assert all(r.signals["copies"] == 1.0 for r in scorer.score_batch(posts, NOW))
    [authors] = scorer._authors_by_text.values()
    assert len(authors) == 5
    # Across generations the two remembered sets still add up, up to the same cap.
    later = NOW + timedelta(hours=13)
    scorer2 = SpamScorer()
    scorer2.score_batch([_copy(0, NOW), _copy(1, NOW)], NOW)
    res = scorer2.score_batch([_copy(2, later), _copy(1, later)], later)
    assert [r.signals["copies"] for r in res] == [0.5, 0.5]
