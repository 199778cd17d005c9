"""Query matching throughput: the presearch Matcher vs. evaluating every query on every post.

Corpus and queries are synthetic but shaped like real topics: a Zipf-distributed vocabulary per
language (en, pl with inflected forms, he with prefix chains), brand names mentioned by a minority
of posts, and queries built from OR-lists of brand synonyms, context words, NOTs, some NEAR,
phrases, wildcards and language filters. Everything is seeded, so runs are comparable.
"""

from __future__ import annotations

import gc
import random
import resource
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

from flarewatch.mentions.post import Post
from flarewatch.query import Matcher
from flarewatch.query.evaluate import compile_query
from flarewatch.query.parser import parse
from flarewatch.query.view import PostView

SEED = 20240521
WARM_UP = 5_000
BATCH = 1_000  # the embedded runtime's batch size
SINGLE = 20_000
LANGS = ("en", "pl", "he")
_LATIN = "bcdfghjklmnprstvwz"
_VOWELS = "aeiouy"
_HEB = "אבגדהוזחטיכלמנסעפצקרשת"
_PL_ENDINGS = ["a", "i", "ę", "ą", "y", "u", "em", "ach", "ami", "ie", "ów", "om"]
_HE_PREFIXES = ["", "", "", "ו", "ב", "ל", "ה", "מ", "ש", "וב", "וכש", "ומה", "שב"]
_EMOJI = ["🔥", "😡", "👍", "❤️", "😂"]


def _latin_word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_LATIN) + rng.choice(_VOWELS) for _ in range(syllables))


def _hebrew_word(rng: random.Random) -> str:
    return "".join(rng.choice(_HEB) for _ in range(rng.randint(3, 6)))


@dataclass
class Vocab:
    words: dict[str, list[str]]
    cum: dict[str, list[float]]
    brands: list[str]
    brand_cum: list[float]


def build_vocab(rng: random.Random, size: int = 8000, brands: int = 20000) -> Vocab:
    words: dict[str, list[str]] = {}
    for lang in LANGS:
        seen: set[str] = set()
        while len(seen) < size:
            w = _hebrew_word(rng) if lang == "he" else _latin_word(rng, rng.randint(1, 4))
            seen.add(w)
        # Sorted before shuffling: set order depends on the per-process hash seed.
        words[lang] = sorted(sorted(seen), key=lambda _: rng.random())
    cum = {lang: _zipf_cum(len(words[lang])) for lang in LANGS}
    names: set[str] = set()
    while len(names) < brands:
        names.add(_latin_word(rng, rng.randint(3, 5)))
    brand_list = sorted(sorted(names), key=lambda _: rng.random())
    return Vocab(words, cum, brand_list, _zipf_cum(len(brand_list), 0.8))


def _zipf_cum(n: int, s: float = 1.0) -> list[float]:
    total = 0.0
    out = []
    for rank in range(1, n + 1):
        total += 1.0 / rank**s
        out.append(total)
    return out


def make_posts(rng: random.Random, vocab: Vocab, n: int) -> list[Post]:
    posts = []
    for i in range(n):
        lang = rng.choice(LANGS)
        words = rng.choices(vocab.words[lang], cum_weights=vocab.cum[lang], k=rng.randint(8, 30))
        if lang == "pl":
            words = [w + rng.choice(_PL_ENDINGS) if rng.random() < 0.5 else w for w in words]
        elif lang == "he":
            words = [rng.choice(_HE_PREFIXES) + w for w in words]
        if rng.random() < 0.3:
            for brand in rng.choices(
                vocab.brands, cum_weights=vocab.brand_cum, k=rng.randint(1, 2)
            ):
                words.insert(rng.randrange(len(words) + 1), brand)
        if rng.random() < 0.05:
            words.append("#" + rng.choice(vocab.brands[:2000]))
        if rng.random() < 0.1:
            words.append(rng.choice(_EMOJI))
        posts.append(
            Post(
                external_id=str(i),
                text=" ".join(words),
                language=lang if rng.random() < 0.8 else None,
            )
        )
    return posts


def make_query(rng: random.Random, vocab: Vocab) -> str:
    lang = rng.choice(LANGS)
    # Context words come from the middle of the frequency range, as real topic words do.
    context_pool = vocab.words[lang][30:3000]
    brands = [rng.choice(vocab.brands) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.1:
        brands[0] = brands[0][:5] + "*"
    core = "(" + " OR ".join(brands) + ")" if len(brands) > 1 else brands[0]
    parts = [core]
    shape = rng.random()
    context = [rng.choice(context_pool) for _ in range(rng.randint(1, 6))]
    group = "(" + " OR ".join(context) + ")" if len(context) > 1 else context[0]
    if shape < 0.15:
        parts = [f"{core} NEAR/{rng.randint(2, 6)} {group}"]
    elif shape < 0.25:
        parts = [f'"{brands[0].rstrip("*")} {context[0]}"', core]
    elif shape < 0.75:
        parts.append(group)
    if rng.random() < 0.4:
        nots = [rng.choice(context_pool) for _ in range(rng.randint(1, 4))]
        parts.append("NOT (" + " OR ".join(nots) + ")")
    if rng.random() < 0.2:
        parts.append(f"lang:{lang}")
    return " AND ".join(parts)


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    # CPU time of this process: the figures are per core, and other load on the machine
    # (shared CI runners) would otherwise leak into wall-clock numbers.
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def _build(queries: list[str]) -> Matcher:
    matcher = Matcher()
    for i, q in enumerate(queries):
        matcher.add(i, q)
    return matcher


def _memory_of_build(queries: list[str]) -> int:
    """Bytes allocated by building the index (tracemalloc: Python objects, exact)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    matcher = _build(queries)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del matcher
    return after - before


def _rss() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize()
    except OSError:  # not Linux: fall back to the peak, which only ever grows
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@dataclass
class Row:
    queries: int
    build_s: float
    memory_mb: float
    posts_per_s: float
    single_posts_per_s: float
    matches_per_post: float
    naive_posts_per_s: float
    naive_sample: int

    @property
    def ratio(self) -> float:
        return self.posts_per_s / self.naive_posts_per_s


def measure(n_queries: int, posts: list[Post], queries: list[str], naive_sample: int) -> Row:
    gc.collect()
    rss_before = _rss()
    build_s, built = _timed(lambda: _build(queries))
    matcher: Matcher = built  # type: ignore[assignment]
    # tracemalloc slows the build several times over, so the exact figure is only taken where
    # that stays cheap; above that the resident-set growth of the timed build is reported.
    memory = _memory_of_build(queries) if n_queries <= 10_000 else max(_rss() - rss_before, 0)
    warm = posts[: min(len(posts), WARM_UP)]
    matcher.match_batch(warm)  # fills the per-token caches, as a long-running worker has them
    gc.collect()
    # match_batch over batches of BATCH posts is what the pipeline calls.
    elapsed, hits = _timed(
        lambda: sum(
            sum(map(len, matcher.match_batch(posts[i : i + BATCH])))
            for i in range(0, len(posts), BATCH)
        )
    )
    # The same corpus again, one match() call per post (now with warm caches, so this is a
    # steady-state figure for callers that match posts one by one).
    single_s, _ = _timed(lambda: [matcher.match(p) for p in posts[:SINGLE]])
    # The naive loop: analyse each post once, then evaluate every compiled query on it.
    preds = [compile_query(parse(q)) for q in queries]
    sample = posts[:naive_sample]

    def naive() -> list[list[int]]:
        out = []
        for post in sample:
            body = PostView(post).body
            out.append([i for i, pred in enumerate(preds) if pred(body)])
        return out

    naive_s, naive_out = _timed(naive)
    assert naive_out == [matcher.match(p) for p in sample], "presearch disagrees with naive"
    return Row(
        n_queries,
        build_s,
        memory / 2**20,
        len(posts) / elapsed,
        min(SINGLE, len(posts)) / single_s,
        int(hits) / len(posts),
        len(sample) / naive_s,
        len(sample),
    )  # type: ignore[call-overload]


def run(quick: bool = False) -> str:
    rng = random.Random(SEED)
    vocab = build_vocab(rng)
    n_posts = 3_000 if quick else 100_000
    sizes = [500, 2_000] if quick else [1_000, 10_000, 100_000]
    gen_s, made = _timed(lambda: make_posts(rng, vocab, n_posts))
    posts: list[Post] = made  # type: ignore[assignment]
    all_queries = [make_query(rng, vocab) for _ in range(max(sizes))]
    rows = []
    for size in sizes:
        sample = max(20, min(300, 300_000 // size)) if not quick else 20
        rows.append(measure(size, posts, all_queries[:size], sample))
    lines = [
        "## Query matching",
        "",
        f"{n_posts:,} synthetic posts (en, pl, he; 8 to 30 words; 30% mention a brand), matched "
        "on one core against stored queries of realistic shapes (OR-lists of brand synonyms, "
        "context words, NOT groups, NEAR, phrases, wildcards, language filters). Posts/s is "
        f"process CPU time of `match_batch` over the whole corpus in batches of {BATCH:,} (what "
        f"the pipeline calls) after a warm-up of {WARM_UP:,} posts (the per-token caches of a "
        "long-running worker), single pass, so new tokens keep arriving as in a real stream; "
        f"`match()` one post at a time is then timed over the first {min(SINGLE, n_posts):,} "
        "posts again "
        "(caches warm for those); the naive loop analyses "
        "each post once and evaluates every query on it, over the first posts of the corpus "
        "(sample size in the table); both return identical matches. Index memory is what "
        "tracemalloc counts for the build up to 10,000 queries and the process RSS growth "
        "during the build above that.",
        "",
        "| stored queries | build (s) | index memory (MiB) | Matcher posts/s (match_batch) "
        "| match() posts/s, warm | matches/post | naive posts/s (sample) | speed-up |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.queries:,} | {r.build_s:.2f} | {r.memory_mb:.1f} | "
            f"{r.posts_per_s:,.0f} | {r.single_posts_per_s:,.0f} | {r.matches_per_post:.3f} | "
            f"{r.naive_posts_per_s:,.1f} ({r.naive_sample}) | {r.ratio:,.0f}x |"
        )
    lines += [
        "",
        f"Corpus generation took {gen_s:.1f} s and is not part of any figure.",
        "",
        "For comparison across versions (compare only runs on one machine): on the 2-core "
        "AMD EPYC VM of session 1 the pure-Python matcher measured 20,886 / 17,182 / 4,356 "
        "posts/s at 1k / 10k / 100k queries. On the 2-core Intel Xeon VM of session 2, that "
        "same version measured 25,145–26,723 posts/s at 10k queries, and the compiled hot path "
        "(`query/_native.py`) 43,240–47,223, in single-pass runs like this one. On the 2-core "
        "AMD EPYC VM of session 3 that compiled version measured 35,200–39,249 with "
        "`match_batch` as here and the C engine (`query/_engine.pyx`) 98,661–116,143, in "
        "alternating runs in a quiet hour (other tenants share that VM: under their load both "
        "lost up to a quarter). Where the "
        "time goes now, and what would close the gap to the 100k posts/s target: "
        "docs/queries.md.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
