"""Sentiment scoring at run time: the interface, the backend registry and one module per backend.

``base.py`` (protocol, labels, probability helpers) and ``registry.py`` (backend name →
"module:Class", imported when first asked for) are all this package imports; the backends
(``linear.py``: the shipped default model; ``stacked.py`` with ``use.py`` and ``e5.py``;
``transformer.py``) load on demand. Nothing here imports training or evaluation code
(``flarewatch.enrich.training``), scikit-learn or the VADER lexicons.
"""

from flarewatch.enrich.sentiment.base import (
    LABELS,
    SentimentModel,
    TokenSentimentModel,
    softmax,
    to_labels,
)
from flarewatch.enrich.sentiment.registry import (
    BACKENDS,
    SENTIMENT_BACKENDS,
    backend_install_problem,
    get_sentiment_model,
    register_sentiment_model,
)

__all__ = [
    "BACKENDS",
    "LABELS",
    "SENTIMENT_BACKENDS",
    "SentimentModel",
    "TokenSentimentModel",
    "backend_install_problem",
    "get_sentiment_model",
    "register_sentiment_model",
    "softmax",
    "to_labels",
]
