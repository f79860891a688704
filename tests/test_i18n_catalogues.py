"""Every message in the code has an Arabic and a French translation, written in that language."""

from __future__ import annotations

from core import catalogues as i18n_catalogs
from core.i18n import _, normalize_language, pgettext, translate, use_language


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


def test_arabic_counts_from_eleven_to_ninety_nine_take_the_accusative() -> None:
    """Arabic has six plural forms: 3–10 take the plural («٥ أشخاص»), 11–99 the singular
    accusative («١٥ شخصًا»), 100, 101, 102... the singular genitive («١٠٠ شخص»). All catalogues
    of a language are merged at run time and read with the first one's plural rule, so they
    must share it; and the form that rule picks for 15 must not lack the accusative's tanween
    (ً) that the form for 100 has (the two were swapped in some messages)."""
    import gettext

    from babel.messages.pofile import read_po

    rules, swapped = set(), []
    for path in sorted((i18n_catalogs.LOCALES_DIR / "ar" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="ar")
        rules.add(catalog.plural_expr.replace(" ", ""))
        plural = gettext.c2py(catalog.plural_expr)
        for message in catalog:
            forms = message.string if message.pluralizable else ()
            if len(forms) == 6 and forms[plural(100)].count("ً") > forms[plural(15)].count("ً"):
                swapped.append(f"{path.name}: 15 → {forms[plural(15)]}")
    assert len(rules) == 1, rules
    assert swapped == []
