"""Optional AI summary of a story or alert, from any OpenAI-compatible endpoint.

Hosted APIs and a local Ollama (`http://localhost:11434/v1`) speak the same chat-completions
protocol. The product never depends on it: with FLAREWATCH_LLM_BASE_URL unset, `settings_from_env`
returns None and callers skip the summary. A summary must cite the posts it rests on by id;
citations of posts that were not given are dropped, and a summary citing none is rejected,
because an unsourced paragraph in a crisis room is worse than none.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import httpx

MAX_POSTS = 40
MAX_CHARS = 500
_CITATION = re.compile(r"\[((?:#?\d+)(?:\s*,\s*#?\d+)*)\]")

SYSTEM_PROMPT = (
    "You summarise social media posts for a brand's crisis communications team. Write two to "
    "four plain sentences: what is being said, where it started, how it is spreading. Use only "
    "the posts given. After each claim cite the posts it rests on by their ids in square "
    "brackets, e.g. [12] or [12, 15]."
)


class SummaryError(RuntimeError):
    """The endpoint failed or answered something unusable."""


@dataclass(frozen=True, slots=True)
class LLMSettings:
    base_url: str
    model: str
    api_key: str | None = None


@dataclass(slots=True)
class SummaryPost:
    id: int
    text: str
    platform: str = "web"
    author: str | None = None
    created_at: datetime | None = None


@dataclass(slots=True)
class Summary:
    text: str
    cited_post_ids: list[int] = field(default_factory=list)


def settings_from_env(env: Mapping[str, str] | None = None) -> LLMSettings | None:
    env = os.environ if env is None else env
    base_url = (env.get("FLAREWATCH_LLM_BASE_URL") or "").strip()
    if not base_url:
        return None
    return LLMSettings(
        base_url=base_url.rstrip("/"),
        model=(env.get("FLAREWATCH_LLM_MODEL") or "llama3.1").strip(),
        api_key=(env.get("FLAREWATCH_LLM_API_KEY") or "").strip() or None,
    )


def build_messages(posts: Sequence[SummaryPost], title: str | None = None) -> list[dict[str, str]]:
    lines = []
    for post in posts[:MAX_POSTS]:
        meta = [post.platform]
        if post.author:
            meta.append(f"@{post.author}")
        if post.created_at:
            meta.append(post.created_at.strftime("%Y-%m-%d %H:%M UTC"))
        text = " ".join(post.text.split())[:MAX_CHARS]
        lines.append(f"[{post.id}] ({', '.join(meta)}) {text}")
    heading = f"Alert: {title}\n\n" if title else ""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"{heading}Posts:\n" + "\n".join(lines)},
    ]


def validate_citations(text: str, allowed: set[int]) -> Summary:
    """Keep citations of given posts only; reject a summary that cites none of them."""
    cited: list[int] = []

    def keep(match: re.Match[str]) -> str:
        ids = [int(part.strip().lstrip("#")) for part in match.group(1).split(",")]
        good = [i for i in ids if i in allowed]
        cited.extend(i for i in good if i not in cited)
        return f"[{', '.join(str(i) for i in good)}]" if good else ""

    cleaned = re.sub(r"[ \t]+([.,;:])", r"\1", _CITATION.sub(keep, text)).strip()
    if not cited:
        raise SummaryError("the summary cites none of the given posts; not shown")
    return Summary(cleaned, cited)


def summarize(
    alert_or_story_posts: Sequence[SummaryPost],
    *,
    base_url: str,
    api_key: str | None,
    model: str,
    title: str | None = None,
    timeout: float = 60.0,
    client: httpx.Client | None = None,
) -> Summary:
    """A short summary of the posts behind an alert or story, citing their ids."""
    posts = list(alert_or_story_posts)
    if not posts:
        raise SummaryError("no posts to summarise")
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    body = {"model": model, "messages": build_messages(posts, title), "temperature": 0.2}
    url = f"{base_url.rstrip('/')}/chat/completions"
    try:
        if client is None:
            with httpx.Client(timeout=timeout) as own:
                response = own.post(url, json=body, headers=headers)
        else:
            response = client.post(url, json=body, headers=headers)
        response.raise_for_status()
        payload = response.json()
        text = payload["choices"][0]["message"]["content"]
    except httpx.HTTPStatusError as err:
        raise SummaryError(f"{url} answered {err.response.status_code}") from err
    except httpx.HTTPError as err:
        raise SummaryError(f"{url} unreachable: {err}") from err
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise SummaryError(f"{url} did not answer in the chat-completions format") from err
    if not isinstance(text, str) or not text.strip():
        raise SummaryError("the endpoint returned an empty summary")
    return validate_citations(text, {p.id for p in posts[:MAX_POSTS]})


def summary_posts(session: object, post_ids: Sequence[int]) -> list[SummaryPost]:
    """The stored posts behind an alert (its `post_ids`) or a story, in the given order."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from flarewatch.mentions.models import Author, RawPost

    assert isinstance(session, Session)
    rows = session.execute(
        select(RawPost, Author.handle)
        .outerjoin(Author, Author.id == RawPost.author_id)
        .where(RawPost.id.in_(list(post_ids)))
    ).all()
    by_id = {
        raw.id: SummaryPost(
            raw.id,
            f"{raw.title}\n{raw.text}" if raw.title else raw.text,
            raw.platform,
            handle,
            raw.created_at,
        )
        for raw, handle in rows
    }
    return [by_id[i] for i in post_ids if i in by_id]
