"""Kind "web": web pages and forums, listed in `urls` or found in a sitemap, read either as one
article each (trafilatura: text, title, author, date) or, with `item_selector`, as the items
that CSS selectors pick out (forum posts, reviews, comments).

Pages are fetched through PoliteClient with the ETag/Last-Modified of the last answer, so an
unchanged page costs a `304`. Only new or changed items become posts: the checkpoint keeps a
bounded map of item id → content hash. A changed item comes again under `<id>#<hash>`, because
the store keeps one post per (source, external id) and would otherwise drop the new version;
`raw.item_id` keeps the stable id. A page that is cut off or cannot be parsed is a problem and
is fetched again at the next poll (its validators are not kept).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lxml.etree
import lxml.html
import trafilatura
from cssselect import SelectorError
from lxml.cssselect import CSSSelector
from pydantic import Field, field_validator, model_validator

from flarewatch.mentions.post import Post
from flarewatch.query.analysis import normalize_language
from flarewatch.sources.base import FetchResult, SourceError, SourceProblem
from flarewatch.sources.connector import (
    HttpOptions,
    absolute_url,
    clean_text,
    split_posts,
    to_post,
)
from flarewatch.sources.http import Answer, PoliteClient
from flarewatch.sources.ingest import RecordError, parse_datetime, stable_id
from flarewatch.sources.options import check_endpoint

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

MAX_ITEMS_KEPT = 5000  # item id → hash entries in the checkpoint
MAX_PAGES_KEPT = 5000
MAX_CHILD_SITEMAPS = 50
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed
ACCEPT_HTML = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.IGNORECASE)


def _address(value: str, key: str) -> str:
    try:
        return check_endpoint(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a web address; give a full address in {key!r}, "
            'e.g. "https://forum.example.com/t/acme"'
        ) from None


def _selector(value: str | None, key: str) -> str | None:
    if value is None:
        return None
    try:
        CSSSelector(value)
    except (SelectorError, lxml.etree.XPathError) as err:
        raise ValueError(f"{key} = {value!r} is not a CSS selector ({err})") from None
    return value


class WebOptions(HttpOptions):
    urls: list[str] = Field(
        default_factory=list, description="Pages to read (or give a sitemap instead)"
    )
    sitemap: str | None = Field(default=None, description="A sitemap.xml or sitemap index")
    item_selector: str | None = Field(
        default=None,
        description="CSS selector, one element per item; empty: one article per page",
    )
    text_selector: str | None = Field(
        default=None, description="CSS selector inside an item; empty: the item's whole text"
    )
    author_selector: str | None = Field(
        default=None, description="CSS selector of the author inside an item"
    )
    link_selector: str | None = Field(
        default=None, description="The item's own link (its href, or an <a> inside it)"
    )
    max_pages: int = Field(
        default=20, ge=1, le=500, description="Pages fetched per poll from a sitemap"
    )

    @field_validator("urls")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        return [_address(url, "urls") for url in value]

    @field_validator("sitemap")
    @classmethod
    def _sitemap(cls, value: str | None) -> str | None:
        return _address(value, "sitemap") if value else None

    @field_validator("item_selector", "text_selector", "author_selector", "link_selector")
    @classmethod
    def _selectors(cls, value: str | None, info: Any) -> str | None:
        return _selector(value, info.field_name)

    @model_validator(mode="after")
    def _one_list(self) -> WebOptions:
        if bool(self.urls) == bool(self.sitemap):
            raise ValueError(
                'give either urls = ["https://…"] or sitemap = "https://…/sitemap.xml" (one of '
                "them, not both)"
            )
        extra = [
            k for k in ("text_selector", "author_selector", "link_selector") if getattr(self, k)
        ]
        if extra and not self.item_selector:
            raise ValueError(
                f"{', '.join(extra)} pick parts of an item: set item_selector too (the element "
                "of one item), or remove them to read each page as an article"
            )
        return self


@dataclass(slots=True)
class Page:
    url: str
    lastmod: str | None = None


def content_hash(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:16]


def page_language(html: str) -> str | None:
    """The language the page declares (`<html lang="he-IL">`); trafilatura leaves it out."""
    match = _HTML_LANG.search(html[:8192])
    return match.group(1) if match else None


def readable_time(value: Any) -> str | None:
    """A page's date when it can be read as a time, else None (the post is then dated when it
    is read): a forum's `<time datetime="yesterday">` or a malformed sitemap <lastmod> must
    not cost the item."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parse_datetime(value)
    except RecordError:
        return None
    return value


def _element_text(element: Any) -> str:
    return " ".join(clean_text(element.text_content()).split())


def looks_truncated(text: str) -> bool:
    """An HTML document that never closed </html> and stops in the middle of a tag or of its
    text was cut off. (HTML may leave out </body></html>, but such pages still end on a tag.)"""
    lowered = text.lower()
    if "</html>" in lowered[-8192:]:
        return False
    opened = "<html" in lowered or "<body" in lowered
    return opened and not text.rstrip().endswith(">")


class WebSource:
    kind = "web"
    Options = WebOptions
    default_every = "15m"

    def __init__(self, key: str, options: WebOptions, *, platform: str | None = None) -> None:
        self.key = key
        self.options = options
        self.platform = platform or "web"

    @classmethod
    def from_config(cls, config: SourceConfig, base_dir: Path, secrets: Secrets) -> WebSource:
        return cls(config.key, config.options(), platform=config.platform)

    def fetch(
        self,
        checkpoint: dict[str, Any] | None,
        *,
        limit: int = 1000,
        now: datetime | None = None,
        deadline: float | None = None,
    ) -> FetchResult:
        now = now or datetime.now(UTC)
        state = dict(checkpoint or {})
        pages_state: dict[str, dict[str, Any]] = dict(state.get("pages", {}))
        items: dict[str, str] = dict(state.get("items", {}))
        posts: list[Post] = []
        problems: list[SourceProblem] = []
        with PoliteClient(self.key, deadline=deadline) as client:
            if self.options.sitemap:
                listed = self._sitemap_pages(client, self.options.sitemap, problems)
                pages, exhausted = self._due(listed, pages_state)
            else:
                pages, exhausted = [Page(url) for url in self.options.urls], True
            for page in pages:
                if len(posts) >= limit:
                    exhausted = False
                    break
                known = dict(pages_state.get(page.url, {}))
                posts.extend(self._read_page(client, page, known, items, problems))
                known["fetched"] = now.isoformat()
                pages_state[page.url] = known
            quota = client.quota
        state["pages"] = dict(
            sorted(pages_state.items(), key=lambda kv: kv[1].get("fetched", ""))[-MAX_PAGES_KEPT:]
        )
        state["items"] = dict(list(items.items())[-MAX_ITEMS_KEPT:])
        return FetchResult(posts, state, problems, exhausted=exhausted, quota=quota)

    # -- the pages to read -----------------------------------------------------------------

    def _due(
        self, listed: list[Page], pages_state: dict[str, dict[str, Any]]
    ) -> tuple[list[Page], bool]:
        """Pages whose lastmod changed first (oldest change first), then the least recently
        fetched of those without lastmod; at most `max_pages`."""
        changed = [
            p
            for p in listed
            if p.lastmod and p.lastmod != pages_state.get(p.url, {}).get("lastmod")
        ]
        changed.sort(key=lambda p: p.lastmod or "")
        undated = [p for p in listed if not p.lastmod]
        undated.sort(key=lambda p: pages_state.get(p.url, {}).get("fetched", ""))
        chosen = (changed + undated)[: self.options.max_pages]
        return chosen, len(changed) <= self.options.max_pages

    def _sitemap_pages(
        self, client: PoliteClient, url: str, problems: list[SourceProblem], depth: int = 0
    ) -> list[Page]:
        root = self._sitemap_xml(client, url, problems)
        if root is None:
            return []
        tag = lxml.etree.QName(root).localname
        entries = [
            (
                clean_text(element.findtext(f"{SITEMAP_NS}loc") or element.findtext("loc")).strip(),
                clean_text(
                    element.findtext(f"{SITEMAP_NS}lastmod") or element.findtext("lastmod")
                ).strip()
                or None,
            )
            for element in root
            if isinstance(element.tag, str)
            and lxml.etree.QName(element).localname in ("url", "sitemap")
        ]
        if tag == "sitemapindex":
            if depth > 0:
                problems.append(
                    SourceProblem(
                        url,
                        "a sitemap index inside a sitemap index; "
                        "skipped (the protocol allows one level)",
                    )
                )
                return []
            pages: list[Page] = []
            for child, _lastmod in entries[:MAX_CHILD_SITEMAPS]:
                if child:
                    pages.extend(self._sitemap_pages(client, child, problems, depth + 1))
            return pages
        if tag != "urlset":
            problems.append(
                SourceProblem(
                    url,
                    f"not a sitemap (root element <{tag}>, expected "
                    "<urlset> or <sitemapindex>); check 'sitemap'",
                )
            )
            return []
        pages = []
        for loc, lastmod in entries:
            if not loc.startswith(("http://", "https://")):
                problems.append(
                    SourceProblem(
                        url, f"a <url> without a usable <loc> ({loc!r}); skipped, the rest are kept"
                    )
                )
                continue
            pages.append(Page(loc, lastmod))
        return pages

    def _sitemap_xml(
        self, client: PoliteClient, url: str, problems: list[SourceProblem]
    ) -> Any | None:
        answer = client.get(url, headers={"Accept": "application/xml, text/xml;q=0.9"})
        body = answer.body
        if body[:2] == b"\x1f\x8b":  # sitemap.xml.gz served as a file, not content-encoded
            try:
                body = gzip.decompress(body)[:MAX_SITEMAP_BYTES]
            except (OSError, EOFError) as err:
                problems.append(
                    SourceProblem(
                        url, f"the gzipped sitemap is broken ({err}); retried at the next poll"
                    )
                )
                return None
        parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        try:
            return lxml.etree.fromstring(body, parser=parser)
        except lxml.etree.XMLSyntaxError as err:
            problems.append(
                SourceProblem(
                    url,
                    f"the sitemap is not well-formed XML ({err}; {len(body):,} bytes, "
                    "truncated?); its pages are not read this time, retried at the next poll",
                )
            )
            return None

    # -- one page --------------------------------------------------------------------------

    def _read_page(
        self,
        client: PoliteClient,
        page: Page,
        known: dict[str, Any],
        items: dict[str, str],
        problems: list[SourceProblem],
    ) -> list[Post]:
        headers = {"Accept": ACCEPT_HTML}
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("modified"):
            headers["If-Modified-Since"] = known["modified"]
        try:
            answer = client.get(page.url, headers=headers, ok=(304,))
        except SourceError as err:
            if err.retry_at is not None:
                raise  # rate limited: the whole poll waits
            problems.append(SourceProblem(page.url, f"{err}; the other pages are read"))
            return []
        if answer.status == 304:
            return []
        html = answer.text()
        kind = answer.headers.get("content-type", "").lower()
        if kind and "html" not in kind and "xml" not in kind:
            problems.append(
                SourceProblem(
                    page.url, f"not a web page ({kind}); remove it from this source's pages"
                )
            )
            return []
        if looks_truncated(html):
            problems.append(
                SourceProblem(
                    page.url,
                    f"the page is cut off ({len(answer.body):,} bytes, ends mid-tag without "
                    "</html>); nothing "
                    "from it is taken, fetched again at the next poll",
                )
            )
            return []
        if self.options.item_selector:
            found = self._items(answer, html, problems)
        else:
            found = self._article(answer, html, page, problems)
        posts = self._changed(found, items, page.url, problems)
        # Validators only once the page was read in full: otherwise a 304 would hide it.
        known["etag"] = answer.headers.get("etag")
        known["modified"] = answer.headers.get("last-modified")
        if page.lastmod:
            known["lastmod"] = page.lastmod
        return posts

    def _changed(
        self,
        found: list[dict[str, Any]],
        items: dict[str, str],
        page_url: str,
        problems: list[SourceProblem],
    ) -> list[Post]:
        records = []
        for record in found:
            item_id = record["id"]
            digest = content_hash(record.get("title"), record.get("text"), record.get("author"))
            before = items.get(item_id)
            if before == digest:
                continue
            if before is not None:
                record = {**record, "id": stable_id(f"{item_id}#{digest}"), "revision_of": item_id}
            items.pop(item_id, None)
            items[item_id] = digest  # re-inserted: the newest stay when the map is trimmed
            records.append(record)
        posts, bad = split_posts(
            to_post(
                r,
                source_key=self.key,
                platform=self.platform,
                where=f"{page_url} item {r['item_id'][:80]}",
            )
            for r in records
        )
        problems.extend(bad)
        return posts

    def _article(
        self, answer: Answer, html: str, page: Page, problems: list[SourceProblem]
    ) -> list[dict[str, Any]]:
        extracted = trafilatura.extract(
            html,
            url=answer.url,
            output_format="json",
            with_metadata=True,
            include_comments=False,
        )
        data = json.loads(extracted) if extracted else {}
        text = data.get("text") or ""
        if not text.strip():
            problems.append(
                SourceProblem(
                    page.url,
                    "no article text found on the page; use "
                    "item_selector for pages that list items",
                )
            )
            return []
        created = readable_time(data.get("date")) or readable_time(page.lastmod)
        return [
            {
                "id": page.url,
                "item_id": page.url,
                "text": text,
                "title": data.get("title"),
                "author": data.get("author"),
                "author_name": data.get("author"),
                "url": page.url,
                "language": normalize_language(data.get("language") or page_language(html)),
                "created_at": created,
                "page_date": None if created else data.get("date") or page.lastmod,
                "links": [page.url],
                "site": data.get("hostname") or data.get("sitename"),
            }
        ]

    def _items(
        self, answer: Answer, html: str, problems: list[SourceProblem]
    ) -> list[dict[str, Any]]:
        try:
            document = lxml.html.document_fromstring(html)
        except (lxml.etree.ParserError, ValueError) as err:
            problems.append(SourceProblem(answer.url, f"the page cannot be parsed as HTML ({err})"))
            return []
        options = self.options
        found: list[dict[str, Any]] = []
        skipped = 0
        for number, element in enumerate(CSSSelector(options.item_selector)(document), start=1):
            where = f"{answer.url} item {number}"
            text = self._first_text(element, options.text_selector) or ""
            if not text:
                problems.append(
                    SourceProblem(
                        where,
                        "the item has no text (check text_selector); skipped, the rest are kept",
                    )
                )
                skipped += 1
                continue
            link = self._link(element, options.link_selector, answer.url)
            item_id = (
                link or "sha256:" + hashlib.sha256(f"{answer.url}\n{text}".encode()).hexdigest()
            )
            author = (
                self._first_text(element, options.author_selector)
                if (options.author_selector)
                else None
            )
            stamps = element.cssselect("time[datetime]")
            stamp = stamps[0].get("datetime") if stamps else None
            found.append(
                {
                    "id": stable_id(item_id),
                    "item_id": item_id,
                    "text": text,
                    "author": author,
                    "author_name": author,
                    "url": link or answer.url,
                    "created_at": readable_time(stamp),
                    "datetime": stamp if stamp and not readable_time(stamp) else None,
                    "links": [link] if link else None,
                    "page": answer.url,
                }
            )
        if not found and not skipped:
            problems.append(
                SourceProblem(
                    answer.url,
                    f"item_selector {options.item_selector!r} "
                    "matches nothing on the page; check it",
                )
            )
        return found

    @staticmethod
    def _first_text(element: Any, selector: str | None) -> str | None:
        if not selector:
            return _element_text(element) or None
        matches = CSSSelector(selector)(element)
        return _element_text(matches[0]) or None if matches else None

    @staticmethod
    def _link(element: Any, selector: str | None, base: str) -> str | None:
        if not selector:
            return None
        for match in CSSSelector(selector)(element):
            href = match.get("href")
            if not href:
                inner = match.cssselect("a[href]")
                href = inner[0].get("href") if inner else None
            if href:
                return absolute_url(base, href)
        return None
