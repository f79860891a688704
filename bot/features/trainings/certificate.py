"""The certificate of attendance, drawn as a PNG (matplotlib), in the trainee's language."""

from __future__ import annotations

import io
from dataclasses import dataclass

from core.chart_text import chart_text
from core.i18n import _, current_language, pgettext

PAGE_INCHES = (11.69, 8.27)  # A4 landscape
DPI = 110
INK = "#1f3b57"
ACCENT = "#b08d2e"


@dataclass(frozen=True)
class CertificateText:
    participant: str
    course: str
    day: str
    hours: int
    place: str
    number: str
    gender: str = ""  # the registration's snapshot: Arabic agrees the verb with it


def _shape(text: str) -> str:
    return chart_text(text, current_language())


def certificate_png(details: CertificateText) -> bytes:
    """One page: title, the participant's name, the course, when and where, a number."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    figure = Figure(figsize=PAGE_INCHES, dpi=DPI)
    page = figure.add_axes((0, 0, 1, 1))
    page.set_axis_off()
    page.set_xlim(0, 1)
    page.set_ylim(0, 1)
    for inset, width, colour in ((0.025, 3.0, INK), (0.04, 1.2, ACCENT)):
        page.add_patch(
            Rectangle(
                (inset, inset * 1.4),
                1 - 2 * inset,
                1 - 2.8 * inset,
                fill=False,
                linewidth=width,
                edgecolor=colour,
            )
        )

    def line(y: float, text: str, size: float, colour: str = INK, weight: str = "normal") -> None:
        page.text(
            0.5, y, _shape(text), ha="center", va="center", fontsize=size, color=colour,
            fontweight=weight,
        )  # fmt: skip

    hours = _("{hours} hours of training").format(hours=details.hours) if details.hours else ""
    line(0.86, _("Musharaka — community-development programme"), 15, ACCENT)
    line(0.74, _("Certificate of attendance"), 34, weight="bold")
    line(0.62, _("This certifies that"), 16)
    line(0.53, details.participant, 30, weight="bold")
    attended = (
        pgettext("female", "attended the training")
        if details.gender == "female"
        else _("attended the training")
    )
    line(0.43, attended, 16)
    line(0.35, f"«{details.course}»", 22, weight="bold")
    line(0.26, " · ".join(p for p in (details.day, hours) if p), 14)
    line(0.20, details.place, 13)
    line(0.09, _("Certificate no. {number}").format(number=details.number), 10, ACCENT)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
