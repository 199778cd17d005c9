"""Story labels: the most distinctive phrase as people wrote it, or the first post's opening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flarewatch.detect.labels import PhraseBook, is_stopword, opening, phrases, word_key
from flarewatch.detect.stories import StoryPost, StoryTracker

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _tracker_with_background(chatter: list[str], fillers: list[str]) -> StoryTracker:
    """A topic whose everyday posts all name the brand, so the brand is not distinctive."""
    tracker = StoryTracker()
    for i in range(300):
        text = chatter[i % len(chatter)].format(fillers[i % len(fillers)])
        tracker.add(StoryPost(i + 1, T0 + timedelta(minutes=i), text, f"u{i}", "twitter"))
    return tracker


def _label_of(tracker: StoryTracker, posts: list[str]) -> tuple[str, str]:
    start = T0 + timedelta(minutes=400)
    keys = [
        tracker.add(StoryPost(1000 + i, start + timedelta(minutes=i), text, f"w{i}", "facebook"))
        for i, text in enumerate(posts)
    ]
    top = max(set(keys), key=keys.count)
    assert keys.count(top) >= len(posts) - 1, "the retellings form one story"
    story, _ = tracker.signal(start + timedelta(minutes=len(posts)))
    assert story is not None and story.key == top
    return story.label, top


def _is_real_phrase(label: str, posts: list[str]) -> bool:
    """Contiguous words of one post, as written (whitespace aside)."""
    return any(label in " ".join(post.split()) for post in posts)


def test_english_story_is_labelled_by_its_distinctive_phrase() -> None:
    tracker = _tracker_with_background(
        ["lunch at BurgerBar was {} today", "BurgerBar {} fries are nice", "the {} BurgerBar"],
        ["great", "fine", "tasty", "good", "new", "cheap"],
    )
    posts = [
        "Found a dead worm in my burger at BurgerBar!!",
        "BurgerBar: a dead worm in the burger, are you serious",
        "my friend also got a dead worm in her burger",
        "dead worm in a BurgerBar burger, never again",
        "Dead worm in my kid's burger. BurgerBar, explain",
    ]
    label, _ = _label_of(tracker, posts)
    assert "dead worm" in label.lower()
    assert _is_real_phrase(label, posts)
    assert "BurgerBar" not in label  # in every post of the topic: not what this story is about
    words = label.split()
    assert not is_stopword(words[0]) and not is_stopword(words[-1])


def test_hebrew_story_label_survives_prefixes_and_is_a_real_phrase() -> None:
    tracker = _tracker_with_background(
        ["ארוחת צהריים בבורגרבר הייתה {} היום", "הצ'יפס של בורגרבר {}", "בורגרבר {} כרגיל"],
        ["טעימה", "בסדר", "מצוינת", "טובה", "זולה", "חדשה"],
    )
    posts = [
        "מצאתי תולעת בהמבורגר של בורגרבר!!",
        "תולעת בהמבורגר, בורגרבר מגעילים",
        "וגם לחבר שלי הייתה תולעת בהמבורגר",
        "ותולעת בהמבורגר של הילד. בורגרבר תסבירו",
        "שוב תולעת בהמבורגר בבורגרבר",
    ]
    label, _ = _label_of(tracker, posts)
    assert label == "תולעת בהמבורגר"
    assert _is_real_phrase(label, posts)
    # "ותולעת" (and-worm) and "תולעת" are one word for counting.
    assert word_key("ותולעת") == word_key("תולעת")
    assert word_key("בהמבורגר") == word_key("המבורגר")
    assert is_stopword("ושל") and is_stopword("של") and not is_stopword("תולעת")


def test_polish_story_label_counts_inflected_forms_together() -> None:
    tracker = _tracker_with_background(
        ["obiad w BurgerBar był {} dzisiaj", "frytki BurgerBar są {}", "BurgerBar jak zwykle {}"],
        ["dobry", "smaczny", "tani", "świetny", "nowy", "zwykły"],
    )
    posts = [
        "Znalazłem martwego robaka w burgerze z BurgerBar!",
        "martwy robak w burgerze, BurgerBar serio?",
        "koleżanka też miała martwego robaka w burgerze",
        "BurgerBar i martwe robaki w burgerze. Skandal",
        "znowu martwego robaka w burgerze",
    ]
    label, _ = _label_of(tracker, posts)
    assert _is_real_phrase(label, posts)
    assert "robak" in label.lower() and "burgerze" in label
    assert word_key("robaka") == word_key("robak")


def test_a_story_nobody_repeated_is_labelled_by_its_first_posts_opening() -> None:
    book = PhraseBook()
    book.add("Kiedy to się stanie? Pytam bo czekam od rana")
    book.add("zupełnie inny wpis o pogodzie")
    assert book.label(lambda word: 1.0) == "Kiedy to się stanie"


def test_phrases_stay_inside_sentences_and_skip_links_and_handles() -> None:
    text = "worm here. Burger there @someone https://t.co/x worm burger"
    written = [surface for _, surface in phrases(text)]
    assert "here. Burger" not in " | ".join(written)
    assert "worm burger" in written
    assert all("@someone" not in w and "https" not in w for w in written)
    assert opening("  Breaking: BurgerBar closes") == "Breaking"


def test_labels_survive_a_restart() -> None:
    tracker = _tracker_with_background(["BurgerBar {}"], ["ok", "fine"])
    posts = ["a dead worm in the burger", "dead worm in the burger again", "dead worm in burger"]
    label, key = _label_of(tracker, posts)
    restored = StoryTracker.from_dict(tracker.to_dict())
    assert restored.stories[key].label(restored._word_idf()) == label
