"""A story's label: its most distinctive phrase, as people wrote it, or its first post's opening.

Each post of a story offers its contiguous phrases: up to four content words, starting and ending
with one, no sentence punctuation inside. Phrases are counted once per post under a *key* that
ignores the function words inside ("worm in my burger" = "worm in the burger") and forgives
inflection: Hebrew words lose their one-letter prefix chains (ו ה ב ל מ ש כ), so "בהמבורגר" and
"המבורגר" share a key; Latin words are stemmed with the Polish stemmer ("robaka" = "robak").
So retellings add up. A phrase's score is how many of the story's posts say it times the summed
rarity (IDF against the topic's background) of its content words: the brand, in every post of
the topic, adds almost nothing, "dead worm" a lot. The label is the best phrase that at least
two posts share, shown exactly as the second of them wrote it; with none, the first post's
opening words. Either way a label is a real piece of a real post, never a bag of words.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from flarewatch.query.hebrew import FINAL_TO_REGULAR, is_hebrew, prefix_bases
from flarewatch.query.polish import pl_stem

MIN_WORDS = 2
MAX_CONTENT_WORDS = 4  # words that are not function words
MAX_SPAN = 7  # words in all, function words included
MAX_TOKENS = 40  # phrases are taken from the start of long posts only
PHRASES_MAX = 240  # per story; the rarest are dropped beyond this
OPENING_WORDS = 6
OPENING_CHARS = 60
MIN_SUPPORT = 2
HEBREW_MIN_BASE = 3  # stripping a prefix must leave a real word, not two letters

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+")
_BREAK = re.compile(r"[.!?;:\n|()\[\]{}\"“”„«»]")

# Function words that never start or end a label (Hebrew in bare form: prefixed forms such as
# "ושל" are checked through their bases).
_ENGLISH = (
    "a an the and or but if of in on at to for from by with without as is are was were be been "
    "being am do does did done have has had not no so than then that this these those there "
    "here it its it's i me my we our you your he him his she her they them their what which who "
    "whom how why when where all any some just very can could will would should may might must "
    "about after again also into out over up down more most only own same such too via vs rt"
)
_POLISH = (
    "i w we z ze na do od o u a ale czy że nie to jest są był była było być się jak tak już "
    "tylko ten ta te tego tej tym tych ich jego jej po przez dla przy pod nad bez co który "
    "która które oraz lub albo także też jeszcze bardzo może mnie mi my wy oni one on ona ono "
    "jako tu tam gdy kiedy gdzie dlaczego czyli więc bo"
)
_HEBREW = (
    "של את על עם זה זו זאת הוא היא הם הן אני אנחנו אתה אתם לא כן גם רק כל יש אין אבל או "
    "כי אם מה מי איך למה כמו עוד כבר אחרי לפני היה היתה היו להיות אל עד בין תוך ממש מאוד "
    "הזה הזאת האלה אלה אותו אותה אותם לי לך לו לה לנו להם שלי שלך שלו שלה שלנו שלהם"
)
STOPWORDS = frozenset(f"{_ENGLISH} {_POLISH} {_HEBREW}".split())


@lru_cache(maxsize=65_536)
def word_key(word: str) -> str:
    """The form under which a word's variants are counted together."""
    lower = word.lower()
    if is_hebrew(lower):
        # Strip prefix chains down to a fixed point: "בהמבורגר" (ב + המבורגר) and "המבורגר"
        # must meet, and the grammar cannot tell a prefix ה from a word's own first letter.
        # Over-stripping is harmless here: a key is only compared, never shown.
        while bases := [b for b in prefix_bases(lower) if len(b) >= HEBREW_MIN_BASE]:
            lower = bases[-1]
        return lower.translate(FINAL_TO_REGULAR)
    if lower.isalpha():
        return pl_stem(lower, folded=True)
    return lower


@lru_cache(maxsize=65_536)
def is_stopword(word: str) -> bool:
    lower = word.lower()
    if lower in STOPWORDS or lower.isdigit():
        return True
    return is_hebrew(lower) and any(base in STOPWORDS for base in prefix_bases(lower))


@dataclass(slots=True)
class _Token:
    text: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    # Links and handles are blanked, not removed, so offsets still point into the post.
    clean = _NOISE.sub(lambda m: " " * len(m.group()), text)
    return [_Token(m.group(), m.start(), m.end()) for m in _WORD.finditer(clean)][:MAX_TOKENS]


def phrases(text: str) -> Iterator[tuple[str, str]]:
    """(key, phrase as written) for each contiguous phrase of `text` worth a label: 2 to 7
    words, at most 4 of them content words, starting and ending with one."""
    tokens = _tokens(text)
    # Per token once, not per phrase: posts are many and phrases per post are ~100.
    stop = [is_stopword(t.text) for t in tokens]
    keys = [word_key(t.text) for t in tokens]
    breaks = [
        _BREAK.search(text, a.end, b.start) is not None
        for a, b in zip(tokens, tokens[1:], strict=False)
    ]
    for i, first in enumerate(tokens):
        if stop[i]:
            continue
        content = [keys[i]]
        for j in range(i + 1, min(len(tokens), i + MAX_SPAN)):
            if breaks[j - 1]:
                break  # a phrase never runs across a sentence or a bracket
            if stop[j]:
                continue
            content.append(keys[j])
            if len(content) > MAX_CONTENT_WORDS:
                break
            # Function words inside do not split a phrase: "worm in my burger" and "worm in
            # the burger" are one.
            yield " ".join(content), " ".join(text[first.start : tokens[j].end].split())


def opening(text: str) -> str:
    """The first words of a post, up to the first sentence break."""
    tokens = _tokens(text)[:OPENING_WORDS]
    if not tokens:
        return ""
    end = tokens[0].end
    for token in tokens[1:]:
        if token.end - tokens[0].start > OPENING_CHARS or _BREAK.search(text, end, token.start):
            break
        end = token.end
    return " ".join(text[tokens[0].start : end].split())


def _hashed(key: str) -> int:
    return zlib.crc32(key.encode())


@dataclass(slots=True)
class PhraseBook:
    """A story's phrases: how many posts said each (by the key's hash, to keep the state small),
    and, for those said at least twice, how one of them wrote it."""

    counts: Counter[int] = field(default_factory=Counter)
    written: dict[int, str] = field(default_factory=dict)
    first_opening: str = ""

    def add(self, text: str) -> None:
        if not self.first_opening:
            self.first_opening = opening(text)
        seen = dict(phrases(text))
        for key, surface in seen.items():
            hashed = _hashed(key)
            self.counts[hashed] += 1
            if self.counts[hashed] >= MIN_SUPPORT:
                self.written.setdefault(hashed, surface)
        if len(self.counts) > PHRASES_MAX:
            keep = dict(self.counts.most_common(PHRASES_MAX // 2))
            self.counts = Counter(keep)
            self.written = {k: v for k, v in self.written.items() if k in keep}

    def label(self, idf: Callable[[str], float]) -> str:
        """The most distinctive shared phrase, else the first post's opening ("" if none)."""
        best, best_score = None, 0.0
        for hashed, surface in self.written.items():
            support = self.counts.get(hashed, 0)
            if support < MIN_SUPPORT:
                continue
            rarity = sum(idf(t.text.lower()) for t in _tokens(surface) if not is_stopword(t.text))
            score = support * rarity
            if score > best_score:
                best, best_score = hashed, score
        return self.written[best] if best is not None else self.first_opening

    def to_dict(self) -> dict[str, object]:
        return {
            "counts": {str(k): v for k, v in self.counts.items()},
            "written": {str(k): v for k, v in self.written.items()},
            "opening": self.first_opening,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object] | None) -> PhraseBook:
        counts = (data or {}).get("counts")
        written = (data or {}).get("written")
        if not isinstance(counts, dict) or not isinstance(written, dict):
            return cls()  # a state saved before stories had phrase books
        return cls(
            Counter({int(k): int(v) for k, v in counts.items()}),
            {int(k): str(v) for k, v in written.items()},
            str((data or {}).get("opening") or ""),
        )
