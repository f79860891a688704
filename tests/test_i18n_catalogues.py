"""Every message in the code has an Arabic and a French translation, written in that language."""

from __future__ import annotations

from bot import i18n_catalogs
from bot.i18n import _, normalize_language, translate, use_language


def test_every_message_is_translated_into_arabic_and_french() -> None:
    problems = [str(p) for p in i18n_catalogs.check()]
    assert problems == []


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
