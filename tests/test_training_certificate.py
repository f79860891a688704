"""The certificate image: a real PNG in each language, the Arabic verb agreeing with the
trainee's gender as recorded at registration."""

from __future__ import annotations

from bot.features.trainings.certificate import CertificateText, certificate_png
from core.i18n import use_language

DETAILS = CertificateText(
    participant="أمل بن صالح",
    course="التخطيط الاستراتيجي للجمعيات",
    day="الثلاثاء، 8 ديسمبر 2026",
    hours=12,
    place="فرع القصرين",
    number="2026-000123",
    gender="female",
)


def test_the_certificate_is_an_image_in_every_language_and_agrees_with_gender() -> None:
    images = {}
    for language in ("ar", "en", "fr"):
        with use_language(language):
            images[language] = certificate_png(DETAILS)
            assert images[language].startswith(b"\x89PNG\r\n\x1a\n")
    assert len(set(images.values())) == 3
    with use_language("ar"):
        his = certificate_png(CertificateText(**{**DETAILS.__dict__, "gender": "male"}))
    assert his != images["ar"]  # "قد حضر" instead of "قد حضرت"
    with use_language("en"):
        assert (
            certificate_png(CertificateText(**{**DETAILS.__dict__, "gender": "male"}))
            == (images["en"])
        )  # English has one form
