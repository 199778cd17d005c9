"""The enrichment stage: one call per batch, no storage access, models loaded once per process."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from flarewatch.enrich.emotion import emotion_intensities, summarise_batch
from flarewatch.enrich.features import tokenize
from flarewatch.enrich.langid import SHORT_CAP, detect_language
from flarewatch.enrich.reach import engagement, engagement_velocity, reach_estimate
from flarewatch.enrich.sentiment import TokenSentimentModel, get_sentiment_model
from flarewatch.enrich.spam import RelevanceFilter, SpamScorer
from flarewatch.enrich.text import normalise
from flarewatch.mentions.post import Post

# A source's own language tag: trusted, but below what language id reports on a long text, so a
# reader can tell the two apart.
SOURCE_TAG_CONFIDENCE = 0.9


@dataclass(slots=True)
class Enrichment:
    language: str  # ISO 639-1 or "und"
    language_confidence: float
    sentiment: str  # negative | neutral | positive
    sentiment_score: float  # P(positive) - P(negative), in [-1, 1]
    emotions: dict[str, float] = field(default_factory=dict)  # six emotions → intensity 0..1
    emotion: str | None = None
    emotion_intensity: float = 0.0
    spam_score: float = 0.0
    is_spam: bool = False
    reach: float = 0.0
    engagement: float = 0.0
    engagement_velocity: float = 0.0  # weighted interactions per hour
    relevance: float = 1.0  # the workspace relevance filter's P(relevant)
    spam_signals: dict[str, float] = field(default_factory=dict)
    sentiment_backend: str = "default"  # which model scored the sentiment

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Enricher:
    def __init__(
        self, languages: Sequence[str] = ("en", "he", "pl"), sentiment_backend: str = "default"
    ) -> None:
        self.languages = tuple(c.strip().lower() for c in languages if c.strip())
        self.backend = sentiment_backend
        self.model = get_sentiment_model(sentiment_backend)
        self.spam = SpamScorer()

    def languages_of(self, posts: Sequence[Post], texts: Sequence[str]) -> list[tuple[str, float]]:
        out = []
        for post, text in zip(posts, texts, strict=True):
            tagged = (post.language or "").lower()
            if tagged in self.languages:
                # The source said so, in a language the workspace reads: language id would
                # cost more than the rest of enrichment and mostly agree (docs/benchmarks.md).
                out.append((tagged, SOURCE_TAG_CONFIDENCE))
                continue
            code, conf = detect_language(text, self.languages)
            # A source's own tag beats n-gram statistics on posts too short to judge.
            if post.language and (code == "und" or conf <= SHORT_CAP):
                code, conf = post.language.lower(), max(conf, 0.6)
            out.append((code, conf))
        return out

    def enrich_batch(
        self,
        posts: Sequence[Post],
        now: datetime | None = None,
        relevance: RelevanceFilter | None = None,
    ) -> list[Enrichment]:
        if not posts:
            return []
        now = now or datetime.now(UTC)
        texts = [p.clean_text or p.text for p in posts]
        langs = self.languages_of(posts, texts)
        codes = [c for c, _ in langs]
        norm = [normalise(t) for t in texts]
        tok = tokenize(norm)
        if isinstance(self.model, TokenSentimentModel):
            sentiments = self.model.predict_tokens(tok, norm, codes)
        else:
            sentiments = self.model.predict(texts, codes)
        emotions = emotion_intensities(tok, norm)
        rel = relevance.score(texts) if relevance is not None and relevance.trained else None
        spam = self.spam.score_batch(posts, now, rel)
        summaries = summarise_batch(emotions)
        out: list[Enrichment] = []
        for i, post in enumerate(posts):
            emo, dominant, strength = summaries[i]
            out.append(
                Enrichment(
                    language=codes[i],
                    language_confidence=round(langs[i][1], 4),
                    sentiment=sentiments[i][0],
                    sentiment_score=round(sentiments[i][1], 4),
                    emotions=emo,
                    emotion=dominant,
                    emotion_intensity=strength,
                    spam_score=spam[i].score,
                    is_spam=spam[i].is_spam,
                    reach=reach_estimate(post),
                    engagement=engagement(post),
                    engagement_velocity=engagement_velocity(post, now),
                    relevance=round(1.0 if rel is None else rel[i], 4),
                    spam_signals=spam[i].signals,
                    sentiment_backend=self.backend,
                )
            )
        return out
