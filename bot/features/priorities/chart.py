"""The priority index as a bar chart (a PNG sent with /priorities)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from core.chart_text import chart_text
from core.formatting import display_digits
from core.i18n import _
from storage.priorities import SectorPriority

CHART_SECTORS = 8


def priority_chart(
    sectors: Sequence[SectorPriority], labels: dict[str, str], title: str, language: str
) -> bytes:
    """A horizontal bar chart of the priority index (PNG), highest priority on top."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    shown = [s for s in sectors if not s.suppressed and (s.naming or 0) > 0][:CHART_SECTORS]
    shown.reverse()  # barh draws the first bar at the bottom
    figure = Figure(figsize=(7.5, 0.5 * max(len(shown), 2) + 1.4), dpi=110)
    axes = figure.subplots()
    names = [chart_text(labels.get(s.code, s.code), language) for s in shown]
    values = [s.index or 0.0 for s in shown]
    bars = axes.barh(names, values, color="#2a7f62")
    rtl = language == "ar"
    for bar, value in zip(bars, values, strict=True):
        axes.text(
            bar.get_width() + 1,
            bar.get_y() + bar.get_height() / 2,
            display_digits(f"{value:g}", language),
            va="center",
            ha="right" if rtl else "left",  # just past the end of the bar
            fontsize=9,
        )
    axes.set_xlim(0, 110)
    axes.set_xlabel(chart_text(_("Priority index (100 = everyone's first choice)"), language))
    axes.set_title(chart_text(title, language), fontsize=11)
    for side in ("top", "left" if rtl else "right"):
        axes.spines[side].set_visible(False)
    if rtl:  # right to left: bars grow leftwards, labels on the right
        axes.invert_xaxis()
        axes.yaxis.tick_right()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()
