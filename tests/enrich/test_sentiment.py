from __future__ import annotations

from importlib import resources

import pytest

from flarewatch.enrich import get_sentiment_model, register_sentiment_model
from flarewatch.enrich.sentiment.linear import LinearSentimentModel


def _label(text: str, lang: str) -> tuple[str, float]:
    return get_sentiment_model("default").predict([text], [lang])[0]


def test_shipped_model_is_small_and_loads_offline() -> None:
    ref = resources.files("flarewatch.enrich") / "models" / "sentiment.npz"
    assert ref.is_file()
    with resources.as_file(ref) as path:
        assert path.stat().st_size < 30_000_000
    assert isinstance(get_sentiment_model("default"), LinearSentimentModel)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("I love this, the staff were amazing and so helpful! 😍", "en", "positive"),
        ("Worst service ever, I hate this company. Total scam 😡", "en", "negative"),
        ("כל הכבוד, שירות מעולה ותודה רבה", "he", "positive"),
        ("Este servicio es horrible, nunca más", "es", "negative"),
        ("Bardzo dobra obsługa, polecam wszystkim", "pl", "positive"),
        ("Beznadziejna obsługa, oszuści i złodzieje", "pl", "negative"),
        ("Ужасный сервис, ненавижу эту компанию", "ru", "negative"),
    ],
)
def test_clear_cases(text: str, lang: str, expected: str) -> None:
    label, score = _label(text, lang)
    assert label == expected
    assert -1.0 <= score <= 1.0


def test_negation_and_intensifier_and_sarcasm_move_the_score() -> None:
    good = _label("the service was good", "en")[1]
    assert _label("the service was not good", "en")[1] < good
    praise = _label("Great job on the outage today, thanks a lot", "en")[1]
    assert _label("Great job on the outage today, thanks a lot 🙄 /s", "en")[1] < praise


def test_registry() -> None:
    class Constant:
        def predict(self, texts: object, languages: object) -> list[tuple[str, float]]:
            return [("neutral", 0.0)]

    register_sentiment_model("constant-test", Constant)
    assert get_sentiment_model("constant-test").predict(["x"], ["en"]) == [("neutral", 0.0)]
    with pytest.raises(KeyError):
        get_sentiment_model("no-such-backend")
