"""Every message in the code has an Arabic and a French translation, written in that language."""

from __future__ import annotations

from bot import i18n_catalogs
from bot.i18n import _, normalize_language, pgettext, translate, use_language


def test_every_message_is_translated_into_arabic_and_french() -> None:
    problems = [str(p) for p in i18n_catalogs.check()]
    assert problems == []


def test_a_message_two_catalogues_translate_differently_is_reported() -> None:
    """All catalogues of a language are merged at run time, so the last one read would win."""
    seen = {("ar", None, "Saved."): {("حُفظ.",): "broadcasts", ("تم الحفظ.",): "trainings"}}
    (problem,) = i18n_catalogs._conflicts(seen)
    assert problem.message == "Saved." and "broadcasts" in problem.what
    assert i18n_catalogs._conflicts({("ar", None, "Saved."): {("تم الحفظ.",): "x"}}) == []


def test_keep_it_agrees_with_what_is_kept_in_arabic() -> None:
    """A place in a training (مكان, masculine) and a session (جلسة, feminine)."""
    with use_language("ar"):
        assert _("No, keep it") == "لا، أبقِه"
        assert pgettext("session", "No, keep it") == "لا، أبقِها"


def test_every_file_with_messages_belongs_to_a_catalogue() -> None:
    assert i18n_catalogs.files_outside_domains() == []


def test_the_engine_speaks_the_language_it_was_told() -> None:
    with use_language("ar"):
        assert _("Open the menu") == "فتح القائمة"
    with use_language("fr"):
        assert _("Open the menu") == "Ouvrir le menu"
    assert translate("en", "Open the menu") == "Open the menu"


def test_telegram_language_codes_are_mapped_to_ours() -> None:
    assert normalize_language("ar-EG") == "ar"
    assert normalize_language("fr_FR") == "fr"
    assert normalize_language("de", default="en") == "en"
    assert normalize_language(None) == "ar"
