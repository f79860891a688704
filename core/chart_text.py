"""Arabic text for matplotlib images (priority charts, certificates).

Matplotlib 3.11 and newer lay Arabic out themselves when built with libraqm: letters
joined, words right to left. Older builds draw letters unjoined and left to right, so
there the text is shaped with arabic-reshaper and put in visual order with python-bidi.
Doing both garbles it, hence the check.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def matplotlib_lays_out_arabic() -> bool:
    from matplotlib import ft2font

    return hasattr(ft2font, "__libraqm_version__")


def chart_text(text: str, language: str) -> str:
    """``text`` ready to hand to matplotlib in ``language``."""
    if language != "ar" or matplotlib_lays_out_arabic():
        return text
    import arabic_reshaper
    from bidi.algorithm import get_display

    return str(get_display(arabic_reshaper.reshape(text)))
