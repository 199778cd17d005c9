"""The source form: its fields built from a kind's JSON schema (`registry.schema_of`), the
submitted form turned back into a `[[sources]]` table, and the validation errors of the same
`SourceConfig` model that checks workspace files, each attached to its field.

Nothing here knows a kind by name, so a new connector gets its form for free; its Options
fields' `description=` become the help texts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from flarewatch.config.workspace import OPTIONS_ERROR, SLUG_RE, SourceConfig, validation_message
from flarewatch.i18n.labels import N_
from flarewatch.sources.registry import options_model, schema_of

# The keys every kind has; the kind's own fields follow them on the form.
COMMON_FIELDS = ("key", "kind", "platform", "every", "enabled")
FORM_ERROR = "_form"  # an error that belongs to no single field
# "unsupported": a key whose type a form field cannot hold (a table, a list of numbers); it is
# shown with a pointer to the workspace file and keeps its stored value.
WIDGETS = ("text", "integer", "number", "checkbox", "lines", "select", "unsupported")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# The form's own messages are translated where they are shown (the models' are English).
KEY_MISSING = N_("required: a short name such as 'news-feed'")
KEY_FORMAT = N_("use lower-case letters, digits and dashes, e.g. 'news-feed'")


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of a kind's own keys, as its schema describes it."""

    name: str
    widget: str  # one of WIDGETS
    required: bool = False
    default: Any = None
    description: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def names_a_credential(self) -> bool:
        """`token_env` and the like hold the NAME of a variable, never the secret itself."""
        return self.name.endswith("_env")


@dataclass(slots=True)
class SourceForm:
    """The values to show (as the form sends them) and the errors per field."""

    kind: str
    fields: list[FormField]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def _resolved(prop: Mapping[str, Any], defs: Mapping[str, Any]) -> Mapping[str, Any]:
    """`X | None` (anyOf with null) as X, and a `$ref` as what it names."""
    options = [p for p in prop.get("anyOf", ()) if p.get("type") != "null"]
    if len(options) == 1:
        prop = {**prop, **options[0]}
    ref = prop.get("$ref")
    if isinstance(ref, str):
        prop = {**prop, **defs.get(ref.rsplit("/", 1)[-1], {})}
    return prop


def _widget(prop: Mapping[str, Any]) -> str:
    if "enum" in prop:
        return "select"
    kind = prop.get("type")
    if kind == "boolean":
        return "checkbox"
    if kind == "integer":
        return "integer"
    if kind == "number":
        return "number"
    if kind == "array":
        items = prop.get("items", {})
        return "lines" if items.get("type", "string") == "string" else "unsupported"
    if kind == "object":
        return "unsupported"
    return "text"


def form_fields(kind: str) -> list[FormField]:
    """The kind's own keys in the order its Options model declares them."""
    schema = schema_of(kind)
    defs = schema.get("$defs", {})
    required = set(schema.get("required", ()))
    fields: list[FormField] = []
    for name, raw in schema.get("properties", {}).items():
        prop = _resolved(raw, defs)
        fields.append(
            FormField(
                name=name,
                widget=_widget(prop),
                required=name in required,
                default=raw.get("default"),
                description=raw.get("description") or prop.get("description"),
                minimum=prop.get("minimum"),
                maximum=prop.get("maximum"),
                choices=tuple(str(c) for c in prop.get("enum", ())),
            )
        )
    return fields


def values_of(config: Mapping[str, Any], fields: list[FormField]) -> dict[str, Any]:
    """A stored `[[sources]]` table as the form shows it (lists one item per line)."""
    values: dict[str, Any] = {
        "key": config.get("key", ""),
        "platform": config.get("platform") or "",
        "every": "" if config.get("every") is None else str(config["every"]),
        "enabled": bool(config.get("enabled", True)),
    }
    for spec in fields:
        value = config.get(spec.name, spec.default)
        if spec.widget == "lines":
            values[spec.name] = "\n".join(str(v) for v in value or ())
        elif spec.widget == "checkbox":
            values[spec.name] = bool(value)
        else:
            values[spec.name] = "" if value is None else str(value)
    return values


def blank_form(kind: str) -> SourceForm:
    fields = form_fields(kind)
    return SourceForm(kind, fields, values_of({}, fields))


def _number(text: str, integer: bool) -> int | float | str:
    """The number typed, or the text itself so that the model says what is wrong with it."""
    try:
        return int(text) if integer else float(text)
    except ValueError:
        return text


def read_form(kind: str, submitted: Mapping[str, str]) -> tuple[SourceForm, dict[str, Any]]:
    """The form as submitted and the `[[sources]]` table it stands for (empty fields left out,
    so the kind's defaults apply). A checkbox that is not sent is off."""
    fields = form_fields(kind)
    form = SourceForm(kind, fields)
    table: dict[str, Any] = {"kind": kind}
    for name in ("key", "platform", "every"):
        text = submitted.get(name, "").strip()
        form.values[name] = text
        if text:
            table[name] = text
    form.values["enabled"] = table["enabled"] = "enabled" in submitted
    for spec in fields:
        if spec.widget == "unsupported":
            continue
        if spec.widget == "checkbox":
            form.values[spec.name] = table[spec.name] = spec.name in submitted
            continue
        text = submitted.get(spec.name, "")
        form.values[spec.name] = text
        if spec.widget == "lines":
            items = [line.strip() for line in _LINE_BREAK.split(text) if line.strip()]
            if items:
                table[spec.name] = items
        elif text.strip():
            if spec.widget in ("integer", "number"):
                table[spec.name] = _number(text.strip(), spec.widget == "integer")
            else:
                table[spec.name] = text.strip()
    return form, table


def kept_values(form: SourceForm, stored: Mapping[str, Any]) -> dict[str, Any]:
    """The stored values of the keys the form cannot edit, so that saving keeps them."""
    return {
        spec.name: stored[spec.name]
        for spec in form.fields
        if spec.widget == "unsupported" and spec.name in stored
    }


def validate(form: SourceForm, table: dict[str, Any]) -> SourceConfig | None:
    """The table as the workspace file's model reads it, or None with the form's errors set."""
    key = table.get("key", "")
    if not key:
        form.add_error("key", KEY_MISSING)
    elif not SLUG_RE.match(key):
        form.add_error("key", KEY_FORMAT)
    doc = f"docs/sources.md#{form.kind}"
    # The kind's own fields are checked on their own too: the model skips them when a common
    # key (e.g. `every`) is already wrong, and every error should show at once.
    options = {name: value for name, value in table.items() if name not in COMMON_FIELDS}
    try:
        options_model(form.kind).model_validate(options)
    except ValidationError as err:
        for error in err.errors():
            loc = error["loc"]
            form.add_error(str(loc[0]) if loc else FORM_ERROR, validation_message(error, doc))
    try:
        # A stand-in key when it is missing, so that nothing else is skipped.
        config = SourceConfig(**{**table, "key": key or "new-source"})
    except ValidationError as err:
        for error in err.errors():
            if error["type"] != OPTIONS_ERROR and error["loc"]:
                form.add_error(str(error["loc"][0]), validation_message(error, doc))
        return None
    return None if form.errors else config
