"""Builds forms/needs_survey.xlsx, the needs survey Musharaka ships, as an XLSForm.

Run ``python forms/build_needs_survey.py`` after changing anything below and commit the
script together with the .xlsx (a test checks that they match). The output is
byte-for-byte reproducible: fixed timestamps inside the workbook and its zip entries.

Programmes can also open the .xlsx in Excel/LibreOffice, change it, raise ``version``
in the settings sheet and load it with ``musharaka forms import``.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

# The district codes are the ones the demo seeds into storage.reference, so that the
# answer can also set the resident's district (users.district_code), which broadcasts use.
from demo.places import DISTRICTS

OUTPUT = Path(__file__).resolve().parent / "needs_survey.xlsx"
FIXED_MOMENT = "2026-01-01T00:00:00Z"
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)

LANGS = ("Arabic (ar)", "English (en)", "French (fr)")


def tr(ar: str, en: str, fr: str) -> dict[str, str]:
    return dict(zip(LANGS, (ar, en, fr), strict=True))


def cols(column: str, text: dict[str, str]) -> dict[str, str]:
    return {f"{column}::{lang}": value for lang, value in text.items()}


AGE_GROUPS = [
    ("15_24", "من ١٥ إلى ٢٤ سنة", "15 to 24", "15 à 24 ans"),
    ("25_34", "من ٢٥ إلى ٣٤ سنة", "25 to 34", "25 à 34 ans"),
    ("35_49", "من ٣٥ إلى ٤٩ سنة", "35 to 49", "35 à 49 ans"),
    ("50_64", "من ٥٠ إلى ٦٤ سنة", "50 to 64", "50 à 64 ans"),
    ("65_plus", "٦٥ سنة فما فوق", "65 or older", "65 ans et plus"),
]

GENDERS = [
    ("female", "امرأة", "Woman", "Femme"),
    ("male", "رجل", "Man", "Homme"),
    ("prefer_not", "أفضّل عدم الإجابة", "I prefer not to say", "Je préfère ne pas répondre"),
]

SECTORS = [
    ("health", "الصحة", "Health", "Santé"),
    ("education", "التعليم", "Education", "Éducation"),
    ("water_sanitation", "الماء والتطهير", "Water and sanitation", "Eau et assainissement"),
    ("electricity", "الكهرباء", "Electricity", "Électricité"),
    ("roads_transport", "الطرقات والنقل", "Roads and transport", "Routes et transport"),
    ("jobs_livelihoods", "التشغيل ومورد الرزق", "Jobs and livelihoods", "Emploi et revenus"),
    ("housing", "السكن", "Housing", "Logement"),
    (
        "environment",
        "البيئة والنظافة",
        "Environment and cleanliness",
        "Environnement et propreté",
    ),
    ("youth_sports", "الشباب والرياضة", "Youth and sports", "Jeunesse et sport"),
    ("women_empowerment", "تمكين المرأة", "Women's empowerment", "Autonomisation des femmes"),
    ("social_care", "الرعاية الاجتماعية", "Social care", "Protection sociale"),
    ("safety", "الأمن والسلامة", "Safety", "Sécurité"),
]

YES_NO = [
    ("yes", "نعم", "Yes", "Oui"),
    ("no", "لا", "No", "Non"),
]

SURVEY = [
    {
        "type": "note",
        "name": "intro",
        **cols(
            "label",
            tr(
                "يساعد هذا الاستبيان القصير (دقيقتان تقريبًا) البرنامج على تخطيط الخدمات في "
                "معتمديتك. إجاباتك سرّية، ولا تُنشر إلا أرقام مجمّعة لا تكشف هوية أحد.",
                "This short survey (about two minutes) helps the programme plan services in "
                "your district. Your answers are confidential: only combined figures that "
                "identify nobody are published.",
                "Ce court questionnaire (environ deux minutes) aide le programme à planifier "
                "les services dans votre délégation. Vos réponses sont confidentielles : seuls "
                "des chiffres globaux, qui ne permettent d'identifier personne, sont publiés.",
            ),
        ),
    },
    {
        "type": "select_one district",
        "name": "district",
        "required": "yes",
        **cols(
            "label",
            tr(
                "في أي معتمدية تسكن؟",
                "Which district do you live in?",
                "Dans quelle délégation habitez-vous ?",
            ),
        ),
    },
    {
        "type": "select_one age_group",
        "name": "age_group",
        "required": "yes",
        **cols("label", tr("ما هي فئتك العمرية؟", "How old are you?", "Quel âge avez-vous ?")),
    },
    {
        "type": "select_one gender",
        "name": "gender",
        **cols(
            "label",
            tr(
                "هل أنت امرأة أم رجل؟",
                "Are you a woman or a man?",
                "Êtes-vous une femme ou un homme ?",
            ),
        ),
        **cols(
            "hint",
            tr(
                "هذا السؤال اختياري، ويساعدنا على معرفة احتياجات النساء والرجال.",
                "This question is optional; it helps us see the needs of women and of men.",
                "Cette question est facultative ; elle nous aide à connaître les besoins des "
                "femmes et des hommes.",
            ),
        ),
    },
    {
        "type": "rank sectors",
        "name": "top_sectors",
        "required": "yes",
        "constraint": "count-selected(.) >= 1 and count-selected(.) <= 3",
        **cols(
            "label",
            tr(
                "ما هي القطاعات الأكثر أولوية في معتمديتك؟ اختر الأولوية الأولى، ثم الثانية، "
                "ثم الثالثة.",
                "Which sectors matter most in your district? Pick your first priority, then "
                "your second, then your third.",
                "Quels secteurs sont les plus prioritaires dans votre délégation ? Choisissez "
                "votre première priorité, puis la deuxième, puis la troisième.",
            ),
        ),
        **cols(
            "constraint_message",
            tr(
                "اختر من قطاع واحد إلى ثلاثة قطاعات.",
                "Choose from one to three sectors.",
                "Choisissez de un à trois secteurs.",
            ),
        ),
    },
    {
        "type": "text",
        "name": "specific_needs",
        "constraint": "string-length(.) <= 1000",
        **cols(
            "label",
            tr(
                "ما الذي ينقص بالتحديد في منطقتك؟",
                "What exactly is missing in your area?",
                "Qu'est-ce qui manque précisément dans votre quartier ou votre village ?",
            ),
        ),
        **cols(
            "hint",
            tr(
                "مثلًا: لا يوجد طبيب في المستوصف، أو الطريق إلى المدرسة غير معبّدة. يمكنك "
                "تخطّي هذا السؤال.",
                "For example: no doctor at the health centre, or the road to the school is not "
                "paved. You may skip this question.",
                "Par exemple : pas de médecin au dispensaire, ou la route de l'école n'est pas "
                "goudronnée. Vous pouvez passer cette question.",
            ),
        ),
        **cols(
            "constraint_message",
            tr(
                "من فضلك اكتب ١٠٠٠ حرف على الأكثر.",
                "Please write 1,000 characters at most.",
                "Veuillez écrire 1 000 caractères au maximum.",
            ),
        ),
    },
    {
        "type": "select_one yes_no",
        "name": "volunteer",
        "required": "yes",
        **cols(
            "label",
            tr(
                "هل تودّ التطوّع للمساعدة في مشاريع معتمديتك؟",
                "Would you volunteer to help with projects in your district?",
                "Souhaiteriez-vous être bénévole pour aider aux projets de votre délégation ?",
            ),
        ),
    },
]

CHOICE_LISTS = {
    "district": DISTRICTS,
    "age_group": AGE_GROUPS,
    "gender": GENDERS,
    "sectors": SECTORS,
    "yes_no": YES_NO,
}

SETTINGS = {
    "form_title": "Community needs survey — استبيان احتياجات المجتمع",
    "form_id": "needs_survey",
    "version": "2026112401",
    "default_language": "Arabic (ar)",
    "round": "2026",
    "one_per_resident": "yes",
}


def _write(sheet: object, rows: list[dict[str, str]]) -> None:
    header: list[str] = []
    for row in rows:
        header.extend(key for key in row if key not in header)
    sheet.append(header)  # type: ignore[attr-defined]
    for row in rows:
        sheet.append([row.get(key, "") for key in header])  # type: ignore[attr-defined]
    for cell in sheet[1]:  # type: ignore[index]
        cell.font = Font(bold=True)
    for column in sheet.columns:  # type: ignore[attr-defined]
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = 24 if letter > "B" else 22  # type: ignore[attr-defined]
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def build() -> bytes:
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    _write(survey, SURVEY)
    choices = [
        {"list_name": list_name, "name": code, **cols("label", tr(ar, en, fr))}
        for list_name, items in CHOICE_LISTS.items()
        for code, ar, en, fr in items
    ]
    _write(workbook.create_sheet("choices"), choices)
    _write(workbook.create_sheet("settings"), [SETTINGS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _reproducible(buffer.getvalue())


def _reproducible(data: bytes) -> bytes:
    """The same bytes on every build: fixed document dates and zip entry times."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + FIXED_MOMENT.encode() + rb"\g<3>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def main() -> int:
    data = build()
    if OUTPUT.exists() and OUTPUT.read_bytes() == data:
        print(f"{OUTPUT.name} is up to date")
        return 0
    OUTPUT.write_bytes(data)
    print(f"wrote {OUTPUT} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
