"""`flarewatch tone check`: one flag a line, exit 1 with flags and 0 when clean."""

from __future__ import annotations

from typer.testing import CliRunner

from flarewatch.cli.main import app

runner = CliRunner()


def test_flags_print_one_a_line_and_exit_1() -> None:
    text = "No comment. The customer misused the heater."
    result = runner.invoke(app, ["tone", "check", "--language", "en", text])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert "Defensive or denial without facts" in lines[0] and "[0-10]" in lines[0]
    assert "No comment" in lines[0] and "Give the facts" in lines[0]
    assert "Blame-shifting" in lines[1] and "the customer misused" in lines[1].lower()


def test_a_clean_draft_exits_0_and_prints_nothing() -> None:
    text = "We are sorry for the delay. Refunds go out today."
    result = runner.invoke(app, ["tone", "check", "--language", "en", text])
    assert result.exit_code == 0 and result.output == ""


def test_language_is_detected_when_left_out() -> None:
    hebrew = runner.invoke(app, ["tone", "check", "אין תגובה בשלב זה מצד החברה."])
    assert hebrew.exit_code == 1 and "התגוננות או הכחשה בלי עובדות" in hebrew.output
    polish = runner.invoke(app, ["tone", "check", "Bez komentarza, to są fałszywe oskarżenia."])
    assert polish.exit_code == 1 and "Postawa obronna" in polish.output


def test_a_draft_without_letters_uses_the_english_wording() -> None:
    result = runner.invoke(app, ["tone", "check", "--require", "apology", "😡 123"])
    assert result.exit_code == 1 and "No apology" in result.output


def test_platform_length_and_stage() -> None:
    long = runner.invoke(app, ["tone", "check", "-l", "en", "--platform", "x", "a " * 141])
    assert long.exit_code == 1 and "Too long" in long.output and "280" in long.output
    fits = runner.invoke(app, ["tone", "check", "-l", "en", "--platform", "x", "a " * 140])
    assert fits.exit_code == 0
    stage = runner.invoke(
        app, ["tone", "check", "-l", "pl", "--stage", "containment", "Prąd wrócił."]
    )
    assert stage.exit_code == 1
    assert "Brak kolejnego kroku" in stage.output and "Brak terminu" in stage.output
    required = runner.invoke(
        app, ["tone", "check", "-l", "en", "--require", "apology", "Power is back."]
    )
    assert required.exit_code == 1 and "No apology" in required.output


def test_text_from_standard_input() -> None:
    result = runner.invoke(app, ["tone", "check", "-l", "en", "-"], input="Fake news.\n")
    assert result.exit_code == 1 and "Fake news" in result.output


def test_bad_options_exit_2_with_what_to_use() -> None:
    cases = [
        (["--platform", "myspace", "hi"], "--platform 'myspace': use one of x, bluesky"),
        (["--language", "de", "hallo"], "--language 'de': use one of en, he, pl"),
        (["--stage", "panic", "hi"], "stage 'panic': use one of containment"),
        (["--require", "sorry", "hi"], "requirement sorry: use one or more of apology"),
        (["   "], "the draft is empty"),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["tone", "check", *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)


def test_help_names_the_language_detection() -> None:
    result = runner.invoke(app, ["tone", "check", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "detected from the text" in result.output and "sms" in result.output
