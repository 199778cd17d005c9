"""Transformer sentiment backend throughput: ``python -m bench.bench_transformer [--quick]``.

Posts/s of `TransformerSentimentModel` (the optional backend of docs/enrichment.md) with a model
of XLM-RoBERTa base's shape (12 layers, hidden 768, 12 heads; the shape of
cardiffnlp/twitter-xlm-roberta-base-sentiment), next to the shipped default model in the same
process. The bench cannot download that model, so it builds one with random weights and a BPE
tokenizer trained on the bench's own posts: compute depends on the shape and on the number of
tokens per post (reported), not on the weights, so the speed is the real model's; its quality
is not measured here (docs/quality.md is about the default model).

On a machine with CUDA the backend runs on the GPU (half precision, as the backend does there);
elsewhere on the CPU with one thread, so the figure is per core like the other benchmarks.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.bench_enrich import make_posts
from flarewatch.enrich import get_sentiment_model

# XLM-RoBERTa base; the quick run uses a 2-layer model of the same width.
FULL_SHAPE = {"num_hidden_layers": 12, "hidden_size": 768, "num_attention_heads": 12}
QUICK_SHAPE = {"num_hidden_layers": 2, "hidden_size": 768, "num_attention_heads": 12}


def build_model(path: Path, texts: list[str], shape: dict[str, int]) -> Path:
    """A randomly initialised sequence classifier of the given shape, with a BPE tokenizer
    trained on `texts`, saved where `TransformerSentimentModel` can load it."""
    import torch
    import transformers
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    special = ["<s>", "<pad>", "</s>", "<unk>"]
    # A small vocabulary splits words into subwords: about 29 tokens per bench post, close to
    # what a multilingual vocabulary such as XLM-R's gives tweets.
    tokenizer.train_from_iterator(
        texts, trainers.BpeTrainer(vocab_size=300, special_tokens=special)
    )
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        cls_token="<s>",
        sep_token="</s>",
    )
    config = transformers.XLMRobertaConfig(
        vocab_size=tokenizer.get_vocab_size(),
        intermediate_size=4 * shape["hidden_size"],
        max_position_embeddings=514,
        pad_token_id=1,
        num_labels=3,
        id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2},
        **shape,
    )
    torch.manual_seed(0)
    transformers.XLMRobertaForSequenceClassification(config).save_pretrained(path)
    fast.save_pretrained(path)
    return path


def run(quick: bool = False) -> str:
    try:
        import torch
        import transformers

        from flarewatch.enrich.sentiment.transformer import TransformerSentimentModel
    except ImportError as exc:  # `make bench` installs the transformers extra; a bare run may not
        return f"## Transformer backend\n\nNot measured: {exc} (install '.[transformers]').\n"
    gpu = torch.cuda.is_available()
    if not gpu:
        torch.set_num_threads(1)
    shape = QUICK_SHAPE if quick else FULL_SHAPE
    n = 64 if quick else (4_000 if gpu else 300)
    posts = make_posts(n + 200, seed=21, unique=True)
    texts = [p.text for p in posts]
    languages = ["en"] * len(texts)
    default = get_sentiment_model()
    default.predict(texts[:200], languages[:200])  # warm-up: model load
    # Its own, larger set: a few hundred posts take the default model milliseconds.
    baseline = [p.text for p in make_posts(5_000, seed=22, unique=True)]
    started = time.process_time()
    default.predict(baseline, ["en"] * len(baseline))
    default_rate = len(baseline) / (time.process_time() - started)
    with tempfile.TemporaryDirectory() as tmp:
        path = build_model(Path(tmp) / "xlmr-shaped", texts, shape)
        backend = TransformerSentimentModel({"default": str(path)}, batch_size=64)
        backend.probabilities(texts[:128], languages[:128])  # warm-up: load, kernels
        tokens = transformers.AutoTokenizer.from_pretrained(path)(texts[200:])["input_ids"]
        clock = time.perf_counter if gpu else time.process_time
        if gpu:
            torch.cuda.synchronize()
        started = clock()
        backend.probabilities(texts[200:], languages[200:])
        if gpu:
            torch.cuda.synchronize()
        rate = n / (clock() - started)
    device = torch.cuda.get_device_name(0) if gpu else "the CPU, 1 thread"
    layers = shape["num_hidden_layers"]
    return "\n".join(
        [
            "## Transformer backend",
            "",
            f"{n} generated posts, {sum(map(len, tokens)) / len(tokens):.1f} tokens per post on "
            f"average, batches of 64 sorted by length, on {device}; model of XLM-RoBERTa base's "
            f"width with {layers} layers and random weights (speed only; see the module "
            f"docstring), torch {torch.__version__}. "
            + ("GPU time is wall time." if gpu else "CPU figures are process CPU time."),
            "",
            "| backend | posts/s |",
            "|---|---:|",
            f"| transformer ({'GPU, half precision' if gpu else 'CPU'}) | {rate:,.1f} |",
            f"| baseline, same process: shipped default model (CPU) | {default_rate:,.0f} |",
            "",
            f"Default model / transformer: **{default_rate / rate:,.0f}x**.",
            "",
            *(
                []
                if gpu
                else [
                    "No GPU on the machine that ran this: on one with CUDA (the device tool, when "
                    "a session is lent one) the same module measures the backend on the GPU.",
                    "",
                ]
            ),
        ]
    )


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
