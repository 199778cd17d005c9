"""Scoring at run time imports no training or evaluation code, and the sentiment interface imports
no backend: each check runs in a fresh interpreter and reads its ``sys.modules``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flarewatch.enrich.sentiment import SENTIMENT_BACKENDS, backend_install_problem

SRC = Path(__file__).resolve().parents[2] / "src"

# What only training and evaluation need; none of it may load while posts are scored.
TRAINING_SIDE = ("flarewatch.enrich.training", "sklearn", "vaderSentiment", "polvader")
BACKEND_MODULES = tuple(
    f"flarewatch.enrich.sentiment.{m}"
    for m in ("linear", "routed", "stacked", "use", "e5", "transformer")
)

SCORE_ONE_POST = """
import json, sys
from flarewatch.enrich import Enricher
from flarewatch.mentions.post import Post

enrichment = Enricher(sentiment_backend=sys.argv[1]).enrich_batch(
    [Post(external_id="1", text="Terrible service, I want my money back", language="en")]
)[0]
print(json.dumps({"sentiment": enrichment.sentiment, "backend": enrichment.sentiment_backend,
                  "modules": sorted(sys.modules)}))
"""


def run_fresh(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    """``code`` in a new interpreter with this checkout's package first on the path; its last
    stdout line, parsed as JSON."""
    environ = {
        **os.environ,
        **(env or {}),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def loaded(modules: object, prefixes: tuple[str, ...]) -> list[str]:
    assert isinstance(modules, list)
    return [m for m in modules if any(m == p or m.startswith(f"{p}.") for p in prefixes)]


def tiny_transformer(path: Path) -> Path:
    """A randomly initialised one-layer BERT saved locally (there is no network to fetch one)."""
    transformers = pytest.importorskip("transformers")
    words = ["terrible", "service", "money", "back"]
    path.mkdir()
    vocab = path / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n")
    config = transformers.BertConfig(
        vocab_size=len(words) + 5,
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=1,
        intermediate_size=16,
        max_position_embeddings=32,
        num_labels=3,
        id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2},
    )
    transformers.BertForSequenceClassification(config).save_pretrained(path)
    transformers.BertTokenizerFast(vocab_file=str(vocab)).save_pretrained(path)
    return path


def test_the_training_side_is_importable_here() -> None:
    """The check below is only meaningful if the training side exists and loads in this
    environment: importing it does put those modules in ``sys.modules``."""
    result = run_fresh(
        "import json, sys\n"
        "import flarewatch.enrich.training.train, flarewatch.enrich.training.evaluate\n"
        "import flarewatch.enrich.training.lexicons as lx; lx.vader_entries()\n"
        "print(json.dumps({'modules': sorted(sys.modules)}))"
    )
    found = loaded(result["modules"], TRAINING_SIDE)
    assert "flarewatch.enrich.training.heads" in found
    assert "vaderSentiment" in found


@pytest.mark.parametrize("backend", SENTIMENT_BACKENDS)
def test_scoring_a_post_imports_no_training_or_evaluation_code(
    backend: str, tmp_path: Path
) -> None:
    problem = backend_install_problem(backend)
    if problem is not None:
        pytest.skip(problem)
    env = {}
    if backend == "transformers":
        env = {
            "FLAREWATCH_TRANSFORMER_MODEL": str(tiny_transformer(tmp_path / "model")),
            "FLAREWATCH_TRANSFORMER_DEVICE": "cpu",
        }
    result = run_fresh(SCORE_ONE_POST, backend, env=env)
    assert result["backend"] == backend
    assert result["sentiment"] in ("negative", "neutral", "positive")
    assert loaded(result["modules"], TRAINING_SIDE) == []


def test_the_sentiment_interface_imports_no_backend() -> None:
    result = run_fresh(
        "import json, sys\n"
        "import flarewatch.enrich.sentiment as s\n"
        "from flarewatch.enrich.sentiment import base, registry\n"
        "print(json.dumps({'modules': sorted(sys.modules), 'listed': list(s.SENTIMENT_BACKENDS),"
        " 'problem': s.backend_install_problem('use')}))"
    )
    assert loaded(result["modules"], BACKEND_MODULES) == []
    assert loaded(result["modules"], TRAINING_SIDE) == []
    assert result["listed"] == list(SENTIMENT_BACKENDS)
    assert "default" in SENTIMENT_BACKENDS


def test_a_backend_module_loads_only_when_asked_for() -> None:
    result = run_fresh(
        "import json, sys\n"
        "from flarewatch.enrich import get_sentiment_model\n"
        "before = sorted(sys.modules)\n"
        "get_sentiment_model('default').predict(['fine'], ['en'])\n"
        "print(json.dumps({'before': before, 'modules': sorted(sys.modules)}))"
    )
    assert loaded(result["before"], BACKEND_MODULES) == []
    # The default backend (routed.py) and the shared model it reads (linear.py); no other.
    assert loaded(result["modules"], BACKEND_MODULES) == [
        "flarewatch.enrich.sentiment.linear",
        "flarewatch.enrich.sentiment.routed",
    ]
