"""Enrichment throughput: ``python bench/bench_enrich.py [--quick]``.

Posts/s for the whole enrichment (language id, sentiment, emotion, spam, reach) with the shipped
default model on one CPU core, plus the near-duplicate index. Posts are generated from templates
in this file (a mix of English, Hebrew, Polish, Spanish and German of tweet length), so the bench
needs neither network nor the labelled datasets.

When the opt-in "use" and "e5" backends are installed (``pip install 'flarewatch[use,e5]'``), their
sentiment-only and whole-enrichment rates are measured in the same run next to the default
model's.

The baseline measured in the same process is language id with lingua alone (the function-word
vote switched off), once inside the whole enrichment and once on its own; every row after the
cached one uses its own distinct texts, so no row profits from another's caches.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta

from flarewatch.enrich import Enricher, NearDuplicateIndex, get_sentiment_model, langid
from flarewatch.enrich.sentiment import BACKENDS, register_sentiment_model
from flarewatch.enrich.sentiment.linear import load_default as load_shared_model
from flarewatch.mentions.post import Post

TEMPLATES = {
    "en": [
        "The {b} app crashed again during checkout, this is so frustrating!!",
        "Honestly loving the new {b} update, great job team 😍",
        "Is anyone else's {b} service down right now? @support please fix",
        "{b} customer service kept me on hold for 2 hours. Never again.",
        "Just ordered from {b}, delivery was fast and the staff were lovely",
    ],
    "he": [
        "השירות של {b} פשוט גרוע, לא ממליץ לאף אחד",
        "תודה רבה ל{b} על היחס המדהים, ממש כל הכבוד",
        "מישהו יודע למה האתר של {b} לא עובד היום?",
    ],
    "pl": [
        "Obsługa klienta {b} jest beznadziejna, czekam już tydzień",
        "Bardzo dobra aplikacja {b}, polecam wszystkim",
    ],
    "es": ["El servicio de {b} es muy malo, nunca más compro aquí"],
    "de": ["Der Kundendienst von {b} war wirklich hervorragend, danke!"],
}
BRANDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Cellcom", "Vandelay"]


def make_posts(n: int, seed: int = 7, unique: bool = False) -> list[Post]:
    """Templated posts; ``unique`` appends a serial number so no text repeats (no cache hits)."""
    rng = random.Random(seed)
    weights = {"en": 0.6, "he": 0.2, "pl": 0.1, "es": 0.05, "de": 0.05}
    langs = rng.choices(list(weights), weights=list(weights.values()), k=n)
    now = datetime(2024, 6, 1, tzinfo=UTC)
    posts = []
    for i, lang in enumerate(langs):
        text = rng.choice(TEMPLATES[lang]).format(b=rng.choice(BRANDS))
        if rng.random() < 0.5:
            text += f" #{rng.choice(BRANDS).lower()}{rng.randint(0, 99)}"
        if unique:
            text += f" ({seed}-{i})"
        posts.append(
            Post(
                external_id=str(i),
                text=text,
                author=f"user{rng.randint(0, n // 3)}",
                author_followers=rng.randint(0, 50_000),
                platform=rng.choice(["twitter", "facebook"]),
                likes=rng.randint(0, 500),
                shares=rng.randint(0, 50),
                replies=rng.randint(0, 30),
                created_at=now - timedelta(minutes=rng.randint(0, 600)),
            )
        )
    return posts


def _one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})  # lingua's worker threads inherit this
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned (no sched_setaffinity)"


def _enrich_rate(
    posts: list[Post], batch: int, now: datetime, enricher: Enricher | None = None
) -> float:
    enricher = enricher or Enricher(("en", "he", "pl"))
    started = time.process_time()
    for i in range(0, len(posts), batch):
        enricher.enrich_batch(posts[i : i + batch], now)
    return len(posts) / (time.process_time() - started)


def _langid_rate(posts: list[Post]) -> float:
    texts = [p.text for p in posts]
    started = time.process_time()
    for text in texts:
        langid.detect_language(text, ("en", "he", "pl"))
    return len(texts) / (time.process_time() - started)


def _sentiment_rate(backend: str, posts: list[Post], batch: int) -> float:
    model = get_sentiment_model(backend)
    texts = [p.text for p in posts]
    langs = [langid.detect_language(t, ("en", "he", "pl"))[0] for t in texts]
    started = time.process_time()
    for i in range(0, len(texts), batch):
        model.predict(texts[i : i + batch], langs[i : i + batch])
    return len(texts) / (time.process_time() - started)


def optional_backend_rows(backend: str, n: int, batch: int = 512) -> list[str]:
    """An opt-in stacked backend next to the default, same process, each row on its own distinct
    texts (its encoders run on one thread: FLAREWATCH_USE_THREADS and FLAREWATCH_E5_THREADS
    default to 1)."""
    now = datetime(2024, 6, 1, 12, tzinfo=UTC)
    try:
        enricher = Enricher(("en", "he", "pl"), sentiment_backend=backend)
    except (ImportError, FileNotFoundError) as exc:
        return [f"The opt-in `{backend}` sentiment backend was not measured: {exc}", ""]
    enricher.enrich_batch(make_posts(64, seed=13, unique=True), now)  # warm-up: loads encoders
    default_sent = _sentiment_rate("default", make_posts(n, seed=14, unique=True), batch)
    opt_sent = _sentiment_rate(backend, make_posts(n, seed=15, unique=True), batch)
    default_all = _enrich_rate(make_posts(n, seed=16, unique=True), batch, now)
    opt_all = _enrich_rate(make_posts(n, seed=17, unique=True), batch, now, enricher)
    # As generated (no unique suffix): texts repeat, as retweets and copy-paste campaigns do, so
    # the backend's per-batch dedup and result cache apply.
    repeated = make_posts(n, seed=18)
    distinct = len({p.text for p in repeated}) / n
    opt_repeated = _sentiment_rate(backend, repeated, batch)
    return [
        f"### Opt-in `{backend}` sentiment backend ({BACKENDS[backend].title})",
        "",
        f"{n} posts per row, same mix and core, every text distinct, measured in this run next "
        "to the default model.",
        "",
        f"| stage | default posts/s | `{backend}` posts/s | default / `{backend}` |",
        "|---|---|---|---|",
        f"| sentiment only (`predict`) | {default_sent:,.0f} | {opt_sent:,.1f} | "
        f"{default_sent / opt_sent:,.1f}x |",
        f"| whole enrichment (`Enricher.enrich_batch`) | {default_all:,.0f} | {opt_all:,.1f} | "
        f"{default_all / opt_all:,.1f}x |",
        "",
        f"With texts repeating as generated ({distinct:.0%} distinct, like retweets and "
        f"copy-paste campaigns), `{backend}` sentiment alone ran at {opt_repeated:,.1f} posts/s: "
        "each distinct text is scored once per batch and remembered across batches.",
        "",
    ]


def run(quick: bool = False) -> str:
    pinned = _one_core()
    n = 4_000 if quick else 40_000
    posts = make_posts(n)
    enricher = Enricher(("en", "he", "pl"))
    enricher.enrich_batch(posts[:256])  # warm-up: model load and detector construction
    batch = 512
    now = datetime(2024, 6, 1, 12, tzinfo=UTC)
    started = time.process_time()
    for i in range(0, n, batch):
        enricher.enrich_batch(posts[i : i + batch], now)
    enrich_rate = n / (time.process_time() - started)
    index = NearDuplicateIndex()
    started = time.process_time()
    for i in range(0, n, batch):
        index.add_batch(posts[i : i + batch])
    dup_rate = n / (time.process_time() - started)
    # Same mix, every text distinct: the language-id/normalise caches never hit.
    unique_rate = _enrich_rate(make_posts(n, seed=8, unique=True), batch, now)
    vote = langid._vote
    try:
        langid._vote = lambda _lowered: None  # baseline: lingua alone decides Latin-script posts
        enricher.enrich_batch(make_posts(256, seed=12, unique=True))  # builds lingua's detectors
        lingua_rate = _enrich_rate(make_posts(n, seed=9, unique=True), batch, now)
        lid_lingua = _langid_rate(make_posts(n, seed=10, unique=True))
    finally:
        langid._vote = vote
    lid_vote = _langid_rate(make_posts(n, seed=11, unique=True))
    # Baseline: the shared model alone (the default before the per-language tables), on texts
    # of its own (the normalise and language-id caches must not carry over from another row).
    register_sentiment_model("shared-only", load_shared_model)
    shared_enricher = Enricher(("en", "he", "pl"), sentiment_backend="shared-only")
    shared_enricher.enrich_batch(make_posts(256, seed=12, unique=True))
    shared_rate = _enrich_rate(make_posts(n, seed=20, unique=True), batch, now, shared_enricher)
    routed_sent = _sentiment_rate("default", make_posts(n, seed=21, unique=True), batch)
    shared_sent = _sentiment_rate("shared-only", make_posts(n, seed=22, unique=True), batch)
    return "\n".join(
        [
            "## Enrichment speed",
            "",
            f"{n} generated posts (60% en, 20% he, 10% pl, 5% es, 5% de), batches of {batch}, "
            f"workspace languages en,he,pl, default model, one core ({pinned}); "
            f"Python {platform.python_version()} on {platform.machine()}. Posts/s is process CPU "
            "time (steadier than wall time when other processes share the core).",
            "",
            "| stage | posts/s |",
            "|---|---|",
            f"| whole enrichment (`Enricher.enrich_batch`) | {enrich_rate:,.0f} |",
            f"| whole enrichment, every text distinct (no cache hits) | {unique_rate:,.0f} |",
            "| whole enrichment, every text distinct, baseline: lingua alone "
            f"(function-word vote off) | {lingua_rate:,.0f} |",
            "| whole enrichment, every text distinct, baseline: the shared sentiment model "
            f"alone (no per-language tables or temperatures) | {shared_rate:,.0f} |",
            f"| sentiment alone (`predict`), default model, every text distinct | "
            f"{routed_sent:,.0f} |",
            "| sentiment alone, every text distinct, baseline: the shared model alone "
            f"| {shared_sent:,.0f} |",
            f"| language id alone (`detect_language`), every text distinct | {lid_vote:,.0f} |",
            "| language id alone, every text distinct, baseline: lingua alone "
            f"| {lid_lingua:,.0f} |",
            f"| near-duplicate index (`NearDuplicateIndex.add_batch`) | {dup_rate:,.0f} |",
            "",
            f"Function-word vote vs lingua alone, same process: language id "
            f"{lid_vote / lid_lingua:.1f}x, whole enrichment on distinct texts "
            f"{unique_rate / lingua_rate:.2f}x.",
            "",
            *optional_backend_rows("use", 500 if quick else 4_000, batch),
            *optional_backend_rows("e5", 100 if quick else 600, batch),
            "The optional transformer backend has its own section (bench/bench_transformer.py).",
            "",
        ]
    )


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv[1:]))
