from datetime import UTC, datetime, timedelta, timezone

from flarewatch.mentions.post import Post
from flarewatch.pipeline.normalise import clean_text, content_hash, normalise_post


def test_niqqud_and_invisible_characters_are_removed() -> None:
    assert clean_text("בַּיִת\u200f  חָדָשׁ") == "בית חדש"


def test_nfkc_folds_compatibility_forms() -> None:
    assert clean_text("ｆｕｌｌ\u00a0width ﬁ") == "full width fi"


def test_hashtags_handles_and_links_are_extracted() -> None:
    post = normalise_post(
        Post(
            external_id="1",
            text="@GrillTown תולעת בהמבורגר! #GrillTown #בושה https://ex.com/p/1.",
            author="@Dana",
            platform=" Facebook ",
        )
    )
    assert post.hashtags == ["grilltown", "בושה"]
    assert post.mentions == ["grilltown"]
    assert post.links == ["https://ex.com/p/1"]
    assert post.author == "Dana"
    assert post.platform == "facebook"


def test_created_at_becomes_utc() -> None:
    naive = normalise_post(Post(external_id="1", text="x", created_at=datetime(2026, 3, 1, 14, 5)))
    assert naive.created_at == datetime(2026, 3, 1, 14, 5, tzinfo=UTC)
    israel = timezone(timedelta(hours=2))
    aware = normalise_post(
        Post(external_id="2", text="x", created_at=datetime(2026, 3, 1, 16, 5, tzinfo=israel))
    )
    assert aware.created_at == datetime(2026, 3, 1, 14, 5, tzinfo=UTC)


def test_content_hash_ignores_case_spacing_and_urls() -> None:
    assert content_hash("Worm in my  BURGER https://a.io/x") == content_hash("worm in my burger")
    assert content_hash("worm in my burger") != content_hash("worm in my fries")
