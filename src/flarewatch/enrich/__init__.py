"""Multilingual enrichment: language, sentiment, emotion, near-duplicates, spam and reach.

Everything here works offline with the model shipped in ``models/``; see docs/enrichment.md.
"""

from flarewatch.enrich.enricher import Enricher, Enrichment
from flarewatch.enrich.langid import detect_language, detect_languages
from flarewatch.enrich.neardup import Cluster, NearDuplicateIndex, NearDupResult
from flarewatch.enrich.reach import engagement, engagement_velocity, reach_estimate
from flarewatch.enrich.sentiment import (
    SentimentModel,
    get_sentiment_model,
    register_sentiment_model,
)
from flarewatch.enrich.spam import RelevanceFilter, SpamResult, SpamScorer

__all__ = [
    "Cluster",
    "Enricher",
    "Enrichment",
    "NearDupResult",
    "NearDuplicateIndex",
    "RelevanceFilter",
    "SentimentModel",
    "SpamResult",
    "SpamScorer",
    "detect_language",
    "detect_languages",
    "engagement",
    "engagement_velocity",
    "get_sentiment_model",
    "reach_estimate",
    "register_sentiment_model",
]
