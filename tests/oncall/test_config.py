"""The on-call tables of a workspace file: loaded as written, and every mistake named with its
line and fix by `workspace check`."""

from __future__ import annotations

from datetime import date

from flarewatch.config.workspace import check_workspace_text
from tests.oncall.conftest import ONCALL_WORKSPACE


def _problems(text: str) -> list[str]:
    return [p.describe() for p in check_workspace_text(text).problems]


def test_the_issue_example_loads() -> None:
    config = check_workspace_text(ONCALL_WORKSPACE).config_or_raise()
    assert [p.key for p in config.people] == ["dana", "piotr", "noa"]
    rota = config.rotas[0]
    assert (rota.rotation, rota.handover, rota.start) == ("weekly", "sun 09:00", date(2026, 11, 29))
    assert rota.handover_at()[0] == 6  # Sunday
    crisis = config.escalation[0]
    assert [s.notify for s in crisis.steps] == ["rota:duty", "person:noa", "route:comms-slack"]
    assert [(s.wait_minutes, s.repeat) for s in crisis.steps] == [(10, 1), (15, 1), (5, 3)]
    assert config.holidays_country == "IL"


def test_unknown_names_are_reported_with_their_line() -> None:
    text = ONCALL_WORKSPACE.replace('"dana", "piotr", "noa"]', '"dana", "zed"]').replace(
        'notify = "person:noa"', 'notify = "person:nobody"'
    )
    problems = _problems(text)
    assert any(
        "rotas[0].members[1]" in p and "'zed' is not one of the people" in p and "line 31" in p
        for p in problems
    ), problems
    assert any(
        "escalation[0].steps[1].notify" in p and "there is no person 'nobody'" in p
        for p in problems
    ), problems


def test_a_route_step_needs_a_named_route() -> None:
    problems = _problems(ONCALL_WORKSPACE.replace('name = "comms-slack"\n', ""))
    assert any("no route 'comms-slack'" in p and "name = " in p for p in problems), problems


def test_bad_fields_each_say_how_to_fix_them() -> None:
    text = (
        ONCALL_WORKSPACE.replace('handover = "sun 09:00"', 'handover = "09:00"')
        .replace('timezone = "Europe/Warsaw"', 'timezone = "Mars/Olympus"')
        .replace('holidays_country = "IL"', 'holidays_country = "XX"')
        .replace('notify = "rota:duty", wait_minutes = 30', 'notify = "team:duty"')
    )
    problems = "\n".join(_problems(text))
    assert "weekly rotation hands over on a day at a time, e.g. handover = 'sun 09:00'" in problems
    assert "unknown timezone 'Mars/Olympus'" in problems
    assert "no public holidays are known for 'XX'" in problems
    assert "'team:duty' names no one; write 'rota:KEY', 'person:KEY' or 'route:NAME'" in problems


def test_one_policy_per_severity_and_working_hours_within_a_day() -> None:
    text = ONCALL_WORKSPACE.replace('severity = "warning"', 'severity = "crisis"').replace(
        'holidays_country = "IL"', 'holidays_country = "IL"\nworking_hours = "18:00-09:00"'
    )
    problems = "\n".join(_problems(text))
    duplicate = "escalation[1].severity: a policy for 'crisis' is already given in escalation[0]"
    assert duplicate in problems
    assert "working_hours: '18:00-09:00' runs past midnight" in problems


def test_overrides_need_a_known_person_and_an_end_after_the_start() -> None:
    text = ONCALL_WORKSPACE + (
        '\n[[rotas.overrides]]\nperson = "ghost"\nstart = 2026-12-24T18:00:00\n'
        "end = 2026-12-24T09:00:00\n"
    )
    problems = "\n".join(_problems(text))
    assert "rotas[0].overrides[0].person: 'ghost' is not one of the people" in problems
    assert "is not after start" in problems


def test_a_person_needs_a_contact_method() -> None:
    text = ONCALL_WORKSPACE.replace('notify = ["ntfy://piotr-alerts"]', "notify = []")
    assert any("people[1].notify" in p for p in _problems(text))


def test_the_on_call_tables_survive_an_export_round_trip() -> None:
    # `workspace export` writes the stored configuration back with the TOML writer.
    from flarewatch.config.toml_writer import to_toml

    text = ONCALL_WORKSPACE.replace(
        "start = 2026-11-29",
        "start = 2026-11-29\nlayers = [{ members = ['piotr'], days = ['fri'] }]\n"
        'overrides = [{ person = "noa", start = 2026-12-24T18:00:00, end = 2026-12-26T09:00:00 }]',
    )
    config = check_workspace_text(text).config_or_raise()
    again = check_workspace_text(to_toml(config.model_dump(mode="json"))).config_or_raise()
    assert again == config


def test_a_person_reads_pages_in_their_language() -> None:
    from flarewatch.alerts.routing import notification_language

    text = ONCALL_WORKSPACE.replace(
        'notify = ["ntfy://piotr-alerts"]', 'notify = ["ntfy://piotr-alerts"]\nlanguage = "pl"'
    )
    config = check_workspace_text(text).config_or_raise()
    stored = config.model_dump(mode="json")
    # Piotr's contact method gets Polish; everyone else the workspace's first language.
    assert notification_language(stored, ["he", "en"], "ntfy://piotr-alerts") == "pl"
    assert notification_language(stored, ["he", "en"], "console") == "he"
    wrong = text.replace('language = "pl"', 'language = "de"')
    assert any("people[1].language" in p and "en, he, pl" in p for p in _problems(wrong))


def test_reminders_must_come_before_the_acknowledgement_lapses() -> None:
    import pytest
    from pydantic import ValidationError

    from flarewatch.oncall.config import EscalationPolicyConfig

    steps = [{"notify": "person:dana"}]
    with pytest.raises(ValidationError, match="must be shorter than unacknowledge_minutes"):
        EscalationPolicyConfig.model_validate(
            {
                "severity": "crisis",
                "steps": steps,
                "remind_minutes": 60,
                "unacknowledge_minutes": 60,
            }
        )
    policy = EscalationPolicyConfig.model_validate(
        {"severity": "crisis", "steps": steps, "remind_minutes": 30, "unacknowledge_minutes": 120}
    )
    assert (policy.remind_minutes, policy.unacknowledge_minutes, policy.ack_link_hours) == (
        30,
        120,
        24,
    )
