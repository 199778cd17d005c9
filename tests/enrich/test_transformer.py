from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from flarewatch.enrich import get_sentiment_model  # noqa: E402
from flarewatch.enrich.sentiment.transformer import TransformerSentimentModel, _label_columns  # noqa: E402

WORDS = ["good", "bad", "service", "the", "was", "very", "שירות", "גרוע"]


def _tiny_model(path: Path) -> Path:
    """A randomly initialised 2-layer BERT with its own WordPiece vocabulary."""
    path.mkdir()
    vocab = path / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(vocab))
    config = transformers.BertConfig(
        vocab_size=len(WORDS) + 5,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        num_labels=3,
        id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2},
    )
    torch.manual_seed(0)
    transformers.BertForSequenceClassification(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_backend_runs_batched_per_language(tmp_path: Path) -> None:
    default = _tiny_model(tmp_path / "multi")
    hebrew = _tiny_model(tmp_path / "he")
    model = TransformerSentimentModel(
        {"default": str(default), "he": str(hebrew)}, device="cpu", batch_size=2
    )
    texts = ["the service was good", "very bad", "שירות גרוע", "good", "bad service"]
    out = model.predict(texts, ["en", "en", "he", "en", "pl"])
    assert len(out) == 5
    assert all(lab in ("negative", "neutral", "positive") and -1 <= s <= 1 for lab, s in out)
    assert set(model._loaded) == {str(default), str(hebrew)}
    # Batching and grouping must not change a text's result.
    assert model.predict(["very bad"], ["en"])[0][1] == pytest.approx(out[1][1], abs=1e-5)


def test_registry_builds_backend_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAREWATCH_TRANSFORMER_MODEL", str(_tiny_model(tmp_path / "m")))
    monkeypatch.setenv("FLAREWATCH_TRANSFORMER_DEVICE", "cpu")
    model = get_sentiment_model("transformers")
    assert isinstance(model, TransformerSentimentModel)
    assert len(model.predict(["good"], ["en"])) == 1


def test_label_mapping() -> None:
    assert _label_columns({0: "Negative", 1: "Neutral", 2: "Positive"}, 3) == [0, 1, 2]
    assert _label_columns({0: "LABEL_0", 1: "LABEL_1"}, 2) == [0, 2]
