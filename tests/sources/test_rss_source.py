from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.base import SourceError
from flarewatch.sources.registry import build_source
from flarewatch.sources.rss import RssSource, strip_html, unwrap_link

FIXTURES = Path(__file__).parent / "fixtures"
TYPES = {".xml": "application/xml; charset=utf-8", ".html": "text/html; charset=utf-8"}


@dataclass
class FeedServer:
    """A real HTTP server on 127.0.0.1 serving recorded feeds, with ETag support."""

    base: str
    bodies: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: list[tuple[str, int]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def serve(self, path: str, fixture: str) -> str:
        file = FIXTURES / fixture
        self.bodies[path] = (file.read_bytes(), TYPES[file.suffix])
        return self.url(path)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    state = FeedServer(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path == "/slow":
                time.sleep(1.0)
            if self.path == "/error":
                self._reply(500, b"oops", "text/plain")
                return
            if self.path not in state.bodies:
                self._reply(404, b"not here", "text/plain")
                return
            body, kind = state.bodies[self.path]
            etag = '"' + hashlib.sha256(body).hexdigest()[:12] + '"'
            if self.headers.get("If-None-Match") == etag:
                self._reply(304, b"", kind, etag)
                return
            self._reply(200, body, kind, etag)

        def _reply(self, status: int, body: bytes, kind: str, etag: str | None = None) -> None:
            state.requests.append((self.path, status))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", "Tue, 11 Jun 2024 10:00:00 GMT")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def test_rss2_feed(server: FeedServer) -> None:
    source = RssSource("mivzak", server.serve("/rss", "rss2.xml"))
    result = source.fetch(None)
    assert [p.external_id for p in result.posts] == ["mivzak-20240611-1", "mivzak-20240611-2"]
    first, second = result.posts
    assert first.created_at == datetime(2024, 6, 11, 9, 36, tzinfo=UTC)
    assert first.platform == "news" and first.language == "he" and first.source_key == "mivzak"
    assert first.text == "לקוחה של רשת ההמבורגרים גרילברי פרסמה תמונה של תולעת & קוראים לחרם."
    assert second.text == "פקחי משרד הבריאות ביקרו היום בסניף גרילברי ברחוב דיזנגוף."
    assert second.title == "משרד הבריאות: פקחים ביקרו בסניף גרילברי בדיזנגוף"
    assert second.author == "מבזק חדשות"
    assert second.url == "https://news.example/mivzak/grillberry-health-ministry"


def test_atom_feed(server: FeedServer) -> None:
    result = RssSource("atom", server.serve("/atom", "atom.xml"), platform="web").fetch(None)
    newest = result.posts[-1]
    assert newest.external_id == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    assert newest.text.startswith("A photo of a worm in a Grillberry burger")
    assert newest.author == "Dana Roth" and newest.platform == "web" and newest.language == "en"
    assert newest.created_at == datetime(2024, 6, 11, 10, 58, tzinfo=UTC)


def test_google_alerts_feed_links_are_unwrapped(server: FeedServer) -> None:
    result = RssSource("alerts", server.serve("/alerts", "google_alerts.xml")).fetch(None)
    first, second = result.posts
    assert first.title == "Grillberry under fire after customer finds worm in burger"
    assert first.url == "https://news.example/food-report/grillberry-worm-backlash"
    assert first.links == [first.url]
    assert "<b>" not in first.text and "chain's Dizengoff" in first.text
    assert first.external_id == "tag:google.com,2013:googlealerts/feed:11734531562936591710"
    assert second.url == "https://news.example/mivzak/grillberry-health-ministry?lang=en"


def test_conditional_get_and_seen_ids(server: FeedServer) -> None:
    url = server.serve("/atom", "atom.xml")
    source = RssSource("atom", url)
    first = source.fetch(None)
    assert len(first.posts) == 2 and first.checkpoint["etag"]
    again = source.fetch(first.checkpoint)
    assert again.posts == [] and server.requests[-1] == ("/atom", 304)
    # The feed changes: only the new entry comes through, the others are known by id.
    body = (FIXTURES / "atom.xml").read_bytes()
    extra = (
        b"<entry><title>Grillberry reopens</title><id>urn:new</id>"
        b"<updated>2024-06-12T08:00:00Z</updated><summary>Branch reopens.</summary></entry>"
    )
    server.bodies["/atom"] = (body.replace(b"</feed>", extra + b"</feed>"), TYPES[".xml"])
    third = source.fetch(again.checkpoint)
    assert [p.external_id for p in third.posts] == ["urn:new"]


def test_limit_keeps_the_rest_for_the_next_poll(server: FeedServer) -> None:
    source = RssSource("alerts", server.serve("/alerts", "google_alerts.xml"))
    first = source.fetch(None, limit=1)
    assert len(first.posts) == 1 and not first.exhausted and "etag" not in first.checkpoint
    second = source.fetch(first.checkpoint, limit=1)
    assert len(second.posts) == 1 and second.exhausted
    assert first.posts[0].external_id != second.posts[0].external_id


@pytest.mark.parametrize(
    ("path", "fixture", "message"),
    [
        ("/missing", None, "the feed does not exist"),
        ("/error", None, "the site is failing"),
        ("/broken", "broken.xml", "not an RSS or Atom feed"),
        ("/page", "page.html", "not an RSS or Atom feed (text/html"),
    ],
)
def test_broken_feeds_raise_clear_errors(
    server: FeedServer, path: str, fixture: str | None, message: str
) -> None:
    url = server.serve(path, fixture) if fixture else server.url(path)
    with pytest.raises(SourceError) as info:
        RssSource("bad", url).fetch(None)
    assert str(info.value).startswith(f"source 'bad': {url}: ") and message in str(info.value)


def test_timeout_and_unreachable(server: FeedServer) -> None:
    with pytest.raises(SourceError, match="no answer in time"):
        RssSource("slow", server.url("/slow")).fetch(None, deadline=time.monotonic() + 0.3)
    with pytest.raises(SourceError, match="cannot connect"):
        RssSource("down", "http://127.0.0.1:9/feed").fetch(None)


def test_helpers_and_registry(tmp_path: Path) -> None:
    assert strip_html("<b>Grill</b>berry&nbsp;&amp; co<br>next") == "Grillberry & co next"
    assert unwrap_link("https://www.google.com/url?q=https://a.example/x&sa=U") == (
        "https://a.example/x"
    )
    assert unwrap_link("https://news.example/a?url=b") == "https://news.example/a?url=b"
    config = SourceConfig(key="alerts", kind="rss", url="https://www.google.com/alerts/feeds/1/2")
    assert build_source(config, tmp_path).kind == "rss"
