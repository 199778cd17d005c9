"""A local Jetstream: a websocket server on 127.0.0.1 that replays events from the subscriber's
`cursor` on (as Jetstream does: every event whose time_us is at or after it), then stays open."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


def _time_us(message: str) -> int:
    try:
        value = json.loads(message).get("time_us")
    except (ValueError, AttributeError):
        return 0
    return value if isinstance(value, int) else 0


class JetstreamReplay:
    def __init__(self, events: Sequence[str], *, pause: float = 0.0) -> None:
        self.events = list(events)
        self.pause = pause  # seconds between events: a stream that goes on while read
        self.paths: list[str] = []
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None, max_size=None)
        host, port = self._server.socket.getsockname()[:2]
        self.url = f"ws://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _handle(self, connection: ServerConnection) -> None:
        path = connection.request.path if connection.request else "/"
        self.paths.append(path)
        cursor = parse_qs(urlsplit(path).query).get("cursor")
        since = int(cursor[0]) if cursor else 0
        try:
            for message in self.events:
                if since and _time_us(message) and _time_us(message) < since:
                    continue
                connection.send(message)
                if self.pause:
                    time.sleep(self.pause)
            connection.recv()  # stay open (quiet) until the reader leaves
        except ConnectionClosed:
            pass

    def start(self) -> JetstreamReplay:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()


@contextmanager
def jetstream_replay(events: Sequence[str], *, pause: float = 0.0) -> Iterator[JetstreamReplay]:
    replay = JetstreamReplay(events, pause=pause).start()
    try:
        yield replay
    finally:
        replay.stop()
