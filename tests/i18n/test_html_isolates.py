"""In HTML, our isolates are <bdi> elements; inside a tag they stay characters."""

from __future__ import annotations

from markupsafe import Markup

from flarewatch.bidi import FSI, PDI, isolate
from flarewatch.web.templating import env, isolates_as_bdi


def test_isolates_in_element_content_become_bdi_elements() -> None:
    sentence = Markup(f"Task #1 added: {isolate('הצהרה')} by {isolate('dana')}")
    assert isolates_as_bdi(sentence) == "Task #1 added: <bdi>הצהרה</bdi> by <bdi>dana</bdi>"
    nested = Markup(f"{FSI}a {FSI}b{PDI}{PDI}")
    assert isolates_as_bdi(nested) == "<bdi>a <bdi>b</bdi></bdi>"


def test_isolates_inside_a_tag_and_lone_ones_stay_characters() -> None:
    marker = Markup(f'<span title="code {FSI}U+202E{PDI}">x</span> {FSI}y')
    assert isolates_as_bdi(marker) == marker


def test_every_template_expression_of_ours_renders_bdi_and_user_controls_as_markers() -> None:
    template = env.from_string('<p>{{ said }}</p><p title="{{ said }}">{{ user }}</p>')
    said = Markup(f"Source {isolate('feed-00')} is failing")
    html = template.render(said=said, user="evil\u202egnp.exe")
    assert "<p>Source <bdi>feed-00</bdi> is failing</p>" in html
    assert f'title="Source {FSI}feed-00{PDI} is failing"' in html  # no tags in an attribute
    assert "\u202e" not in html and "⟦U+202E⟧" in html
