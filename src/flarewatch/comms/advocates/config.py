"""The workspace file's `[[advocates]]`: friendly opinion leaders a team may brief with
approved facts during a case.

```toml
[[advocates]]
key = "dr-levi"
name = "Dr. Noa Levi"
handles = ["x:@noalevi", "instagram:@noa.levi"]
contact = "mailto://…"        # an Apprise URL, "route:NAME", "person:KEY", or "by_hand"
languages = ["he", "en"]      # the briefing is written in the first one with a catalogue
topics = ["brand", "safety"]  # topic keys; none: every topic
```

They live in the workspace file only (docs/communication-stakeholders.md says why): a sync
replaces them with the file's, and nothing made in the app can be lost by it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flarewatch.comms.stakeholders.config import target_problems
from flarewatch.config.repeats import repeated

BY_HAND = "by_hand"


class AdvocateConfig(BaseModel):
    """One `[[advocates]]` table."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    name: str = Field(min_length=1, max_length=200)
    handles: list[str] = Field(
        default_factory=list, max_length=20, description="e.g. 'x:@noalevi', 'mastodon:@noa@…'"
    )
    contact: str = Field(
        default=BY_HAND,
        description="An Apprise URL, 'route:NAME', 'person:KEY', or 'by_hand' (a person "
        "passes the briefing on)",
    )
    languages: list[str] = Field(default_factory=list, description="e.g. ['he', 'en']")
    topics: list[str] = Field(
        default_factory=list, description="Topic keys the advocate speaks to; none: every topic"
    )

    @field_validator("contact")
    @classmethod
    def _contact(cls, value: str) -> str:
        # "by hand", as people write it, is the same as the key's spelling.
        return BY_HAND if value.strip().lower() in ("by hand", "by-hand", BY_HAND) else value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        wrong = [code for code in value if not (code.isalpha() and len(code) == 2)]
        if wrong:
            raise ValueError(
                f"languages {', '.join(map(repr, wrong))}: use two-letter codes such as he, pl, en"
            )
        return [code.lower() for code in value]

    @property
    def by_hand(self) -> bool:
        return self.contact == BY_HAND


def advocate_problems(
    data: dict[str, Any], problem: Callable[[tuple[Any, ...], str], Any]
) -> list[Any]:
    """An advocate key used twice, a topic key the file lacks, and a contact that names an
    unknown person or route or a URL Apprise cannot read."""
    out = target_problems(
        data, "advocates", "contact", problem, allow=(BY_HAND, "by hand", "by-hand")
    )
    topics = data.get("topics")
    known = {
        t["key"]
        for t in (topics if isinstance(topics, list) else [])
        if isinstance(t, dict) and isinstance(t.get("key"), str)
    }
    out += repeated(data, "advocates", problem, fix="give each advocate its own key")
    advocates = data.get("advocates")
    for index, entry in enumerate(advocates if isinstance(advocates, list) else []):
        if not isinstance(entry, dict):
            continue
        wanted = entry.get("topics")
        for n, topic in enumerate(wanted if isinstance(wanted, list) else []):
            if isinstance(topic, str) and topic not in known:
                have = ", ".join(sorted(known)) or "none"
                out.append(
                    problem(
                        ("advocates", index, "topics", n),
                        f"there is no topic {topic!r}; the file's topics: {have}",
                    )
                )
    return out
