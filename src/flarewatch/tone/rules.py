"""The per-language rule files (``tone/rules/{en,he,pl}.toml``), loaded and compiled.

A rule file holds, in its own language: the names of the flag kinds, phrase rules (`[[rule]]`:
kind, patterns, reason, suggestion), the requirements a playbook stage can ask for
(`[require.apology]`...: patterns that satisfy it, reason and suggestion when none matches)
and the length wordings. Patterns are Python regular expressions, matched case-insensitively;
two macros keep them readable:

- ``<P>``: the Hebrew one-letter prefixes written attached to the word (ו ה ב ל מ ש כ, up to
  three of them: "ושהלקוח", "מהטענות"), so one pattern matches every prefixed form;
- ``<B>`` / ``</B>``: a word start and end that also work next to Hebrew letters and after a
  prefix (``(?<!\\w)`` and ``(?!\\w)``).

Polish inflection is written into the patterns as stems and alternations
("oskarżeni(?:a|e|om)", "pozw\\w*").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

RULES_DIR = Path(__file__).with_name("rules")
LANGUAGES = ("en", "he", "pl")
PHRASE_KINDS = ("blame", "defensive", "legal_threat", "jargon")
REQUIREMENTS = ("apology", "ownership", "next_step", "next_update")
KINDS = (*PHRASE_KINDS, *(f"missing_{r}" for r in REQUIREMENTS), "too_long")
MACROS = {"<P>": "(?:[ובהלמשכ]{0,3})", "<B>": r"(?<!\w)", "</B>": r"(?!\w)"}


class RuleFileError(ValueError):
    """A rule file that cannot be used, with where and what to fix."""


@dataclass(frozen=True)
class PhraseRule:
    kind: str
    patterns: tuple[re.Pattern[str], ...]
    reason: str
    suggestion: str


@dataclass(frozen=True)
class Requirement:
    key: str
    patterns: tuple[re.Pattern[str], ...]
    reason: str
    suggestion: str


@dataclass(frozen=True)
class Rules:
    language: str
    kind_names: dict[str, str]
    phrases: tuple[PhraseRule, ...]
    requirements: dict[str, Requirement]
    length: dict[str, str] = field(default_factory=dict)


def expand(pattern: str) -> str:
    for macro, regex in MACROS.items():
        pattern = pattern.replace(macro, regex)
    return pattern


def _compile(patterns: object, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(patterns, list) or not patterns:
        raise RuleFileError(f"{where}: 'patterns' must be a non-empty list of regular expressions")
    compiled = []
    for i, pattern in enumerate(patterns):
        try:
            compiled.append(re.compile(expand(str(pattern)), re.IGNORECASE))
        except re.error as exc:
            raise RuleFileError(
                f"{where}, pattern {i + 1} ({pattern!r}): {exc}; fix the regular expression"
            ) from exc
    return tuple(compiled)


def _text(table: dict[str, object], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RuleFileError(f"{where}: '{key}' is missing; write it in the file's language")
    return value


def parse(data: dict[str, object], language: str, where: str) -> Rules:
    """The rule file's contents checked and compiled; every error says where and what to fix."""
    kinds = data.get("kinds")
    if not isinstance(kinds, dict) or set(kinds) != set(KINDS):
        raise RuleFileError(f"{where}: [kinds] must name exactly these kinds: {', '.join(KINDS)}")
    phrases = []
    for i, rule in enumerate(data.get("rule", [])):  # type: ignore[union-attr]
        at = f"{where}, [[rule]] {i + 1}"
        kind = rule.get("kind")
        if kind not in PHRASE_KINDS:
            raise RuleFileError(f"{at}: kind {kind!r}: use one of {', '.join(PHRASE_KINDS)}")
        phrases.append(
            PhraseRule(
                kind,
                _compile(rule.get("patterns"), at),
                _text(rule, "reason", at),
                _text(rule, "suggestion", at),
            )
        )
    required = data.get("require")
    if not isinstance(required, dict) or set(required) != set(REQUIREMENTS):
        raise RuleFileError(f"{where}: [require.*] must define {', '.join(REQUIREMENTS)}")
    requirements = {
        key: Requirement(
            key,
            _compile(table.get("patterns"), f"{where}, [require.{key}]"),
            _text(table, "reason", f"{where}, [require.{key}]"),
            _text(table, "suggestion", f"{where}, [require.{key}]"),
        )
        for key, table in required.items()
    }
    length = data.get("length")
    if not isinstance(length, dict):
        raise RuleFileError(f"{where}: [length] is missing")
    wordings = {
        key: _text(length, key, f"{where}, [length]")
        for key in ("reason", "recommended", "sms", "suggestion")
    }
    return Rules(language, dict(kinds), tuple(phrases), requirements, wordings)


@lru_cache(maxsize=len(LANGUAGES))
def load(language: str) -> Rules:
    """The shipped rules of one language (he, pl, en)."""
    if language not in LANGUAGES:
        raise RuleFileError(f"language {language!r}: the tone check knows {', '.join(LANGUAGES)}")
    path = RULES_DIR / f"{language}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(f"{path}: {exc}; fix the TOML syntax") from exc
    return parse(data, language, str(path))
