"""Arabic in chart images is shaped exactly once: by matplotlib when it can, by us otherwise."""

from __future__ import annotations

import pytest

from core import chart_text as module

WORD = "الصحة"


def test_arabic_is_left_to_matplotlib_when_it_lays_out_arabic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(module, "matplotlib_lays_out_arabic", lambda: True)
    assert module.chart_text(WORD, "ar") == WORD


def test_arabic_is_joined_and_reversed_for_an_older_matplotlib(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(module, "matplotlib_lays_out_arabic", lambda: False)
    shaped = module.chart_text(WORD, "ar")
    assert shaped != WORD
    assert shaped[0] in "ﺔﺎﻪة"  # visual order: the word's last letter comes first
    assert module.chart_text("Health", "en") == "Health"
