"""Enrichment throughput: ``python bench/bench_enrich.py [--quick]``.

Posts/s for the whole enrichment (language id, sentiment, emotion, spam, reach) with the shipped
default model on one CPU core, plus the near-duplicate index. Posts are generated from templates
in this file (a mix of English, Hebrew, Polish, Spanish and German of tweet length), so the bench
needs neither network nor the labelled datasets.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta

from flarewatch.enrich import Enricher, NearDuplicateIndex
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


def run(quick: bool = False) -> str:
    pinned = _one_core()
    n = 4_000 if quick else 40_000
    posts = make_posts(n)
    enricher = Enricher(("en", "he", "pl"))
    enricher.enrich_batch(posts[:256])  # warm-up: model load and detector construction
    batch = 512
    now = datetime(2024, 6, 1, 12, tzinfo=UTC)
    started = time.perf_counter()
    for i in range(0, n, batch):
        enricher.enrich_batch(posts[i : i + batch], now)
    enrich_rate = n / (time.perf_counter() - started)
    index = NearDuplicateIndex()
    started = time.perf_counter()
    for i in range(0, n, batch):
        index.add_batch(posts[i : i + batch])
    dup_rate = n / (time.perf_counter() - started)
    # Same mix, every text distinct: the language-id/normalise caches never hit.
    fresh = Enricher(("en", "he", "pl"))
    unique_posts = make_posts(n, seed=8, unique=True)
    started = time.perf_counter()
    for i in range(0, n, batch):
        fresh.enrich_batch(unique_posts[i : i + batch], now)
    unique_rate = n / (time.perf_counter() - started)
    return "\n".join(
        [
            "## Enrichment speed",
            "",
            f"{n} generated posts (60% en, 20% he, 10% pl, 5% es, 5% de), batches of {batch}, "
            f"workspace languages en,he,pl, default model, one core ({pinned}); "
            f"Python {platform.python_version()} on {platform.machine()}.",
            "",
            "| stage | posts/s |",
            "|---|---|",
            f"| whole enrichment (`Enricher.enrich_batch`) | {enrich_rate:,.0f} |",
            f"| whole enrichment, every text distinct (no cache hits) | {unique_rate:,.0f} |",
            f"| near-duplicate index (`NearDuplicateIndex.add_batch`) | {dup_rate:,.0f} |",
            "",
            "Transformer backend on GPU: not measured by this bench (needs a GPU machine and a "
            "local model; see docs/enrichment.md).",
            "",
        ]
    )


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv[1:]))
