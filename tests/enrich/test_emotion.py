from __future__ import annotations

from flarewatch.enrich.emotion import emotion_intensities, summarise
from flarewatch.enrich.features import tokenize
from flarewatch.enrich.text import normalise


def _emotions(text: str) -> tuple[dict[str, float], str | None, float]:
    norm = [normalise(text)]
    return summarise(emotion_intensities(tokenize(norm), norm)[0])


def test_dominant_emotions_across_languages() -> None:
    assert _emotions("I am furious, this is outrageous 🤬")[1] == "anger"
    assert _emotions("אני מפחד, זה מסוכן מאוד")[1] == "fear"
    assert _emotions("Jestem bardzo szczęśliwy 😍")[1] == "joy"
    assert _emotions("Это отвратительно, фу 🤮")[1] == "disgust"
    assert _emotions("wow, I can't believe it 😲")[1] == "surprise"
    assert _emotions("so sad, RIP 😭")[1] == "sadness"
    assert _emotions("the shop opens at nine")[1] is None


def test_intensity_grows_with_evidence_and_shouting() -> None:
    mild = _emotions("I am angry")[2]
    strong = _emotions("I AM SO ANGRY, FURIOUS!!! 😡🤬")[2]
    assert 0 < mild < strong < 1


def test_negated_emotion_does_not_count() -> None:
    assert _emotions("I am not angry")[0]["anger"] == 0.0
