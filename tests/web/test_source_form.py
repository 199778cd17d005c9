"""The form built from a kind's schema: widgets per type, reading a submitted form back, and
keys the form cannot hold keeping their stored values."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, Field

from flarewatch.web import source_form
from flarewatch.web.source_form import form_fields, kept_values, read_form


class _Options(BaseModel):
    name: str = Field(min_length=1, description="A name")
    count: int = Field(default=3, ge=1, le=9)
    ratio: float | None = None
    flag: bool = True
    mode: Literal["a", "b"] = "a"
    words: list[str] = Field(default_factory=list)
    numbers: list[int] = Field(default_factory=list)
    headers: dict[str, str] = Field(default_factory=dict)


@pytest.fixture
def kind(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(source_form, "schema_of", lambda kind: _Options.model_json_schema())
    return "example"


def test_each_type_gets_its_widget(kind: str) -> None:
    fields = {f.name: f for f in form_fields(kind)}
    assert {name: f.widget for name, f in fields.items()} == {
        "name": "text",
        "count": "integer",
        "ratio": "number",
        "flag": "checkbox",
        "mode": "select",
        "words": "lines",
        "numbers": "unsupported",
        "headers": "unsupported",
    }
    assert fields["name"].required and fields["name"].description == "A name"
    assert (fields["count"].minimum, fields["count"].maximum, fields["count"].default) == (1, 9, 3)
    assert fields["mode"].choices == ("a", "b")


def test_reading_the_form_back(kind: str) -> None:
    form, table = read_form(
        kind,
        {
            "key": " k ",
            "every": "",
            "name": " x ",
            "count": "7",
            "ratio": "oops",
            "mode": "b",
            "words": "one\r\n\r\n two \n",
            "headers": "ignored",
        },
    )
    assert table == {
        "kind": kind,
        "key": "k",
        "enabled": False,
        "name": "x",
        "count": 7,
        "ratio": "oops",  # left as typed, so that the model says what is wrong with it
        "flag": False,
        "mode": "b",
        "words": ["one", "two"],
    }
    assert form.values["words"] == "one\r\n\r\n two \n"  # shown again as typed
    stored = {"headers": {"X-A": "1"}, "numbers": [1, 2], "name": "old"}
    assert kept_values(form, stored) == {"headers": {"X-A": "1"}, "numbers": [1, 2]}
