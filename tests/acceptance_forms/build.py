"""Builds the twelve acceptance XLSForms beside this file (and the CSV files they attach).

The forms are written to the shapes of published household and needs-assessment forms
(REACH/WFP multi-sector needs assessments, WASH and food-security modules, shelter/NFI,
livelihoods, health access, key-informant and market monitoring forms), in Arabic and
English, as a programme officer fills the spreadsheet for KoBoToolbox or ODK Collect.
tests/test_acceptance_forms.py imports each with ``musharaka forms import`` and answers it
to the end in both languages.

Run ``python -m tests.acceptance_forms.build`` after changing anything below and commit the
script with the files (a test checks that they match). The output is byte-for-byte
reproducible.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms.build_needs_survey import _reproducible
from tests.support.xlsforms import xlsform_bytes

HERE = Path(__file__).resolve().parent
AR, EN = "Arabic (ar)", "English (en)"
Row = dict[str, Any]


def label(en: str, ar: str) -> Row:
    return {f"label::{EN}": en, f"label::{AR}": ar}


def hint(en: str, ar: str) -> Row:
    return {f"hint::{EN}": en, f"hint::{AR}": ar}


def check(constraint: str, en: str, ar: str) -> Row:
    return {
        "constraint": constraint,
        f"constraint_message::{EN}": en,
        f"constraint_message::{AR}": ar,
    }


def choices(list_name: str, *items: tuple[Any, ...]) -> list[Row]:
    """(name, English, Arabic[, {other columns}]) -> choices-sheet rows."""
    rows = []
    for item in items:
        row: Row = {"list_name": list_name, "name": item[0], **label(item[1], item[2])}
        if len(item) > 3:
            row.update(item[3])
        rows.append(row)
    return rows


def settings(form_id: str, title: str, version: str) -> Row:
    return {
        "form_id": form_id,
        "form_title": title,
        "version": version,
        "default_language": EN,
    }


YES_NO = choices("yes_no", ("yes", "Yes", "نعم"), ("no", "No", "لا"))


@dataclass(frozen=True)
class AcceptanceForm:
    form_id: str
    what: str  # what the form exercises, for the README and the test ids
    survey: list[Row]
    choices: list[Row]
    settings: Row
    media: dict[str, str] = field(default_factory=dict)  # attached file name -> CSV text

    @property
    def xlsx(self) -> Path:
        return HERE / f"{self.form_id}.xlsx"

    @property
    def media_dir(self) -> Path:
        return HERE / f"{self.form_id}-media"

    def choice_label(self, list_name: str, name: str, language: str) -> str:
        column = f"label::{AR if language == 'ar' else EN}"
        for row in self.choices:
            if row["list_name"] == list_name and row["name"] == name:
                return str(row[column])
        raise KeyError(f"{list_name}/{name}")


# --- 1. Multi-sector needs assessment (REACH/WFP MSNA): the household roster ----------------

MSNA = AcceptanceForm(
    "msna_household",
    "household roster repeat counted by ${hh_size}, age/sex/education per member, "
    "sum() and count() over the roster, select_multiple with a count-selected() limit",
    [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {"type": "today", "name": "today"},
        {
            "type": "select_one yes_no",
            "name": "consent",
            "required": "yes",
            **label(
                '<span style="color:#d9534f">**Consent.**</span> Do you agree to take part '
                "in this needs assessment?",
                '<span style="color:#d9534f">**الموافقة.**</span> هل توافق على المشاركة في '
                "هذا التقييم للاحتياجات؟",
            ),
        },
        {
            "type": "begin_group",
            "name": "hh",
            "relevant": "${consent} = 'yes'",
            **label("Household", "الأسرة"),
        },
        {
            "type": "integer",
            "name": "hh_size",
            "required": "yes",
            **label(
                "How many people live in this household, including you?",
                "كم عدد الأشخاص الذين يعيشون في هذه الأسرة، بمن فيهم أنت؟",
            ),
            **hint(
                "Count everyone who ate from the same pot last night.",
                "احسب كل من أكل من القِدر نفسه الليلة الماضية.",
            ),
            **check(
                ". >= 1 and . <= 15",
                "A household has between 1 and 15 people.",
                "يتراوح عدد أفراد الأسرة بين 1 و15 شخصًا.",
            ),
        },
        {
            "type": "begin_repeat",
            "name": "roster",
            "repeat_count": "${hh_size}",
            **label("Member", "الفرد"),
        },
        {
            "type": "text",
            "name": "m_name",
            "required": "yes",
            **label("First name of this member?", "ما الاسم الأول لهذا الفرد؟"),
        },
        {
            "type": "select_one sex",
            "name": "m_sex",
            "required": "yes",
            **label("Is ${m_name} male or female?", "هل ${m_name} ذكر أم أنثى؟"),
        },
        {
            "type": "integer",
            "name": "m_age",
            "required": "yes",
            **label("How old is ${m_name} (years)?", "كم عمر ${m_name} (بالسنوات)؟"),
            **check(
                ". >= 0 and . <= 110",
                "The age of ${m_name} must be between 0 and 110 years.",
                "يجب أن يكون عمر ${m_name} بين 0 و110 سنوات.",
            ),
        },
        {
            "type": "select_one edu",
            "name": "m_edu",
            "required": "yes",
            "relevant": "${m_age} >= 6",
            **label(
                "Highest level of education ${m_name} completed?",
                "ما أعلى مستوى تعليمي أتمّه ${m_name}؟",
            ),
        },
        {"type": "calculate", "name": "m_child", "calculation": "if(${m_age} < 18, 1, 0)"},
        {"type": "end_repeat", "name": ""},
        {"type": "calculate", "name": "n_members", "calculation": "count(${m_name})"},
        {"type": "calculate", "name": "n_children", "calculation": "sum(${m_child})"},
        {"type": "calculate", "name": "n_women", "calculation": "count(${m_sex}[. = 'female'])"},
        {"type": "end_group", "name": ""},
        {
            "type": "select_multiple needs",
            "name": "priority_needs",
            "required": "yes",
            "relevant": "${consent} = 'yes'",
            **label(
                "What are the household's most pressing needs? (up to 3)",
                "ما أكثر احتياجات الأسرة إلحاحًا؟ (3 على الأكثر)",
            ),
            **check(
                "count-selected(.) <= 3",
                "Please choose at most 3 needs.",
                "يُرجى اختيار 3 احتياجات على الأكثر.",
            ),
        },
        {
            "type": "note",
            "name": "summary",
            "relevant": "${consent} = 'yes'",
            **label(
                "${n_members} members, ${n_children} under 18, ${n_women} women or girls.",
                "${n_members} أفراد، منهم ${n_children} دون 18 سنة و${n_women} نساء أو فتيات.",
            ),
        },
    ],
    [
        *YES_NO,
        *choices("sex", ("female", "Female", "أنثى"), ("male", "Male", "ذكر")),
        *choices(
            "edu",
            ("none", "None", "بلا تعليم"),
            ("primary", "Primary", "ابتدائي"),
            ("secondary", "Secondary", "ثانوي"),
            ("university", "University", "جامعي"),
        ),
        *choices(
            "needs",
            ("food", "Food", "الغذاء"),
            ("water", "Drinking water", "مياه الشرب"),
            ("shelter", "Shelter", "المأوى"),
            ("health", "Health care", "الرعاية الصحية"),
            ("education", "Education", "التعليم"),
            ("cash", "Cash", "المال النقدي"),
        ),
    ],
    settings("msna_household", "Multi-sector needs assessment 2026", "2026110101"),
)


# --- 2. WASH household survey: water-source cascade, constraints --------------------------

WASH = AcceptanceForm(
    "wash_household",
    "water-source cascade (choice_filter on the source category), constraints with messages, "
    "decimal and integer limits, a read-only water-per-person figure worked out",
    [
        {
            "type": "integer",
            "name": "hh_size",
            "required": "yes",
            **label("How many people live in the household?", "كم عدد أفراد الأسرة؟"),
            **check(". >= 1 and . <= 30", "Between 1 and 30 people.", "بين 1 و30 شخصًا."),
        },
        {"type": "begin_group", "name": "water", **label("Drinking water", "مياه الشرب")},
        {
            "type": "select_one source_cat",
            "name": "source_cat",
            "required": "yes",
            **label(
                "What kind of source does your drinking water come from?",
                "من أي نوع من المصادر تأتي مياه الشرب لديكم؟",
            ),
        },
        {
            "type": "select_one source",
            "name": "source",
            "required": "yes",
            "choice_filter": "cat = ${source_cat}",
            **label("Which source exactly?", "ما المصدر بالتحديد؟"),
        },
        {
            "type": "integer",
            "name": "minutes",
            "required": "yes",
            "relevant": "${source} != 'piped_dwelling'",
            **label(
                "How many minutes does a round trip to fetch water take?",
                "كم دقيقة تستغرق رحلة جلب الماء ذهابًا وإيابًا؟",
            ),
            **hint("Going there, queueing and coming back.", "الذهاب والانتظار والعودة."),
            **check(
                ". >= 0 and . <= 600",
                "A round trip takes between 0 and 600 minutes.",
                "تستغرق الرحلة بين 0 و600 دقيقة.",
            ),
        },
        {
            "type": "decimal",
            "name": "litres",
            "required": "yes",
            **label(
                "How many litres did the household use yesterday?", "كم لترًا استهلكت الأسرة أمس؟"
            ),
            **check(
                ". > 0 and . <= 2000",
                "Please give between 0 and 2000 litres.",
                "يُرجى إدخال كمية بين 0 و2000 لتر.",
            ),
        },
        {
            "type": "decimal",  # shown read-only in Collect: worked out, never typed
            "name": "lpcd",
            "read_only": "yes",
            "calculation": "round(${litres} div ${hh_size}, 1)",
            **label("Litres per person per day", "عدد اللترات لكل شخص في اليوم"),
        },
        {
            "type": "select_one yes_no",
            "name": "treats",
            "required": "yes",
            **label("Do you treat the water before drinking it?", "هل تعالجون الماء قبل شربه؟"),
        },
        {
            "type": "select_multiple treatment",
            "name": "treatment",
            "required": "yes",
            "relevant": "${treats} = 'yes'",
            **label("How do you treat it?", "كيف تعالجونه؟"),
        },
        {"type": "end_group", "name": ""},
        {
            "type": "select_one latrine",
            "name": "latrine",
            "required": "yes",
            **label(
                "What toilet facility does the household use?",
                "ما نوع المرحاض الذي تستخدمه الأسرة؟",
            ),
        },
        {
            "type": "calculate",
            "name": "improved",
            "calculation": "if(${source_cat} = 'improved', 'yes', 'no')",
        },
    ],
    [
        *YES_NO,
        *choices(
            "source_cat",
            ("improved", "Improved (piped, protected)", "محسّن (شبكة، محمي)"),
            ("unimproved", "Unimproved", "غير محسّن"),
        ),
        *choices(
            "source",
            ("piped_dwelling", "Piped into the dwelling", "شبكة داخل المسكن", {"cat": "improved"}),
            ("public_tap", "Public tap", "حنفية عمومية", {"cat": "improved"}),
            ("protected_well", "Protected well", "بئر محمية", {"cat": "improved"}),
            ("unprotected_well", "Unprotected well", "بئر غير محمية", {"cat": "unimproved"}),
            ("surface", "River, dam or canal", "نهر أو سد أو قناة", {"cat": "unimproved"}),
            ("truck", "Water truck", "صهريج", {"cat": "unimproved"}),
        ),
        *choices(
            "treatment",
            ("boil", "Boiling", "الغلي"),
            ("chlorine", "Chlorine", "الكلور"),
            ("filter", "Filter", "المصفاة"),
        ),
        *choices(
            "latrine",
            ("flush", "Flush toilet", "مرحاض بالدفق"),
            ("pit", "Pit latrine", "مرحاض حفرة"),
            ("open", "None (open air)", "لا شيء (في العراء)"),
        ),
    ],
    settings("wash_household", "WASH household survey", "2026092001"),
)


# --- 3. Food security: FCS and rCSI with calculated scores --------------------------------

FCS_GROUPS = [
    ("fcs_cereals", "cereals, bread or potatoes", "الحبوب أو الخبز أو البطاطا", 2),
    ("fcs_pulses", "beans, lentils or chickpeas", "الفول أو العدس أو الحمّص", 3),
    ("fcs_veg", "vegetables or leaves", "الخضروات أو الأوراق", 1),
    ("fcs_fruit", "fruit", "الفاكهة", 1),
    ("fcs_meat", "meat, fish or eggs", "اللحم أو السمك أو البيض", 4),
    ("fcs_dairy", "milk or other dairy", "الحليب أو مشتقاته", 4),
    ("fcs_sugar", "sugar or sweets", "السكر أو الحلويات", 0.5),
    ("fcs_oil", "oil, fat or butter", "الزيت أو الدهون أو الزبدة", 0.5),
]
RCSI = [
    ("rcsi_less_pref", "rely on less preferred, cheaper food",
     "الاعتماد على طعام أقل تفضيلًا وأرخص", 1),
    ("rcsi_borrow", "borrow food or rely on help from friends",
     "اقتراض الطعام أو الاعتماد على مساعدة الأصدقاء", 2),
    ("rcsi_portion", "limit portion size at meals", "تقليص حجم الحصص في الوجبات", 1),
    ("rcsi_adults", "restrict adults' eating so children can eat",
     "تقليل أكل الكبار ليأكل الأطفال", 3),
    ("rcsi_meals", "reduce the number of meals a day", "تقليل عدد الوجبات في اليوم", 1),
]  # fmt: skip
DAYS = check(". >= 0 and . <= 7", "A week has 0 to 7 days.", "يتراوح عدد أيام الأسبوع بين 0 و7.")


def _fcs_rows() -> list[Row]:
    rows: list[Row] = [
        {"type": "begin_group", "name": "fcs",
         **label("Food eaten in the last 7 days", "الطعام المتناول خلال الأيام السبعة الماضية")},
    ]  # fmt: skip
    for name, en, ar, _weight in FCS_GROUPS:
        rows.append(
            {
                "type": "integer",
                "name": name,
                "required": "yes",
                **label(
                    f"On how many of the last 7 days did the household eat {en}?",
                    f"في كم يومًا من الأيام السبعة الماضية تناولت الأسرة {ar}؟",
                ),
                **DAYS,
            }
        )
    rows.append({"type": "end_group", "name": ""})
    rows.append(
        {"type": "calculate", "name": "fcs_score",
         "calculation": " + ".join(f"${{{n}}} * {w}" for n, _e, _a, w in FCS_GROUPS)}
    )  # fmt: skip
    rows.append(
        {"type": "calculate", "name": "fcs_cat",
         "calculation": "if(${fcs_score} <= 21, 'poor', if(${fcs_score} <= 35, 'borderline', "
                        "'acceptable'))"}
    )  # fmt: skip
    rows.append(
        {"type": "begin_group", "name": "rcsi",
         **label("In the last 7 days, on how many days did the household have to…",
                 "خلال الأيام السبعة الماضية، في كم يومًا اضطرت الأسرة إلى…")}
    )  # fmt: skip
    for name, en, ar, _weight in RCSI:
        rows.append(
            {"type": "integer", "name": name, "required": "yes",
             **label(f"…{en}?", f"…{ar}؟"), **DAYS}
        )  # fmt: skip
    rows.append({"type": "end_group", "name": ""})
    rows.append(
        {"type": "calculate", "name": "rcsi_score",
         "calculation": " + ".join(f"${{{n}}} * {w}" for n, _e, _a, w in RCSI)}
    )  # fmt: skip
    rows.append(
        {"type": "note", "name": "scores",
         **label("Food consumption score: ${fcs_score} (${fcs_cat}); reduced coping index: "
                 "${rcsi_score}.",
                 "درجة الاستهلاك الغذائي: ${fcs_score} (${fcs_cat})؛ مؤشر استراتيجيات التكيّف: "
                 "${rcsi_score}.")}
    )  # fmt: skip
    return rows


FOOD = AcceptanceForm(
    "food_security",
    "WFP food consumption score (8 food groups, weighted) and reduced coping strategies "
    "index, calculated scores and a category shown back in a note",
    _fcs_rows(),
    [],
    settings("food_security", "Food security module (FCS / rCSI)", "2026100501"),
)


# --- 4. Shelter / NFI assessment: photos and a geopoint ------------------------------------

SHELTER = AcceptanceForm(
    "shelter_nfi",
    "shelter damage with a photo asked only when damaged, an optional second photo, "
    "geopoint (shared location or typed), NFI select_multiple and quantities",
    [
        {
            "type": "select_one shelter_type",
            "name": "shelter_type",
            "required": "yes",
            **label(
                "What type of shelter does the household live in?",
                "في أي نوع من المأوى تعيش الأسرة؟",
            ),
        },
        {
            "type": "select_one damage",
            "name": "damage",
            "required": "yes",
            **label("How damaged is the shelter?", "ما مدى الضرر الذي لحق بالمأوى؟"),
        },
        {
            "type": "image",
            "name": "damage_photo",
            "required": "yes",
            "relevant": "${damage} != 'none'",
            **label("Take a photo of the main damage.", "التقط صورة للضرر الرئيسي."),
        },
        {
            "type": "image",
            "name": "outside_photo",
            **label(
                "A photo of the shelter from outside, if possible.",
                "صورة للمأوى من الخارج إن أمكن.",
            ),
        },
        {
            "type": "geopoint",
            "name": "location",
            "required": "yes",
            **label("Where is the shelter?", "أين يقع المأوى؟"),
        },
        {
            "type": "integer",
            "name": "rooms",
            "required": "yes",
            **label("How many rooms can be used for sleeping?", "كم غرفة يمكن استخدامها للنوم؟"),
            **check(". >= 0 and . <= 20", "Between 0 and 20 rooms.", "بين 0 و20 غرفة."),
        },
        {
            "type": "select_multiple nfi",
            "name": "nfi_missing",
            "required": "yes",
            **label("Which of these items does the household lack?", "أيّ هذه المواد تنقص الأسرة؟"),
        },
        {
            "type": "integer",
            "name": "blankets",
            "required": "yes",
            "relevant": "selected(${nfi_missing}, 'blankets')",
            **label("How many blankets are needed?", "كم بطانية تحتاجون؟"),
            **check(". >= 1 and . <= 20", "Between 1 and 20 blankets.", "بين 1 و20 بطانية."),
        },
    ],
    [
        *choices(
            "shelter_type",
            ("house", "House or flat", "منزل أو شقة"),
            ("tent", "Tent", "خيمة"),
            ("collective", "Collective centre", "مركز إيواء جماعي"),
        ),
        *choices(
            "damage",
            ("none", "No damage", "لا ضرر"),
            ("light", "Light", "طفيف"),
            ("heavy", "Heavy", "كبير"),
            ("destroyed", "Destroyed", "مدمَّر"),
        ),
        *choices(
            "nfi",
            ("blankets", "Blankets", "البطانيات"),
            ("mattresses", "Mattresses", "الفرش"),
            ("kitchen", "Kitchen set", "أدوات المطبخ"),
            ("heater", "Heater", "المدفأة"),
        ),
    ],
    settings("shelter_nfi", "Shelter and NFI assessment", "2026111501"),
)


# --- 5. Livelihoods and income: or_other, select_multiple, relevant -------------------------

LIVELIHOODS = AcceptanceForm(
    "livelihoods",
    "select_one … or_other with pyxform's specify-other question, select_multiple with an "
    "exclusive 'none', relevant on an answer, decimal income and debt",
    [
        {
            "type": "select_one income_source or_other",
            "name": "main_income",
            "required": "yes",
            **label(
                "What was the household's main source of income last month?",
                "ما المصدر الرئيسي لدخل الأسرة في الشهر الماضي؟",
            ),
        },
        {
            "type": "decimal",
            "name": "income",
            "required": "yes",
            "relevant": "${main_income} != 'none'",
            **label(
                "How much did the household earn last month (dinars)?",
                "كم كسبت الأسرة في الشهر الماضي (بالدينار)؟",
            ),
            **check(
                ". > 0 and . < 100000",
                "Please give an amount above 0 and below 100000.",
                "يُرجى إدخال مبلغ أكبر من 0 وأقل من 100000.",
            ),
        },
        {
            "type": "select_multiple assets",
            "name": "assets",
            "required": "yes",
            **label(
                "Which productive assets does the household own?",
                "ما الأصول الإنتاجية التي تملكها الأسرة؟",
            ),
            **check(
                "not(selected(., 'none') and count-selected(.) > 1)",
                "'None' cannot be chosen with other assets.",
                "لا يمكن اختيار «لا شيء» مع أصول أخرى.",
            ),
        },
        {
            "type": "integer",
            "name": "livestock",
            "required": "yes",
            "relevant": "selected(${assets}, 'livestock')",
            **label("How many head of livestock?", "كم رأسًا من الماشية؟"),
        },
        {
            "type": "select_one yes_no",
            "name": "debt",
            "required": "yes",
            **label("Does the household have debts?", "هل على الأسرة ديون؟"),
        },
        {
            "type": "decimal",
            "name": "debt_amount",
            "required": "yes",
            "relevant": "${debt} = 'yes'",
            **label("How much does the household owe (dinars)?", "كم تدين الأسرة (بالدينار)؟"),
        },
        {
            "type": "select_multiple debt_reason",
            "name": "debt_reason",
            "relevant": "${debt} = 'yes'",
            **label("Why did you borrow?", "لماذا اقترضتم؟"),
        },
    ],
    [
        *YES_NO,
        *choices(
            "income_source",
            ("agriculture", "Agriculture", "الفلاحة"),
            ("daily_labour", "Daily labour", "العمل اليومي"),
            ("salary", "Salaried job", "وظيفة بأجر"),
            ("trade", "Small trade", "تجارة صغيرة"),
            ("none", "No income", "لا دخل"),
        ),
        *choices(
            "assets",
            ("land", "Farm land", "أرض فلاحية"),
            ("livestock", "Livestock", "الماشية"),
            ("tools", "Tools", "أدوات العمل"),
            ("none", "None", "لا شيء"),
        ),
        *choices(
            "debt_reason",
            ("food", "To buy food", "لشراء الطعام"),
            ("health", "Health costs", "مصاريف العلاج"),
            ("rent", "Rent", "الإيجار"),
        ),
    ],
    settings("livelihoods", "Livelihoods and income", "2026090101"),
)


# --- 6. Health access: a field-list group, date and dateTime -------------------------------

HEALTH = AcceptanceForm(
    "health_access",
    "a field-list group asked one question at a time under its heading, group-level "
    "relevant, date with a not-in-the-future constraint, dateTime and time",
    [
        {
            "type": "select_one yes_no",
            "name": "ill",
            "required": "yes",
            **label(
                "Was anyone in the household ill in the last 30 days?",
                "هل مرض أحد أفراد الأسرة خلال الثلاثين يومًا الماضية؟",
            ),
        },
        {
            "type": "begin_group",
            "name": "episode",
            "appearance": "field-list",
            "relevant": "${ill} = 'yes'",
            **label("The last illness", "آخر مرض"),
        },
        {
            "type": "date",
            "name": "ill_date",
            "required": "yes",
            **label("When did it start?", "متى بدأ؟"),
            **check(
                ". <= today()",
                "The date cannot be in the future.",
                "لا يمكن أن يكون التاريخ في المستقبل.",
            ),
        },
        {
            "type": "select_one yes_no",
            "name": "sought_care",
            "required": "yes",
            **label("Did the person seek care?", "هل طلب الشخص العلاج؟"),
        },
        {
            "type": "select_one facility",
            "name": "facility",
            "required": "yes",
            "relevant": "${sought_care} = 'yes'",
            **label("Where?", "أين؟"),
        },
        {
            "type": "datetime",
            "name": "seen_at",
            "required": "yes",
            "relevant": "${sought_care} = 'yes'",
            **label("When were they seen by a health worker?", "متى فحصه عامل صحي؟"),
        },
        {
            "type": "select_one barrier",
            "name": "barrier",
            "required": "yes",
            "relevant": "${sought_care} = 'no'",
            **label("Why not?", "لماذا لا؟"),
        },
        {"type": "end_group", "name": ""},
        {
            "type": "time",
            "name": "clinic_opens",
            **label("At what time does the nearest clinic open?", "في أي ساعة يفتح أقرب مركز صحي؟"),
        },
        {
            "type": "integer",
            "name": "travel_cost",
            "required": "yes",
            **label(
                "How much does the trip to the clinic cost (dinars)?",
                "كم تكلّف الرحلة إلى المركز الصحي (بالدينار)؟",
            ),
            **check(". >= 0 and . <= 500", "Between 0 and 500 dinars.", "بين 0 و500 دينار."),
        },
    ],
    [
        *YES_NO,
        *choices(
            "facility",
            ("public", "Public health centre", "مركز صحة عمومي"),
            ("hospital", "Hospital", "مستشفى"),
            ("private", "Private clinic", "عيادة خاصة"),
        ),
        *choices(
            "barrier",
            ("cost", "Too expensive", "مكلف جدًا"),
            ("distance", "Too far", "بعيد جدًا"),
            ("no_staff", "No staff", "لا يوجد طاقم"),
        ),
    ],
    settings("health_access", "Health access", "2026102001"),
)


# --- 7. Community needs key-informant interview: villages from a CSV, pulldata --------------

VILLAGE_PREFIXES = [
    ("Bir", "بئر"), ("Ain", "عين"), ("Sidi", "سيدي"), ("Douar", "دوار"), ("Hay", "حي"),
    ("Oued", "وادي"), ("Menzel", "منزل"), ("Ksar", "قصر"), ("Borj", "برج"), ("Ras", "رأس"),
]  # fmt: skip
VILLAGE_NAMES = [
    ("Ez-Zitoun", "الزيتون"), ("En-Nakhil", "النخيل"), ("El-Amal", "الأمل"),
    ("Es-Salam", "السلام"), ("El-Khadra", "الخضراء"), ("En-Nour", "النور"),
    ("El-Jadida", "الجديدة"), ("El-Kebir", "الكبير"), ("Es-Saghir", "الصغير"),
    ("El-Fatha", "الفتح"), ("El-Hamra", "الحمراء"), ("El-Baida", "البيضاء"),
    ("Er-Rimel", "الرمال"), ("El-Ouahat", "الواحات"), ("Ej-Jebel", "الجبل"),
    ("El-Hana", "الهناء"), ("Er-Rabiaa", "الربيع"), ("El-Karama", "الكرامة"),
    ("El-Wifak", "الوفاق"), ("El-Izz", "العزّ"), ("El-Manar", "المنار"),
    ("El-Menzah", "المنزه"), ("El-Mourouj", "المروج"), ("Ez-Zohour", "الزهور"),
    ("Es-Sanabel", "السنابل"), ("El-Yasmine", "الياسمين"), ("El-Ghadir", "الغدير"),
    ("El-Marsa", "المرسى"), ("El-Qalaa", "القلعة"), ("El-Hidhab", "الهضاب"),
    ("El-Basatin", "البساتين"), ("El-Moustakbal", "المستقبل"),
]  # fmt: skip


def villages_csv() -> str:
    lines = ["name,label::English (en),label::Arabic (ar),population,delegation"]
    for i, (prefix_en, prefix_ar) in enumerate(VILLAGE_PREFIXES):
        for j, (name_en, name_ar) in enumerate(VILLAGE_NAMES):
            code = f"v{i:02d}{j:02d}"
            population = 300 + 37 * i + 113 * j
            lines.append(
                f"{code},{prefix_en} {name_en},{prefix_ar} {name_ar},{population},d{j % 4}"
            )
    return "\n".join(lines) + "\n"


KEY_INFORMANT = AcceptanceForm(
    "community_needs_ki",
    "select_one_from_file villages.csv (320 villages, type-to-search with Arabic folding), "
    "pulldata() of the village's population, select_multiple priorities, free text",
    [
        {
            "type": "select_one ki_role",
            "name": "ki_role",
            "required": "yes",
            **label("What is your role in the community?", "ما دورك في المجتمع المحلي؟"),
        },
        {
            "type": "select_one_from_file villages.csv",
            "name": "village",
            "required": "yes",
            **label("Which village do you speak for?", "عن أي قرية تتحدث؟"),
        },
        {
            "type": "calculate",
            "name": "population",
            "calculation": "pulldata('villages', 'population', 'name', ${village})",
        },
        {
            "type": "calculate",
            "name": "village_name",
            "calculation": "jr:choice-name(${village}, '${village}')",
        },
        {
            "type": "integer",
            "name": "households",
            "required": "yes",
            **label(
                "About how many households live in ${village_name} (${population} people "
                "on our list)?",
                "كم أسرة تقريبًا تعيش في ${village_name} (${population} نسمة في قائمتنا)؟",
            ),
            **check(
                ". >= 1 and . <= ${population}",
                "There cannot be more households than the ${population} people on our list.",
                "لا يمكن أن يفوق عدد الأسر عدد السكان في قائمتنا (${population} نسمة).",
            ),
        },
        {
            "type": "select_multiple sectors",
            "name": "priorities",
            "required": "yes",
            **label("Which services are most lacking?", "ما الخدمات الأكثر نقصًا؟"),
        },
        {
            "type": "text",
            "name": "comments",
            **label(
                "Anything else the programme should know?",
                "هل هناك شيء آخر ينبغي أن يعرفه البرنامج؟",
            ),
        },
    ],
    [
        *choices(
            "ki_role",
            ("leader", "Community leader", "قائد مجتمعي"),
            ("teacher", "Teacher", "مدرّس"),
            ("health", "Health worker", "عامل صحي"),
            ("imam", "Imam", "إمام"),
        ),
        *choices(
            "sectors",
            ("water", "Water", "الماء"),
            ("roads", "Roads", "الطرقات"),
            ("school", "School", "المدرسة"),
            ("clinic", "Clinic", "المستوصف"),
            ("jobs", "Jobs", "فرص العمل"),
        ),
    ],
    settings("community_needs_ki", "Community needs: key informant", "2026111001"),
    media={"villages.csv": villages_csv()},
)


# --- 8. Governorate -> delegation -> sector: a three-level cascade --------------------------

ADMIN_AREAS = AcceptanceForm(
    "admin_cascade",
    "three-level governorate → delegation → sector cascade through choice_filter, "
    "an integer limited by a constraint",
    [
        {
            "type": "select_one governorate",
            "name": "governorate",
            "required": "yes",
            **label("Governorate", "الولاية"),
        },
        {
            "type": "select_one delegation",
            "name": "delegation",
            "required": "yes",
            "choice_filter": "governorate = ${governorate}",
            **label("Delegation", "المعتمدية"),
        },
        {
            "type": "select_one sector",
            "name": "sector",
            "required": "yes",
            "choice_filter": "delegation = ${delegation}",
            **label("Sector (imada)", "العمادة"),
        },
        {
            "type": "integer",
            "name": "families",
            "required": "yes",
            **label(
                "How many families were displaced into this sector?",
                "كم عائلة نزحت إلى هذه العمادة؟",
            ),
            **check(". >= 0 and . <= 5000", "Between 0 and 5000 families.", "بين 0 و5000 عائلة."),
        },
    ],
    [
        *choices(
            "governorate",
            ("kasserine", "Kasserine", "القصرين"),
            ("sidi_bouzid", "Sidi Bouzid", "سيدي بوزيد"),
        ),
        *choices(
            "delegation",
            ("kas_north", "Kasserine North", "القصرين الشمالية", {"governorate": "kasserine"}),
            ("sbeitla", "Sbeitla", "سبيطلة", {"governorate": "kasserine"}),
            ("regueb", "Regueb", "الرقاب", {"governorate": "sidi_bouzid"}),
            ("meknassy", "Meknassy", "المكناسي", {"governorate": "sidi_bouzid"}),
        ),
        *choices(
            "sector",
            ("ezzouhour", "Ezzouhour", "الزهور", {"delegation": "kas_north"}),
            ("bouzguem", "Bouzguem", "بوزقام", {"delegation": "kas_north"}),
            ("sbeitla_west", "Sbeitla West", "سبيطلة الغربية", {"delegation": "sbeitla"}),
            ("el_khadra", "El Khadra", "الخضراء", {"delegation": "sbeitla"}),
            ("regueb_east", "Regueb East", "الرقاب الشرقية", {"delegation": "regueb"}),
            ("essaada", "Essaada", "السعادة", {"delegation": "regueb"}),
            ("meknassy_south", "Meknassy South", "المكناسي الجنوبية", {"delegation": "meknassy"}),
        ),
    ],
    settings("admin_cascade", "Displacement by sector", "2026110501"),
)


# --- 9. Youth / volunteer skills: ranking by repeated selects -------------------------------

SKILLS = [
    ("first_aid", "First aid", "الإسعافات الأولية"),
    ("teaching", "Teaching and tutoring", "التدريس والدعم المدرسي"),
    ("it", "Computers", "الإعلامية"),
    ("building", "Building and repairs", "البناء والإصلاح"),
    ("cooking", "Cooking", "الطبخ"),
]

YOUTH = AcceptanceForm(
    "youth_skills",
    "ranking by repeated select_one questions whose choice_filter leaves out the skills "
    "already picked, an age range constraint, a phone number checked by regex()",
    [
        {
            "type": "integer",
            "name": "age",
            "required": "yes",
            **label("How old are you?", "كم عمرك؟"),
            **check(
                ". >= 15 and . <= 35",
                "This programme is for people aged 15 to 35.",
                "هذا البرنامج للأشخاص بين 15 و35 سنة.",
            ),
        },
        {
            "type": "select_one skill",
            "name": "skill_1",
            "required": "yes",
            **label("Which skill are you best at?", "ما المهارة التي تجيدها أكثر؟"),
        },
        {
            "type": "select_one skill",
            "name": "skill_2",
            "required": "yes",
            "choice_filter": "name != ${skill_1}",
            **label("And second best?", "وفي المرتبة الثانية؟"),
        },
        {
            "type": "select_one skill",
            "name": "skill_3",
            "choice_filter": "name != ${skill_1} and name != ${skill_2}",
            **label("And third?", "وفي المرتبة الثالثة؟"),
        },
        {
            "type": "select_multiple days",
            "name": "days",
            "required": "yes",
            **label("Which days can you volunteer?", "في أي أيام يمكنك التطوع؟"),
        },
        {
            "type": "text",
            "name": "phone",
            "required": "yes",
            **label("A phone number we can call you on?", "رقم هاتف يمكننا الاتصال بك عليه؟"),
            **check(
                "regex(., '^[0-9]{8}$')",
                "Please type the 8 digits of the number.",
                "يُرجى كتابة أرقام الهاتف الثمانية.",
            ),
        },
    ],
    [
        *choices("skill", *SKILLS),
        *choices(
            "days",
            ("weekdays", "Weekdays", "أيام الأسبوع"),
            ("saturday", "Saturday", "السبت"),
            ("sunday", "Sunday", "الأحد"),
        ),
    ],
    settings("youth_skills", "Youth volunteer skills", "2026100101"),
)


# --- 10. Market price monitoring: a repeat per item, range ----------------------------------

MARKET = AcceptanceForm(
    "market_prices",
    "a repeat counted by count-selected() of the items found, the item named in each "
    "instance by selected-at() and jr:choice-name(), prices with constraints, range buttons",
    [
        {
            "type": "text",
            "name": "market",
            "required": "yes",
            **label("Name of the market?", "اسم السوق؟"),
        },
        {
            "type": "select_multiple item",
            "name": "items",
            "required": "yes",
            **label("Which of these items are on sale today?", "أيّ هذه المواد معروضة للبيع اليوم؟"),
        },
        {
            "type": "begin_repeat",
            "name": "prices",
            "repeat_count": "count-selected(${items})",
            **label("Item", "المادة"),
        },
        {
            "type": "calculate",
            "name": "item",
            "calculation": "selected-at(${items}, position(..) - 1)",
        },
        {
            "type": "calculate",
            "name": "item_name",
            "calculation": "jr:choice-name(${item}, '${items}')",
        },
        {
            "type": "decimal",
            "name": "price",
            "required": "yes",
            **label(
                "Price of ${item_name} (dinars per kg or litre)?",
                "سعر ${item_name} (بالدينار للكيلوغرام أو اللتر)؟",
            ),
            **check(
                ". > 0 and . <= 200",
                "A price above 0 and at most 200 dinars.",
                "سعر أكبر من 0 ولا يتجاوز 200 دينار.",
            ),
        },
        {
            "type": "range",
            "name": "availability",
            "required": "yes",
            "parameters": "start=1 end=5 step=1",
            **label(
                "How easy is ${item_name} to find (1 scarce, 5 plentiful)?",
                "ما مدى توفّر ${item_name} (1 نادر، 5 متوفر بكثرة)؟",
            ),
        },
        {"type": "end_repeat", "name": ""},
        {"type": "calculate", "name": "n_prices", "calculation": "count(${price})"},
        {"type": "calculate", "name": "max_price", "calculation": "max(${price})"},
    ],
    [
        *choices(
            "item",
            ("bread", "Bread", "الخبز"),
            ("oil", "Vegetable oil", "الزيت النباتي"),
            ("sugar", "Sugar", "السكر"),
            ("lentils", "Lentils", "العدس"),
            ("tomatoes", "Tomatoes", "الطماطم"),
        ),
    ],
    settings("market_prices", "Market price monitoring", "2026112001"),
)


# --- 11. Community priorities: note, acknowledge, trigger, ${var} in labels -----------------

PRIORITIES = AcceptanceForm(
    "community_priorities",
    "an opening note, acknowledge (consent), trigger, ${var} in labels and hints, "
    "a closing note that becomes the thank-you",
    [
        {
            "type": "note",
            "name": "intro",
            **label(
                "This discussion collects what the community needs most.",
                "يجمع هذا النقاش ما يحتاجه المجتمع المحلي أكثر من غيره.",
            ),
        },
        {
            "type": "acknowledge",
            "name": "consent",
            "required": "yes",
            **label(
                "I agree that the group's answers are recorded.", "أوافق على تسجيل إجابات المجموعة."
            ),
        },
        {
            "type": "text",
            "name": "community",
            "required": "yes",
            **label("Name of the community or neighbourhood?", "اسم المجتمع المحلي أو الحي؟"),
            **check(
                "string-length(.) >= 3",
                "Please type at least 3 letters.",
                "يُرجى كتابة 3 أحرف على الأقل.",
            ),
        },
        {
            "type": "integer",
            "name": "participants",
            "required": "yes",
            **label(
                "How many people take part in the discussion in ${community}?",
                "كم شخصًا يشارك في النقاش في ${community}؟",
            ),
            **hint(
                "Count the people present in ${community} now.",
                "احسب الحاضرين في ${community} الآن.",
            ),
            **check(
                ". >= 2 and . <= 60",
                "A group discussion has 2 to 60 people.",
                "يضم نقاش المجموعة من 2 إلى 60 شخصًا.",
            ),
        },
        {
            "type": "trigger",
            "name": "read_list",
            **label(
                "Read the list of sectors aloud to the group, then press OK.",
                "اقرأ قائمة القطاعات على المجموعة بصوت عالٍ، ثم اضغط حسنًا.",
            ),
        },
        {
            "type": "select_one sector",
            "name": "top_sector",
            "required": "yes",
            **label(
                "Which sector does ${community} put first?",
                "ما القطاع الذي يضعه ${community} في المقدّمة؟",
            ),
        },
        {
            "type": "calculate",
            "name": "top_name",
            "calculation": "jr:choice-name(${top_sector}, '${top_sector}')",
        },
        {
            "type": "text",
            "name": "why",
            "required": "yes",
            **label(
                "Why is ${top_name} the first priority?",
                "لماذا يأتي ${top_name} في المرتبة الأولى؟",
            ),
        },
        {
            "type": "note",
            "name": "thanks",
            **label(
                "Thank you, ${community}: ${top_name} is recorded as your first priority.",
                "شكرًا لكم، ${community}: سُجّل ${top_name} أولويتكم الأولى.",
            ),
        },
    ],
    [
        *choices(
            "sector",
            ("water", "Water", "الماء"),
            ("health", "Health", "الصحة"),
            ("jobs", "Jobs", "التشغيل"),
            ("roads", "Roads", "الطرقات"),
        ),
    ],
    settings("community_priorities", "Community priorities (group discussion)", "2026112501"),
)


# --- 12. Voice and audio feedback: audio, voice text, file, video ---------------------------

FEEDBACK = AcceptanceForm(
    "voice_feedback",
    "audio (a voice note), a text question that also takes a voice note "
    "(bind::musharaka:voice=yes), a file with max-size and accepted types, a video",
    [
        {
            "type": "select_one service",
            "name": "service",
            "required": "yes",
            **label("Which service is your feedback about?", "عن أي خدمة ملاحظاتك؟"),
        },
        {
            "type": "integer",
            "name": "satisfaction",
            "required": "yes",
            **label("How satisfied are you, from 1 to 5?", "ما مدى رضاك، من 1 إلى 5؟"),
            **check(
                ". >= 1 and . <= 5",
                "Please give a number from 1 to 5.",
                "يُرجى إعطاء رقم من 1 إلى 5.",
            ),
        },
        {
            "type": "audio",
            "name": "story",
            "required": "yes",
            **label("Tell us in your own words what happened.", "أخبرنا بكلماتك ما الذي حدث."),
        },
        {
            "type": "text",
            "name": "suggestion",
            "required": "yes",
            "bind::musharaka:voice": "yes",
            **label(
                "What should we do better? Type it or send a voice note.",
                "ما الذي ينبغي أن نحسّنه؟ اكتبه أو أرسل رسالة صوتية.",
            ),
        },
        {
            "type": "file",
            "name": "document",
            "parameters": "max-size=2",
            "body::accept": ".pdf,.jpg",
            **label(
                "A document about it (receipt, letter), if you have one.",
                "وثيقة متعلقة بالأمر (وصل، رسالة) إن وجدت.",
            ),
        },
        {
            "type": "video",
            "name": "clip",
            **label("A short video of the place, if you can.", "مقطع فيديو قصير للمكان إن أمكن."),
        },
    ],
    [
        *choices(
            "service",
            ("distribution", "Food distribution", "توزيع الغذاء"),
            ("clinic", "Mobile clinic", "العيادة المتنقلة"),
            ("water", "Water trucking", "نقل المياه بالصهاريج"),
        ),
    ],
    settings("voice_feedback", "Feedback and complaints (voice)", "2026112801"),
)

FORMS: list[AcceptanceForm] = [
    MSNA, WASH, FOOD, SHELTER, LIVELIHOODS, HEALTH,
    KEY_INFORMANT, ADMIN_AREAS, YOUTH, MARKET, PRIORITIES, FEEDBACK,
]  # fmt: skip


def build() -> dict[Path, bytes]:
    """Every file of the acceptance forms: the workbooks and their attached CSVs."""
    files: dict[Path, bytes] = {}
    for form in FORMS:
        files[form.xlsx] = _reproducible(xlsform_bytes(form.survey, form.choices, form.settings))
        for name, text in form.media.items():
            files[form.media_dir / name] = text.encode("utf-8")
    return files


def main() -> int:
    for path, data in build().items():
        if path.exists() and path.read_bytes() == data:
            continue
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(HERE)} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
