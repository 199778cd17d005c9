"""The tone check: a draft, its language, platform and required elements in; flags out.

Pure functions: no database, no network. Each flag has its kind, the phrase and its character
span in the draft (none for a missing element), the reason and a suggested rewording, both in
the draft's language (from the rule file, tone/rules.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from flarewatch.bidi import isolate
from flarewatch.tone import limits
from flarewatch.tone.rules import LANGUAGES, REQUIREMENTS, Rules, load

# What each playbook stage asks a draft to contain (docs/tone.md, "Requirements"). Without a
# stage or --require nothing is required: a one-line reply need not apologise.
STAGE_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "containment": ("next_step", "next_update"),
    "responsibility": ("apology", "ownership"),
    "actions": ("next_step",),
    "compensation": ("apology", "next_step"),
    "follow_up": ("next_step",),
}


@dataclass(frozen=True)
class Flag:
    kind: str
    label: str  # the kind's name in the draft's language
    start: int | None  # character span of `phrase` in the draft; None for a missing element
    end: int | None
    phrase: str
    reason: str
    suggestion: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def draft_language(text: str) -> str:
    """The draft's language by Flarewatch's language identification (enrich/langid.py), among
    he, pl and en; English when it cannot tell (a draft without letters, or in another script),
    whose wording then names the flags."""
    from flarewatch.enrich.langid import detect_language

    code, _confidence = detect_language(text, LANGUAGES)
    return code if code in LANGUAGES else "en"


def requirements_for(stage: str | None, require: Iterable[str] = ()) -> tuple[str, ...]:
    """The elements to look for: the stage's (STAGE_REQUIREMENTS) and the explicit ones."""
    wanted = set(require)
    unknown = sorted(wanted - set(REQUIREMENTS))
    if unknown:
        raise ValueError(
            f"requirement {', '.join(unknown)}: use one or more of {', '.join(REQUIREMENTS)}"
        )
    if stage is not None:
        if stage not in STAGE_REQUIREMENTS:
            raise ValueError(f"stage {stage!r}: use one of {', '.join(STAGE_REQUIREMENTS)}")
        wanted.update(STAGE_REQUIREMENTS[stage])
    return tuple(r for r in REQUIREMENTS if r in wanted)


def _phrase_flags(text: str, rules: Rules) -> list[Flag]:
    flags: list[Flag] = []
    taken: list[tuple[int, int]] = []
    for rule in rules.phrases:
        for pattern in rule.patterns:
            for match in pattern.finditer(text):
                start, end = match.span()
                if start == end or any(s < end and start < e for s, e in taken):
                    continue  # one flag per stretch of text, the first rule's
                taken.append((start, end))
                flags.append(
                    Flag(
                        rule.kind,
                        rules.kind_names[rule.kind],
                        start,
                        end,
                        match.group(0),
                        rule.reason,
                        rule.suggestion,
                    )
                )
    return sorted(flags, key=lambda f: (f.start or 0, f.kind))


def _missing_flags(text: str, rules: Rules, required: Iterable[str]) -> list[Flag]:
    flags = []
    for key in required:
        requirement = rules.requirements[key]
        if not any(p.search(text) for p in requirement.patterns):
            kind = f"missing_{key}"
            flags.append(
                Flag(
                    kind,
                    rules.kind_names[kind],
                    None,
                    None,
                    "",
                    requirement.reason,
                    requirement.suggestion,
                )
            )
    return flags


def _length_flag(text: str, rules: Rules, platform: str) -> Flag | None:
    limit = limits.LIMITS[platform]
    count = limits.length(text, platform)
    words = rules.length
    if platform == "sms":
        segments, units, gsm = limits.sms_segments(text)
        if segments <= 1:
            return None
        single = 160 if gsm else 70
        reason = words["sms"].format(count=units, limit=single, segments=segments)
        cut = single
    elif limit.limit is not None and count > limit.limit:
        reason = words["reason"].format(count=count, limit=limit.limit, platform=platform)
        cut = _cut(text, platform, limit.limit)
    elif limit.recommended is not None and count > limit.recommended:
        reason = words["recommended"].format(
            count=count, limit=limit.recommended, platform=platform
        )
        cut = limit.recommended
    else:
        return None
    suggestion = words["suggestion"]
    return Flag(
        "too_long", rules.kind_names["too_long"], cut, len(text), text[cut:], reason, suggestion
    )


def _cut(text: str, platform: str, limit: int) -> int:
    """The first character index past the platform's limit; never inside a link, which the
    platforms count as a whole."""
    # a prefix never counts less than a shorter one, so a binary search finds the longest
    # that fits (a 200,000-character draft would otherwise cost seconds)
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if limits.length(text[:middle], platform) <= limit:
            low = middle
        else:
            high = middle - 1
    cut = low
    for link in limits.URL_RE.finditer(text):
        if link.start() < cut < link.end():
            return link.start()
    return cut


def check(
    text: str,
    language: str,
    platform: str | None = None,
    required: Iterable[str] = (),
) -> list[Flag]:
    """Every flag for the draft: phrases in order of their place, then missing elements, then
    the length. An empty list: the draft is clean."""
    if platform is not None and platform not in limits.PLATFORMS:
        raise ValueError(f"platform {platform!r}: use one of {', '.join(limits.PLATFORMS)}")
    rules = load(language)
    flags = _phrase_flags(text, rules) + _missing_flags(text, rules, required)
    if platform is not None:
        too_long = _length_flag(text, rules, platform)
        if too_long is not None:
            flags.append(too_long)
    return flags


def format_flag(flag: Flag) -> str:
    """One line: ``label [start-end] «phrase»: reason → suggestion``; the phrase and the texts
    are isolated so that a Hebrew phrase cannot reorder the line around it."""
    where = "" if flag.start is None else f" [{flag.start}-{flag.end}]"
    phrase = "" if not flag.phrase else f" «{isolate(_short(flag.phrase))}»"
    return (
        f"{isolate(flag.label)}{where}{phrase}: {isolate(flag.reason)} → {isolate(flag.suggestion)}"
    )


def _short(phrase: str, most: int = 80) -> str:
    one_line = " ".join(phrase.split())
    return one_line if len(one_line) <= most else one_line[: most - 1] + "…"
