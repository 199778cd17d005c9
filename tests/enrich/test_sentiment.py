from __future__ import annotations

from importlib import resources

import pytest

from flarewatch.enrich import get_sentiment_model, register_sentiment_model
from flarewatch.enrich.sentiment import routed
from flarewatch.enrich.sentiment.linear import load_default as load_shared
from flarewatch.enrich.training.routed import TEMPERATURES


def _label(text: str, lang: str) -> tuple[str, float]:
    return get_sentiment_model("default").predict([text], [lang])[0]


def test_shipped_model_is_small_and_loads_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*_args: object, **_kwargs: object) -> None:
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    for name, limit in (("sentiment.npz", 30_000_000), (routed.ROUTES_FILE, 15_000_000)):
        ref = resources.files("flarewatch.enrich") / "models" / name
        assert ref.is_file(), name
        with resources.as_file(ref) as path:
            assert path.stat().st_size < limit, name
    model = routed.RoutedSentimentModel(load_shared().w, routed.load_tables())
    assert model.predict(["Great service, thanks!"], ["en"])[0][0] == "positive"
    assert isinstance(get_sentiment_model("default"), routed.RoutedSentimentModel)


def test_polish_and_hebrew_are_routed_and_every_language_is_calibrated() -> None:
    model = get_sentiment_model("default")
    assert isinstance(model, routed.RoutedSentimentModel)
    assert {"pl", "he"} <= set(model.tables.languages)
    route, temp, own = model.routes(["pl", "PL", "he", "ru", "und"])
    assert route[0] == route[1] > 0 and route[2] > 0 and route[3] == route[4] == 0
    assert ((own > 0) & (own <= 1)).all()
    temps = model.tables.temperature
    assert routed.SHARED in temps
    assert all(TEMPERATURES[0] <= t <= TEMPERATURES[-1] for t in temps.values())
    # The shared model's logits are too large (lightly regularised SGD): cooled, not sharpened.
    assert temps[routed.SHARED] > 1.0
    assert temp[3] == temp[4] == pytest.approx(temps[routed.SHARED])


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Is it open?", "en"),
        ("Is Burger Palace open?", "en"),
        ("ok", "en"),
        ("?", "en"),
        ("the", "en"),
        ("10/10", "en"),
        ("Nie wiem co myśleć o tym banku", "pl"),
        ("מה השעה?", "he"),
    ],
)
def test_short_and_uncertain_posts_are_not_scored_as_certain(text: str, lang: str) -> None:
    # The shared model alone scored "Is it open?" -0.9999 and "the" +0.97.
    _, score = _label(text, lang)
    assert abs(score) < 0.9


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("A WORM in a @GrillberryIL burger?! Never eating there again", "en"),
        ("never eating there again", "en"),
        ("nie polecam", "pl"),
        ("Bank Wiślany awaria logowania, zmieniam bank", "pl"),
        ("לא מומלץ", "he"),
        ("לעולם לא אוכל שם שוב", "he"),
    ],
)
def test_negated_and_renouncing_posts_are_negative_without_false_certainty(
    text: str, lang: str
) -> None:
    label, score = _label(text, lang)
    assert label == "negative"
    assert -0.999 < score < 0


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
