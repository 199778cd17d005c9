"""The bidi neutraliser: no raw control survives, everything else is left as written."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from flarewatch.bidi import (
    BIDI_CONTROL_RE,
    BIDI_CONTROLS,
    FSI,
    PDI,
    control_marker,
    isolate,
    neutralise,
)
from flarewatch.web.templating import _html_state, bidi_text, env

CONTROLS = sorted(BIDI_CONTROLS)
with_controls = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(CONTROLS), st.sampled_from("אבגשלום"))
)
without_controls = st.text(alphabet=st.characters(blacklist_characters=CONTROLS))


@given(with_controls)
def test_no_raw_control_survives_and_each_is_shown(text: str) -> None:
    out = neutralise(text)
    assert BIDI_CONTROL_RE.search(out) is None
    for char in set(text) & set(CONTROLS):
        assert control_marker(char) in out
    assert neutralise(out) == out


@given(without_controls)
def test_text_without_controls_is_unchanged(text: str) -> None:
    assert neutralise(text) == text
    assert isolate(text) == f"{FSI}{text}{PDI}"


@given(with_controls)
def test_an_isolate_holds_only_our_own_controls(text: str) -> None:
    out = isolate(text)
    assert out.startswith(FSI) and out.endswith(PDI)
    assert BIDI_CONTROL_RE.search(out[1:-1]) is None


def test_the_reported_spoof() -> None:
    assert neutralise("evil\u202egnp.exe") == "evil⟦U+202E⟧gnp.exe"
    assert neutralise("שלום עולם, hello") == "שלום עולם, hello"  # right-to-left letters stay


@given(with_controls)
def test_every_template_expression_is_filtered(text: str) -> None:
    html = env.from_string('<p title="{{ v }}">{{ v }}</p><textarea>{{ v }}</textarea>').render(
        v=text, gettext=None
    )
    assert BIDI_CONTROL_RE.search(html) is None


def test_markup_and_non_strings_pass_and_html_state_is_tracked() -> None:
    assert bidi_text(Markup("<b>\u2068x\u2069</b>")) == Markup("<b>\u2068x\u2069</b>")
    assert bidi_text(5) == 5
    assert _html_state('<a href="', False, "", None) == (True, "a", None)
    assert _html_state('">x<textarea name="q">', True, "a", None) == (False, "textarea", "textarea")
    assert _html_state("</textarea><p>", False, "textarea", "textarea")[2] is None
