"""Which posts need an answer, why, and in which order: pure functions over a batch of posts.

A post enters a case's reply queue for any of these reasons (`REASONS`):

- `case_post`: it is on the case (one of the alert's key posts or a post added to the case);
- `case_story`: it belongs to the case's story (the story keys of the alert's key posts);
- `influential_negative`: it is negative and its author has at least `influential_followers`
  followers, or the post at least `influential_reach` estimated reach;
- `addresses_brand`: it names one of the brand's handles (`@acmeair`) or addresses the brand
  by name at its start ("Acme, …", "Hey Acme: …", "אקמה, …");
- `question`: it asks something: a question mark and an interrogative word of English, Polish
  or Hebrew ("why", "dlaczego", "czy", "למה", "האם", …).

A post written by one of the brand's own accounts never enters the queue. The priority is
influence × negativity × recency (`priority`), so a fresh negative post by a large account
comes first.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flarewatch.detect.explain import N_

REASONS: dict[str, str] = {
    "case_post": N_("on the case"),
    "case_story": N_("the case's story"),
    "influential_negative": N_("negative, influential author"),
    "addresses_brand": N_("addresses the brand"),
    "question": N_("a question"),
}

# Interrogative words per language; a post with a question mark and one of these is a question.
# Hebrew words may carry the prefixes ו ("and") or ש ("that"): "ולמה", "שמתי" are matched too.
INTERROGATIVES: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "why",
            "when",
            "how",
            "what",
            "where",
            "who",
            "whom",
            "whose",
            "which",
            "is",
            "are",
            "was",
            "were",
            "can",
            "could",
            "will",
            "would",
            "do",
            "does",
            "did",
            "should",
            "shall",
            "may",
            "anyone",
            "anybody",
        ]
    ),
    "pl": frozenset(
        [
            "dlaczego",
            "czemu",
            "kiedy",
            "czy",
            "jak",
            "jaki",
            "jaka",
            "jakie",
            "jakiej",
            "jakim",
            "gdzie",
            "kto",
            "kogo",
            "komu",
            "co",
            "ile",
            "skąd",
            "dokąd",
            "którą",
            "który",
            "która",
            "które",
            "czyj",
            "czyja",
        ]
    ),
    "he": frozenset(
        [
            "למה",
            "מתי",
            "האם",
            "איך",
            "מה",
            "מהו",
            "מהי",
            "איפה",
            "היכן",
            "מי",
            "כמה",
            "מדוע",
            "כיצד",
            "אילו",
            "איזה",
            "איזו",
        ]
    ),
}
HEBREW_PREFIXES = ("ו", "ש", "וש")
GREETINGS = frozenset(
    [
        "hey",
        "hi",
        "hello",
        "dear",
        "dearest",
        "hej",
        "cześć",
        "czesc",
        "witam",
        "szanowni",
        "szanowna",
        "szanowny",
        "היי",
        "הי",
        "שלום",
    ]
)
QUESTION_MARKS = ("?", "？", "؟")  # noqa: RUF001 (the full-width and Arabic marks are real)
WORD_RE = re.compile(r"[\w'’-]+", re.UNICODE)
RECENCY_HALF_LIFE_HOURS = 6.0
NEGATIVITY = {"negative": 1.0, "neutral": 0.5, "positive": 0.25}


@dataclass(frozen=True)
class Rules:
    """What the queue takes, from `[replies]` (comms/replies/config.py)."""

    brand_handles: tuple[str, ...] = ()
    brand_names: tuple[str, ...] = ()
    influential_followers: int = 10_000
    influential_reach: float = 10_000.0


@dataclass(frozen=True)
class Candidate:
    """One stored post the queue may take (a case's topics' post), with its author."""

    post_id: int  # raw_post id
    mention_id: int
    text: str
    created_at: datetime
    platform: str
    language: str = "und"
    sentiment: str = "neutral"
    reach: float = 0.0
    author_handle: str | None = None
    author_name: str | None = None
    followers: int | None = None
    on_case: bool = False
    in_story: bool = False
    url: str | None = None


@dataclass(frozen=True)
class Selected:
    """A post that needs an answer: the reasons, its priority and its language."""

    candidate: Candidate
    reasons: tuple[str, ...]
    priority: float
    language: str = field(default="und")


def handle_key(handle: str) -> tuple[str | None, str]:
    """A configured handle as (platform or None, name): 'x:@Acme' → ('x', 'acme')."""
    platform, _, name = handle.strip().rpartition(":")
    return (platform.strip().lower() or None), name.strip().lstrip("@").casefold()


def is_brand_author(candidate: Candidate, rules: Rules) -> bool:
    """Written by one of the brand's own accounts (a handle, optionally per platform)."""
    if not candidate.author_handle:
        return False
    author = candidate.author_handle.strip().lstrip("@").casefold()
    for handle in rules.brand_handles:
        platform, name = handle_key(handle)
        if name == author and (platform is None or _same_platform(platform, candidate.platform)):
            return True
    return False


def _same_platform(configured: str, platform: str) -> bool:
    aliases = {"twitter": "x"}
    return aliases.get(configured, configured) == aliases.get(platform.lower(), platform.lower())


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [w.strip("'’-") for w in WORD_RE.findall(folded) if w.strip("'’-")]


def is_question(text: str) -> bool:
    """A question mark and an interrogative word of English, Polish or Hebrew."""
    if not any(mark in text for mark in QUESTION_MARKS):
        return False
    for word in _words(text):
        for words in INTERROGATIVES.values():
            if word in words:
                return True
        for prefix in HEBREW_PREFIXES:
            if word.startswith(prefix) and word[len(prefix) :] in INTERROGATIVES["he"]:
                return True
    return False


def addresses_brand(text: str, rules: Rules) -> bool:
    """Names a brand handle ('@acmeair'), or opens by addressing the brand by name: the name
    (after an optional greeting) followed by a comma, colon or exclamation mark."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    for handle in rules.brand_handles:
        _, name = handle_key(handle)
        if name and re.search(rf"(?<![\w@])@{re.escape(name)}(?![\w])", folded):
            return True
    opening = folded.strip()
    for name in rules.brand_names:
        wanted = unicodedata.normalize("NFKC", name).casefold().strip()
        if not wanted:
            continue
        greeting = "|".join(re.escape(g) for g in sorted(GREETINGS))
        pattern = rf"^(?:(?:{greeting})[\s,]+)?@?{re.escape(wanted)}\s*[,:!،]"
        if re.match(pattern, opening):
            return True
    return False


def is_influential_negative(candidate: Candidate, rules: Rules) -> bool:
    if candidate.sentiment != "negative":
        return False
    followers = candidate.followers or 0
    return followers >= rules.influential_followers or candidate.reach >= rules.influential_reach


def reasons_for(candidate: Candidate, rules: Rules) -> tuple[str, ...]:
    """Why the post needs an answer, in `REASONS` order; empty when it needs none."""
    if is_brand_author(candidate, rules):
        return ()
    found = []
    if candidate.on_case:
        found.append("case_post")
    if candidate.in_story:
        found.append("case_story")
    if is_influential_negative(candidate, rules):
        found.append("influential_negative")
    if addresses_brand(candidate.text, rules):
        found.append("addresses_brand")
    if is_question(candidate.text):
        found.append("question")
    return tuple(found)


def priority(candidate: Candidate, now: datetime) -> float:
    """influence × negativity × recency. Influence grows with the logarithm of the larger of
    followers and reach (10 → 2, 10,000 → 5); negativity is 1 for negative, 0.5 neutral, 0.25
    positive; recency halves every six hours of the post's age."""
    audience = max(float(candidate.followers or 0), float(candidate.reach or 0.0), 0.0)
    influence = 1.0 + math.log10(1.0 + audience)
    negativity = NEGATIVITY.get(candidate.sentiment, 0.5)
    age_hours = max((now - candidate.created_at).total_seconds() / 3600.0, 0.0)
    recency = 0.5 ** (age_hours / RECENCY_HALF_LIFE_HOURS)
    return influence * negativity * recency


def select(candidates: Iterable[Candidate], rules: Rules, now: datetime) -> list[Selected]:
    """The posts that need an answer, highest priority first (then newest, then id).

    Recency counts from `now`, or from the newest post when every post is older (a case
    read long after, a replayed scenario), so the order still tells fresh from stale."""
    batch = list(candidates)
    if batch:
        now = min(now, max(c.created_at for c in batch))
    chosen = []
    for candidate in batch:
        reasons = reasons_for(candidate, rules)
        if reasons:
            chosen.append(
                Selected(candidate, reasons, priority(candidate, now), candidate.language or "und")
            )
    return ranked(chosen)


def ranked(selected: Iterable[Selected]) -> list[Selected]:
    """Highest priority first, then newest, then by id (a stable order for equal posts)."""
    return sorted(
        selected,
        key=lambda s: (-s.priority, -s.candidate.created_at.timestamp(), s.candidate.post_id),
    )


def reason_codes() -> Sequence[str]:
    return tuple(REASONS)
