"""The post-mortem's charts as inline SVG: drawn the same by browsers and by WeasyPrint (no
script, no canvas), so the HTML download and the PDF show the same figures.

Each function is pure: figures in, an SVG string out. Every text in it is escaped and its bidi
controls shown as markers (`bidi.neutralise`); labels and titles arrive already translated.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from flarewatch.bidi import neutralise

WIDTH = 640
HEIGHT = 200
PAD_LEFT = 40
PAD_BOTTOM = 28
PAD_TOP = 12
COLOURS = {"negative": "#c0392b", "neutral": "#95a5a6", "positive": "#27ae60", "volume": "#2c6fbb"}


def _text(value: str) -> str:
    return escape(neutralise(value))


def _frame(title: str, body: list[str], height: int = HEIGHT) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" class="pm-chart" direction="ltr">'
        f"<title>{_text(title)}</title>" + "".join(body) + "</svg>"
    )


def _axis(top: int, labels: Sequence[tuple[int, str]], slots: int) -> list[str]:
    """The y axis' top figure and a few x labels (first, middle, last)."""
    base = HEIGHT - PAD_BOTTOM
    plot = WIDTH - PAD_LEFT - 8
    out = [
        f'<line x1="{PAD_LEFT}" y1="{base}" x2="{WIDTH - 8}" y2="{base}" stroke="#555"/>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{base}" stroke="#555"/>',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 8}" font-size="10" text-anchor="end">{top}</text>',
        f'<text x="{PAD_LEFT - 4}" y="{base}" font-size="10" text-anchor="end">0</text>',
    ]
    for index, label in labels:
        x = PAD_LEFT + plot * (index + 0.5) / max(slots, 1)
        out.append(
            f'<text x="{x:.1f}" y="{base + 16}" font-size="10" text-anchor="middle">'
            f"{_text(label)}</text>"
        )
    return out


def _tick_labels(labels: Sequence[str]) -> list[tuple[int, str]]:
    if not labels:
        return []
    picks = sorted({0, len(labels) // 2, len(labels) - 1})
    return [(i, labels[i]) for i in picks]


def volume_chart(
    counts: Sequence[int],
    labels: Sequence[str],
    title: str,
    *,
    baseline: float = 0.0,
    marks: Sequence[tuple[int, str]] = (),
) -> str:
    """Posts per interval as bars, the usual level as a dashed line, milestones as lines."""
    slots = max(len(counts), 1)
    top = max([*counts, int(baseline + 0.999), 1])
    base = HEIGHT - PAD_BOTTOM
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, base - PAD_TOP
    step = plot_w / slots
    body = _axis(top, _tick_labels(labels), slots)
    for i, count in enumerate(counts):
        h = plot_h * count / top
        body.append(
            f'<rect x="{PAD_LEFT + i * step:.1f}" y="{base - h:.1f}" '
            f'width="{max(step - 1, 0.5):.1f}" height="{h:.1f}" fill="{COLOURS["volume"]}"/>'
        )
    if baseline > 0:
        y = base - plot_h * baseline / top
        body.append(
            f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{WIDTH - 8}" y2="{y:.1f}" '
            'stroke="#e67e22" stroke-dasharray="4 3"/>'
        )
    for n, (index, name) in enumerate(marks):
        x = PAD_LEFT + (index + 0.5) * step
        # Each mark's label on its own line, so marks close in time stay readable.
        body.append(
            f'<line x1="{x:.1f}" y1="{PAD_TOP}" x2="{x:.1f}" y2="{base}" stroke="#333" '
            'stroke-dasharray="2 2"/>'
            f'<text x="{x + 2:.1f}" y="{PAD_TOP + 10 + 11 * n}" font-size="9" '
            f'fill="#333">{_text(name)}</text>'
        )
    return _frame(title, body)


def sentiment_chart(
    series: dict[str, Sequence[int]], labels: Sequence[str], title: str, names: dict[str, str]
) -> str:
    """Posts per interval stacked by sentiment (negative at the bottom), with a legend."""
    slots = max(len(labels), 1)
    totals = [
        sum(series.get(s, [0] * slots)[i] for s in COLOURS if s in series) for i in range(slots)
    ]
    top = max([*totals, 1])
    base = HEIGHT - PAD_BOTTOM
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, base - PAD_TOP
    step = plot_w / slots
    body = _axis(top, _tick_labels(labels), slots)
    for i in range(slots):
        y = float(base)
        for mood in ("negative", "neutral", "positive"):
            value = series.get(mood, [0] * slots)[i]
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            body.append(
                f'<rect x="{PAD_LEFT + i * step:.1f}" y="{y:.1f}" width="{max(step - 1, 0.5):.1f}"'
                f' height="{h:.1f}" fill="{COLOURS[mood]}"/>'
            )
    for n, mood in enumerate(("negative", "neutral", "positive")):
        x = PAD_LEFT + 10 + n * 110
        body.append(
            f'<rect x="{x}" y="{PAD_TOP}" width="10" height="10" fill="{COLOURS[mood]}"/>'
            f'<text x="{x + 14}" y="{PAD_TOP + 9}" font-size="10">{_text(names[mood])}</text>'
        )
    return _frame(title, body)


def platform_chart(rows: Sequence[tuple[str, int]], title: str) -> str:
    """Posts per platform as horizontal bars, the largest first, each with its count."""
    bar, gap, label_w = 16, 6, 110
    height = max(len(rows), 1) * (bar + gap) + PAD_TOP * 2
    top = max([count for _, count in rows] or [1])
    plot_w = WIDTH - label_w - 60
    colour = COLOURS["volume"]
    body: list[str] = []
    for n, (name, count) in enumerate(rows):
        y = PAD_TOP + n * (bar + gap)
        w = plot_w * count / top
        body.append(
            f'<text x="{label_w - 6}" y="{y + bar - 4}" font-size="11" text-anchor="end">'
            f"{_text(name)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + bar - 4}" font-size="11">{count}</text>'
        )
    return _frame(title, body, height)
