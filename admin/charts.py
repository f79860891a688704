"""Charts drawn on the server as inline SVG: no chart library, no script, no network.

Bars run from the reading side: right to left in Arabic, left to right otherwise. The
browser shapes the Arabic labels itself (SVG text is ordinary text). Every chart has a
title and a text alternative; the pages also show the same figures in a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 8
PALETTE = ("#0f6e62", "#c4651b", "#3d5a99", "#8a3c7c", "#5d7f1f", "#a3222a")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: hidden (too few people to show)
    text: str  # the value as shown next to the bar, e.g. "72.5" or "31 %"
    series: int = 0  # colour index, for bars of several kinds in one chart


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def horizontal_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    rtl: bool,
    max_value: float | None = None,
    hidden_text: str = "",
    width: int = 760,
    label_width: int = 230,
) -> Markup:
    """One bar per row, longest = ``max_value`` (default: the largest value)."""
    values = [b.value for b in bars if b.value is not None]
    top = max_value if max_value is not None else max(values, default=0.0)
    top = top or 1.0
    value_width = 70
    area = width - label_width - value_width - 16
    height = TOP * 2 + ROW_HEIGHT * max(1, len(bars))
    parts = [
        # direction="ltr": anchors are physical (the page's RTL would flip "end" otherwise);
        # Arabic words are still written right to left inside each label.
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'direction="ltr" class="{"rtl" if rtl else "ltr"}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for row, bar in enumerate(bars):
        y = TOP + row * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2 + 5
        label = escape(_truncate(bar.label, 34))
        colour = PALETTE[bar.series % len(PALETTE)]
        length = 0.0 if bar.value is None else max(0.0, bar.value) / top * area
        shown = escape(bar.text if bar.value is not None else hidden_text)
        if rtl:
            label_x = width - 4
            bar_end = width - label_width
            parts.append(f'<text x="{label_x}" y="{middle:.0f}" text-anchor="end">{label}</text>')
            if length:
                parts.append(
                    f'<rect x="{bar_end - length:.1f}" y="{y + 6}" width="{length:.1f}" '
                    f'height="{BAR_HEIGHT}" rx="2" fill="{colour}"/>'
                )
            parts.append(
                f'<text x="{bar_end - length - 6:.1f}" y="{middle:.0f}" text-anchor="end" '
                f'class="value">{shown}</text>'
            )
        else:
            bar_start = label_width
            parts.append(f'<text x="4" y="{middle:.0f}">{label}</text>')
            if length:
                parts.append(
                    f'<rect x="{bar_start}" y="{y + 6}" width="{length:.1f}" '
                    f'height="{BAR_HEIGHT}" rx="2" fill="{colour}"/>'
                )
            parts.append(
                f'<text x="{bar_start + length + 6:.1f}" y="{middle:.0f}" '
                f'class="value">{shown}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def heat_class(value: float | None, top: float = 100.0) -> str:
    """A CSS class heat-0 .. heat-5 for a table cell (the page's CSP forbids inline styles)."""
    if value is None:
        return "heat-none"
    step = min(5, max(0, int(value / (top or 1) * 6)))
    return f"heat-{step}"
