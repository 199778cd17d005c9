"""The on-call editor's forms as workspace-file entries and back (oncall/forms.py, pure)."""

from __future__ import annotations

from flarewatch.oncall import forms
from flarewatch.oncall.config import RotaConfig


def test_a_rota_form_round_trips_and_a_layer_without_members_is_dropped() -> None:
    rota = RotaConfig.model_validate(
        {
            "key": "duty",
            "timezone": "Asia/Jerusalem",
            "handover": "sun 09:00",
            "members": ["dana", "piotr"],
            "layers": [{"members": ["noa"], "days": ["fri", "sat"], "hours": "18:00-09:00"}],
        }
    ).model_dump(mode="json")
    values = forms.rota_values(rota)
    assert values["members"] == ["dana, piotr"] and values["layer_days"] == ["fri, sat"]
    entry = forms.rota_entry(values)
    again = RotaConfig.model_validate(entry).model_dump(mode="json")
    assert again == rota
    values["layer_members"] = [""]  # cleared: the layer goes
    assert forms.rota_entry(values)["layers"] == []
    spare = forms.rows(forms.rota_values(rota), "layer", forms.LAYER_FIELDS)
    assert len(spare) == 2 and spare[1] == dict.fromkeys(forms.LAYER_FIELDS, "")


def test_masked_contact_lines_keep_the_stored_urls() -> None:
    stored = ["tgram://123456:SECRET/777", "ntfy://dana"]

    def mask(url: str) -> str:
        return url.split("://")[0] + "://…" + url[-3:]

    form = {
        "key": ["dana"],
        "timezone": [""],
        "notify": [f"{mask(stored[1])}\n  \nmailto://dana@agency.example\n"],
    }
    entry = forms.person_entry(form, stored, mask)
    assert entry == {"key": "dana", "notify": ["ntfy://dana", "mailto://dana@agency.example"]}


def test_a_policy_form_leaves_empty_fields_to_the_defaults() -> None:
    form = {
        "severity": ["crisis"],
        "remind_minutes": [""],
        "step_notify": ["rota:duty", "", "route:slack"],
        "step_wait_minutes": ["10", "", ""],
        "step_repeat": ["", "", "3"],
    }
    assert forms.policy_entry(form) == {
        "severity": "crisis",
        "steps": [
            {"notify": "rota:duty", "wait_minutes": "10"},
            {"notify": "route:slack", "repeat": "3"},
        ],
    }
