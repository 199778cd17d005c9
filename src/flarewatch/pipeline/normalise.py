"""Normalise posts: one canonical text per post for matching, dedup and enrichment."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime

from flarewatch.mentions.post import MAX_TEXT_CHARS, Post, truncate_text

URL_RE = re.compile(r"https?://[^\s<>\"']+|www\.[^\s<>\"']+", re.IGNORECASE)
HANDLE_RE = re.compile(r"(?<![\w@])@([\w.]{1,64})", re.UNICODE)
HASHTAG_RE = re.compile(r"(?<![\w#])#(\w{1,100})", re.UNICODE)
# Hebrew points and cantillation (U+0591–U+05C7, except maqaf U+05BE and sof pasuq U+05C3 which
# separate words) are optional in writing: "בַּיִת" and "בית" are the same word to a reader.
NIQQUD_RE = re.compile(r"[\u0591-\u05BD\u05BF\u05C1\u05C2\u05C4\u05C5\u05C7]")
# Zero-width and bidi control characters: copy-pasted Hebrew is full of them, and they break
# both exact dedup and word matching without being visible.
INVISIBLE_RE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]")
SPACE_RE = re.compile(r"\s+")
TRAILING_PUNCT = ".,;:!?)]}'\""


def strip_niqqud(text: str) -> str:
    return NIQQUD_RE.sub("", text)


def clean_text(text: str) -> str:
    """NFKC, no invisible characters, no niqqud, single spaces; case is kept for display."""
    text = unicodedata.normalize("NFKC", text)
    text = INVISIBLE_RE.sub("", text)
    text = strip_niqqud(text)
    return SPACE_RE.sub(" ", text).strip()


def content_hash(text: str) -> str:
    """Hash of what a reader would call "the same text": case, URLs and spacing ignored."""
    folded = URL_RE.sub(" ", text).casefold()
    folded = SPACE_RE.sub(" ", folded).strip()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def extract_links(text: str) -> list[str]:
    return [m.group(0).rstrip(TRAILING_PUNCT) for m in URL_RE.finditer(text)]


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _bound(post: Post, field: str, value: str) -> str:
    """Every source's text is cut to MAX_TEXT_CHARS here (the file reader already did it for
    its records), so no stage downstream ever sees an unbounded input."""
    if len(value) <= MAX_TEXT_CHARS:
        return value
    post.truncated.setdefault(field, len(value))
    return truncate_text(value)


def normalise_post(post: Post) -> Post:
    post.text = _bound(post, "text", post.text)
    # NFKC can lengthen text (one ligature becomes up to 18 letters): bound the result too.
    post.clean_text = clean_text(post.text)[:MAX_TEXT_CHARS]
    if post.title:
        post.title = clean_text(_bound(post, "title", post.title))[:MAX_TEXT_CHARS]
    post.platform = (post.platform or "web").strip().lower()
    if post.author:
        post.author = post.author.strip().lstrip("@")
    post.created_at = _as_utc(post.created_at)
    links = extract_links(post.clean_text)
    post.links = list(dict.fromkeys([*post.links, *links]))
    post.hashtags = list(dict.fromkeys(h.casefold() for h in HASHTAG_RE.findall(post.clean_text)))
    post.mentions = list(
        dict.fromkeys(m.rstrip(".").casefold() for m in HANDLE_RE.findall(post.clean_text))
    )
    post.content_hash = content_hash(" ".join(filter(None, [post.title, post.clean_text])))
    return post


def normalise_batch(posts: Iterable[Post]) -> list[Post]:
    return [normalise_post(post) for post in posts]
