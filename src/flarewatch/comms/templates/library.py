"""The template document, the shipped starter set (data/*.toml, one file per playbook) and
TOML in and out.

A template is one message for one audience at one playbook stage, in en, he and pl, each
language with up to three variants, one per kind of platform (VARIANT_PLATFORMS): `short` for
X and Bluesky, `sms`, and `long` for Facebook, Instagram, Mastodon and email (with the email's
`subject`; without a subject there is no email). A platform without its variant falls back
as FALLBACK says (a short text fits Facebook too); email and SMS have no fallback. The shipped
set is version 1 of every key.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from flarewatch.comms.models import AUDIENCES, DRAFT_PLATFORMS
from flarewatch.comms.templates.fill import VARIABLES, placeholders
from flarewatch.config import toml_writer
from flarewatch.config.workspace import describe_validation_error
from flarewatch.errors import InputError

LANGUAGES = ("en", "he", "pl")
KEY_PATTERN = r"^[a-z0-9][a-z0-9.-]{0,99}$"
DOC = "docs/communication-templates.md"
VARIANTS = ("short", "sms", "long")
VARIANT_PLATFORMS: dict[str, tuple[str, ...]] = {
    "short": ("x", "bluesky"),
    "sms": ("sms",),
    "long": ("facebook", "instagram", "mastodon", "email"),
}
PLATFORM_VARIANT = {p: v for v, platforms in VARIANT_PLATFORMS.items() for p in platforms}
# A platform whose own variant is missing may use this one instead: it fits there too.
FALLBACK = {"facebook": "short", "instagram": "short", "mastodon": "short"}
assert set(PLATFORM_VARIANT) == set(DRAFT_PLATFORMS)

Kind = Literal["statement", "reply", "update", "private_message"]
Audience = Literal["customers", "employees", "press", "regulators", "partners"]
Stage = Literal["containment", "responsibility", "actions", "compensation", "follow_up"]
assert set(Audience.__args__) == set(AUDIENCES)  # type: ignore[attr-defined]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


# What a text may hold, for the JSON schema (the API's clients and its fuzz test read it): any
# character but a brace, NUL excluded as everywhere, `{{` / `}}` and the known variables. The
# check itself is `fill.placeholders`, whose errors say which variable and what to use.
TEXT_PATTERN = r"^(?:[^{}\u0000]|\{\{|\}\}|\{(?:" + "|".join(VARIABLES) + r")\})*$"


def _texts_schema(schema: dict[str, Any]) -> None:
    """Texts in the schema as the validators want them: strings (left out, never null) that
    match TEXT_PATTERN, and at least one of short, sms and long."""
    for name, spec in schema.get("properties", {}).items():
        limits = next((s for s in spec.get("anyOf", ()) if s.get("type") == "string"), spec)
        spec.clear()
        spec.update({**limits, "type": "string", "pattern": TEXT_PATTERN, "title": name})
    schema["anyOf"] = [{"required": [name]} for name in VARIANTS]


def _body_schema(schema: dict[str, Any]) -> None:
    """At least one language, each an object (left out, never null)."""
    properties = schema.get("properties", {})
    for code in LANGUAGES:
        spec = properties.get(code, {})
        ref = next((s for s in spec.get("anyOf", ()) if "$ref" in s), None)
        if ref is not None:
            properties[code] = {**ref}
    schema["anyOf"] = [{"required": [code]} for code in LANGUAGES]


class Texts(_Doc):
    """One language's texts: a variant per kind of platform, and the email's subject."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_texts_schema)

    short: str | None = Field(default=None, min_length=1, max_length=2_000)
    sms: str | None = Field(default=None, min_length=1, max_length=1_000)
    long: str | None = Field(default=None, min_length=1, max_length=10_000)
    subject: str | None = Field(default=None, min_length=1, max_length=300)

    @model_validator(mode="after")
    def _something_to_say(self) -> Texts:
        if not (self.short or self.sms or self.long):
            raise ValueError("give at least one of short, sms or long")
        return self

    def variant(self, name: str) -> str | None:
        return getattr(self, name)  # type: ignore[no-any-return]


class TemplateBody(_Doc):
    """A template without its key and version (the API's body; the key is in the path)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_body_schema)

    playbook: str | None = Field(
        default=None, max_length=64, description="The playbook it belongs to."
    )
    kind: Kind = "statement"
    audience: Audience = "customers"
    stage: Stage | None = Field(
        default=None, description="The playbook stage: the tone check asks for its elements."
    )
    en: Texts | None = None
    he: Texts | None = None
    pl: Texts | None = None

    @model_validator(mode="after")
    def _languages_and_variables(self) -> TemplateBody:
        if not self.languages():
            raise ValueError("give the texts in at least one of en, he, pl")
        for language in self.languages():
            texts = self.texts(language)
            for name in ("short", "sms", "long", "subject"):
                text = texts.variant(name)
                if text:
                    try:
                        placeholders(text, f"{language}.{name}")
                    except InputError as err:
                        raise ValueError(str(err)) from None
        return self

    def languages(self) -> list[str]:
        return [code for code in LANGUAGES if getattr(self, code) is not None]

    def texts(self, language: str) -> Texts:
        texts = getattr(self, language, None) if language in LANGUAGES else None
        if texts is None:
            raise InputError(
                f"this template has no {language!r} text; it is written in "
                f"{', '.join(self.languages())}"
            )
        return texts  # type: ignore[no-any-return]

    def platforms(self, language: str) -> list[str]:
        """The platforms this language's texts can go to."""
        texts = self.texts(language)
        return [p for p in DRAFT_PLATFORMS if _variant_name(texts, p) is not None]


class TemplateDoc(TemplateBody):
    key: str = Field(pattern=KEY_PATTERN)
    version: int = Field(default=1, ge=1)


def _variant_name(texts: Texts, platform: str) -> str | None:
    if platform == "email" and not texts.subject:
        return None  # an email needs its subject as well as the long text
    own = PLATFORM_VARIANT[platform]
    if texts.variant(own):
        return own
    fallback = FALLBACK.get(platform)
    return fallback if fallback and texts.variant(fallback) else None


def text_for(doc: TemplateBody, language: str, platform: str) -> tuple[str, str, str | None]:
    """(variant, text, subject) for `platform` in `language`; InputError when it has none."""
    if platform not in PLATFORM_VARIANT:
        raise InputError(f"unknown platform {platform!r}; use one of {', '.join(DRAFT_PLATFORMS)}")
    texts = doc.texts(language)
    name = _variant_name(texts, platform)
    if name is None:
        raise InputError(
            f"this template has no text for {platform} in {language}; it has "
            f"{', '.join(doc.platforms(language)) or 'none'}"
        )
    text = texts.variant(name)
    assert text is not None
    return name, text, texts.subject if platform == "email" else None


def check_template(data: dict[str, Any], where: str) -> TemplateDoc:
    """The document checked; every problem at once, each with where it is and what to do."""
    try:
        return TemplateDoc.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(describe_validation_error(e, DOC) for e in err.errors())
        raise InputError(f"{where}: {problems}") from None


def parse_toml(text: str, where: str) -> list[TemplateDoc]:
    """The templates of a TOML file: `[[templates]]` tables, or one template at the top."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{where}: not valid TOML ({err}); see {DOC}") from None
    if "templates" in data:
        tables = data["templates"]
        if not isinstance(tables, list) or not tables:
            raise InputError(f"{where}: 'templates' must be a list of [[templates]] tables")
        shared = {k: v for k, v in data.items() if k == "playbook"}
        docs = [
            check_template({**shared, **table}, f"{where}, template {n}")
            for n, table in enumerate(tables, start=1)
        ]
    else:
        docs = [check_template(data, where)]
    keys = [doc.key for doc in docs]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise InputError(f"{where}: key {', '.join(twice)} appears more than once")
    return docs


@cache
def shipped() -> dict[str, TemplateDoc]:
    """The starter set shipped with Flarewatch, by key; every key's playbook must exist."""
    from flarewatch.playbooks.library import shipped as playbooks

    found: dict[str, TemplateDoc] = {}
    folder = resources.files("flarewatch.comms.templates") / "data"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        where = f"comms/templates/data/{entry.name}"
        for doc in parse_toml(entry.read_text(encoding="utf-8"), where):
            if doc.playbook not in playbooks():
                raise InputError(f"{where}: {doc.key} names no shipped playbook {doc.playbook!r}")
            if doc.key in found:
                raise InputError(f"{where}: key {doc.key} is already shipped")
            found[doc.key] = doc
    return found


def to_toml(docs: list[TemplateDoc], header: str) -> str:
    """Templates as one TOML file of `[[templates]]`, each language a `[templates.he]` table
    and long texts as multi-line strings (what export writes and import reads)."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for doc in docs:
        data = doc.model_dump(exclude_none=True)
        lines += ["", "[[templates]]"]
        lines += [
            f"{k} = {toml_writer.toml_value(v)}" for k, v in data.items() if k not in LANGUAGES
        ]
        for language in doc.languages():
            lines += ["", f"[templates.{language}]"]
            lines += [f"{k} = {_string(v)}" for k, v in data[language].items()]
    return "\n".join(lines).lstrip("\n") + "\n"


def _string(text: str) -> str:
    """A TOML string: multi-line (readable in an editor) when the text has line breaks."""
    controls = any((ord(c) < 32 and c not in "\n\t") or c == "\x7f" for c in text)
    if "\n" not in text or controls:
        return toml_writer.toml_value(text)
    body = text.replace("\\", "\\\\").replace('"""', '""\\"')
    return '"""\n' + body + '"""'
