"""Source benchmarks (the webhook's are in bench_webhook.py). Jetstream: how many firehose
events per second the `bluesky` kind's Jetstream consumer reads on one core from a local replay,
with a workspace's topics matched.

The replay server runs in its own process (so the consumer has its core to itself) and sends
the events as fast as the socket takes them, then closes. The baseline, in the same run over
the same socket, is the least any consumer does: receive each message and `json.loads` it.
Events are shaped like Jetstream's own (commit/create of app.bsky.feed.post with a record),
with a seeded mix of languages and about 2 % mentioning a watched brand.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import time
from typing import Any

SEED = 20261204
TOPICS = [
    'acme OR "acme burgers" OR אקמה',
    '(acme OR globex) AND (cold OR late OR "food poisoning" OR refund)',
    "globex NEAR/3 recall",
    "initech* AND NOT hiring",
    '"umbrella corp" OR umbrellacorp',
]
_WORDS = [
    "the",
    "a",
    "to",
    "of",
    "and",
    "in",
    "is",
    "it",
    "you",
    "that",
    "was",
    "for",
    "on",
    "are",
    "with",
    "as",
    "my",
    "at",
    "be",
    "this",
    "have",
    "from",
    "or",
    "one",
    "had",
    "by",
    "but",
    "not",
    "what",
    "all",
    "were",
    "we",
    "when",
    "your",
    "can",
    "said",
    "there",
    "use",
    "an",
    "each",
    "which",
    "she",
    "do",
    "how",
    "their",
    "if",
    "will",
    "up",
    "other",
    "about",
    "out",
    "many",
    "then",
    "them",
    "these",
    "so",
    "some",
    "her",
    "would",
    "make",
    "like",
    "him",
    "into",
    "time",
    "has",
    "look",
    "two",
    "more",
    "write",
    "go",
    "see",
    "number",
    "no",
    "way",
    "could",
    "people",
    "than",
    "first",
    "water",
]
_HEBREW = ["שלום", "עולם", "היום", "מחר", "אוכל", "שירות", "טוב", "רע", "מאוד", "קר", "חם"]
_BRANDS = ["acme", "globex", "initech", "umbrella corp", "אקמה"]
_CONTEXT = ["cold", "late", "recall", "refund", "food poisoning", "hiring"]


def make_events(count: int) -> list[str]:
    rng = random.Random(SEED)
    base = int(time.time() * 1e6) - 3_600_000_000
    events = []
    for i in range(count):
        hebrew = rng.random() < 0.15
        words = rng.choices(_HEBREW if hebrew else _WORDS, k=rng.randint(6, 40))
        if rng.random() < 0.02:
            words.insert(rng.randrange(len(words)), rng.choice(_BRANDS))
            if rng.random() < 0.5:
                words.append(rng.choice(_CONTEXT))
        did = f"did:plc:{rng.getrandbits(100):025x}"
        event = {
            "did": did,
            "time_us": base + i * 50,
            "kind": "commit",
            "commit": {
                "rev": f"3l{rng.getrandbits(50):011x}",
                "operation": "create",
                "collection": "app.bsky.feed.post",
                "rkey": f"3l{rng.getrandbits(50):011x}",
                "record": {
                    "$type": "app.bsky.feed.post",
                    "createdAt": "2026-12-04T10:00:00.000Z",
                    "langs": ["he" if hebrew else "en"],
                    "text": " ".join(words),
                },
                "cid": f"bafyrei{rng.getrandbits(200):050x}",
            },
        }
        events.append(json.dumps(event, ensure_ascii=False))
    return events


def _serve(events: list[str], ready: Any) -> None:
    from websockets.sync.server import serve

    def handle(connection: Any) -> None:
        for message in events:
            connection.send(message)
        connection.close()

    with serve(handle, "127.0.0.1", 0, compression=None, max_size=None) as server:
        ready.put(server.socket.getsockname()[1])
        server.serve_forever()


class _Replay:
    def __init__(self, events: list[str]) -> None:
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        self.process = context.Process(target=_serve, args=(events, queue), daemon=True)
        self.process.start()
        self.url = f"ws://127.0.0.1:{queue.get(timeout=30)}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(timeout=5)


def _baseline(url: str) -> tuple[float, int]:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    started = time.perf_counter()
    count = 0
    with connect(f"{url}/subscribe", compression=None, max_size=None) as socket:
        try:
            while True:
                json.loads(socket.recv())
                count += 1
        except ConnectionClosed:
            pass
    return time.perf_counter() - started, count


def _consumer(url: str, count: int) -> tuple[float, int, int]:
    from flarewatch.sources.jetstream import JetstreamSource

    source = JetstreamSource("bench", TOPICS, endpoint=url, quiet_seconds=5.0, max_seconds=600)
    started = time.perf_counter()
    result = source.fetch(None, limit=count)
    elapsed = time.perf_counter() - started
    return elapsed, len(result.posts), len(result.problems)


def jetstream_section(quick: bool) -> str:
    count = 20_000 if quick else 100_000
    events = make_events(count)
    replay = _Replay(events)
    try:
        _baseline(replay.url)  # warm up the server process and the socket path
        base_time, base_count = _baseline(replay.url)
        run_time, kept, problems = _consumer(replay.url, count)
    finally:
        replay.stop()
    assert base_count == count, f"baseline read {base_count} of {count} events"
    rate = count / run_time
    base_rate = count / base_time
    verdict = "meets" if rate >= 5_000 else "misses"
    return "\n".join(
        [
            "## Sources: Bluesky Jetstream consumer",
            "",
            f"{count:,} Jetstream post events from a local websocket replay (another process), "
            f"{len(TOPICS)} workspace topics matched; {kept:,} posts kept, {problems} problems.",
            "",
            "| reader | events/s | vs. baseline |",
            "|---|---:|---:|",
            f"| baseline: recv + `json.loads` | {base_rate:,.0f} | 1.00 |",
            f"| `bluesky` jetstream consumer (parse, filter, match, map) | {rate:,.0f} | "
            f"{rate / base_rate:.2f} |",
            "",
            f"Target ≥ 5,000 events/s on one core: {verdict} it ({rate:,.0f}).",
            "",
        ]
    )


def run(quick: bool) -> str:
    from bench.bench_webhook import webhook_section

    return jetstream_section(quick) + "\n" + webhook_section(quick)


if __name__ == "__main__":
    import sys

    print(run(quick="--quick" in sys.argv))
