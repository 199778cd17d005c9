"""A post analysed once for matching: token keys for presearch, positions on demand.

Everything beyond the key set is lazy because the matcher verifies only a few candidate queries
per post and most of them never need positions, surfaces or metadata.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from flarewatch.mentions.post import Post
from flarewatch.query.analysis import (
    FOLDED_FORMS,
    FORMS,
    META,
    TokenCache,
    guess_language,
    normalize_language,
    surface_tokens,
    token_cache,
    tokens,
    urls,
)
from flarewatch.query.polish import fold

TITLE_GAP = 1000  # title tokens sit this far after the text, so NEAR/phrases never span both


class TextView:
    """The tokens of one text (the body: text plus title; or the title alone)."""

    __slots__ = (
        "tokens",
        "distinct",
        "cache",
        "_keys",
        "post",
        "is_title",
        "_tokpos",
        "_keypos",
        "_surfaces",
        "_split",
        "_joined",
    )

    def __init__(
        self, toks: list[str], cache: TokenCache, post: PostView, split: int, is_title: bool = False
    ) -> None:
        self.tokens = toks
        self.is_title = is_title
        self.cache = cache
        self.post = post
        self._split = split  # index of the first title token in `tokens`
        self.distinct = set(toks)
        self._keys: set[str] | None = None
        self._tokpos: dict[str, list[int]] | None = None
        self._keypos: dict[frozenset[str], list[int]] = {}
        self._surfaces: list[str] | None = None
        self._joined: str | None = None

    @property
    def keys(self) -> set[str]:
        """All keys of all tokens; built on first use since most posts are never verified."""
        if self._keys is None:
            self._keys = self.cache.union_keys(self.distinct)
        return self._keys

    def joined(self) -> str:
        """Distinct tokens (and their folded forms when folding) in one string, for substring
        tests: Aho-Corasick in the matcher and the literal pre-check of wildcards."""
        if self._joined is None:
            self._joined = joined_tokens(self.distinct, self.post.with_fold)
        return self._joined

    def tokpos(self) -> dict[str, list[int]]:
        if self._tokpos is None:
            table: dict[str, list[int]] = {}
            split = self._split
            for i, tok in enumerate(self.tokens):
                table.setdefault(tok, []).append(i if i < split else i + TITLE_GAP)
            self._tokpos = table
        return self._tokpos

    def key_positions(self, keys: frozenset[str]) -> list[int]:
        found = self._keypos.get(keys)
        if found is None:
            keys_of = self.cache.keys_of
            found = []
            for tok, plist in self.tokpos().items():
                if not keys.isdisjoint(keys_of[tok]):
                    found.extend(plist)
            found.sort()
            self._keypos[keys] = found
        return found

    def wildcard_positions(self, regex: re.Pattern[str], folded: bool) -> list[int]:
        cache = self.cache
        found: list[int] = []
        for tok, plist in self.tokpos().items():
            info = cache[tok]
            forms = info[FOLDED_FORMS] if folded else info[FORMS]
            if any(regex.fullmatch(f) for f in forms):
                found.extend(plist)
        found.sort()
        return found

    def wildcard_any(self, regex: re.Pattern[str], folded: bool) -> bool:
        cache = self.cache
        for tok in self.distinct:
            info = cache[tok]
            forms = info[FOLDED_FORMS] if folded else info[FORMS]
            if any(regex.fullmatch(f) for f in forms):
                return True
        return False

    def surfaces(self) -> list[str]:
        if self._surfaces is None:
            self._surfaces = self.post.surfaces(self.is_title)
        return self._surfaces

    def surface_positions(self, match: re.Pattern[str]) -> list[int]:
        split = self._split
        return [
            i if i < split else i + TITLE_GAP
            for i, s in enumerate(self.surfaces())
            if match.fullmatch(s)
        ]


class PostView:
    """A post plus its body and (lazily) title views and normalised metadata."""

    __slots__ = (
        "post",
        "lang",
        "with_fold",
        "body",
        "_title",
        "_surf",
        "_raw",
        "_links",
        "_title_toks",
        "_cache",
    )

    def __init__(
        self,
        post: Post,
        *,
        with_fold: bool = False,
        analysed: tuple[list[str], list[str], str] | None = None,
        body_keys: set[str] | None = None,
    ) -> None:
        """`analysed`: (body tokens, title tokens, language) when the caller already has them
        (the matcher analyses a post before it knows whether any query needs the view);
        `body_keys`: all keys of those tokens, when the caller has them too."""
        self.post = post
        if analysed is None:
            text = post.text or ""
            title = post.title or ""
            body_toks = tokens(text)
            title_toks = tokens(title) if title else []
            lang = normalize_language(post.language) or guess_language(
                title + " " + text, set(body_toks)
            )
        else:
            body_toks, title_toks, lang = analysed
        split = len(body_toks)
        self._title_toks: list[str] = title_toks
        self.lang = lang
        self.with_fold = with_fold
        cache = token_cache(lang, with_fold)
        self._cache = cache
        self.body = TextView(
            body_toks + title_toks if title_toks else body_toks, cache, self, split
        )
        if body_keys is not None:
            self.body._keys = body_keys
        self._title: TextView | None = None
        self._surf: tuple[list[str], list[str]] | None = None
        self._raw: str | None = None
        self._links: list[str] | None = None

    def release(self) -> None:
        """Break the views' links back to this post: each TextView points at its PostView and
        the PostView at them, so a dropped view would otherwise wait for the cyclic garbage
        collector, which cost the matcher about 5% of its time. The views are unusable after."""
        self.body.post = None  # type: ignore[assignment]
        if self._title is not None:
            self._title.post = None  # type: ignore[assignment]

    def title(self) -> TextView:
        if self._title is None:
            toks = self._title_toks
            self._title = TextView(toks, self._cache, self, len(toks), is_title=True)
        return self._title

    def surfaces(self, title_only: bool) -> list[str]:
        if self._surf is None:
            text = surface_tokens(self.post.text or "")
            title = surface_tokens(self.post.title or "")
            if len(text) + len(title) != len(self.body.tokens):
                # Casefolding changed the token split (very rare letters): keep positions aligned
                # by degrading to the folded tokens rather than reporting wrong positions.
                n = len(self.body.tokens) - len(self._title_toks)
                text, title = self.body.tokens[:n], self._title_toks
            self._surf = (text, title)
        text, title = self._surf
        return title if title_only else text + title

    def raw(self) -> str:
        if self._raw is None:
            joined = f"{self.post.title or ''}\n{self.post.text or ''}"
            self._raw = unicodedata.normalize("NFKC", joined)
        return self._raw

    def links(self) -> list[str]:
        if self._links is None:
            found = list(self.post.links) + urls(self.post.text or "")
            self._links = [normalize_url(u) for u in found]
        return self._links

    def meta_keys(self) -> set[str]:
        """Metadata as presearch keys, so `lang:pl AND ...` style filters can be indexed."""
        return meta_keys(self.post, self.lang)

    def host(self) -> str:
        return host_of(self.post)

    def url(self) -> str:
        return normalize_url(self.post.url) if self.post.url else ""


def joined_tokens(distinct: set[str], with_fold: bool) -> str:
    """Distinct tokens (and their folded forms when folding) in one string, for substring tests
    of wildcard fragments."""
    text = "\x00".join(distinct)
    return f"{text}\x00{fold(text)}" if with_fold else text


def host_of(post: Post) -> str:
    if not post.url:
        return ""
    return normalize_url(post.url).split("/", 1)[0]


def meta_keys(post: Post, lang: str) -> set[str]:
    """Metadata of a post as presearch keys, so `lang:pl AND ...` style filters can be indexed."""
    keys = {f"{META}lang:{lang}", f"{META}platform:{(post.platform or '').casefold()}"}
    if post.country:
        keys.add(f"{META}country:{post.country.casefold()}")
    if post.author:
        keys.add(f"{META}author:{normalize_author(post.author)}")
    host = host_of(post)
    while host:
        keys.add(f"{META}site:{host}")
        host = host.partition(".")[2]
    return keys


def normalize_url(url: str) -> str:
    """Scheme and leading www. dropped, host lower-cased: the form url: and links: compare."""
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    return (host + rest).rstrip("/").casefold()


def normalize_site(value: str) -> str:
    """A site: value as hosts are compared: scheme, leading www. and trailing / ignored, so the
    `site:"http://www.wort.lu"` that tools publish means the host wort.lu."""
    value = value.strip().casefold()
    if "://" in value:
        value = value.split("://", 1)[1]
    return value.removeprefix("www.").rstrip("/")


def normalize_author(author: str) -> str:
    return author.strip().lstrip("@").casefold()
