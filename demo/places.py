"""The governorate of the demo programme: its districts and the support centre's branches.

The one list of them: the demo seeds them into ``storage.reference`` and
``forms/build_needs_survey.py`` writes the same district codes into the needs survey's
choices, so that a resident's answer can also set ``users.district_code`` (broadcasts and
priorities read it).
"""

from __future__ import annotations

from typing import NamedTuple


class District(NamedTuple):
    code: str
    ar: str
    en: str
    fr: str


class Branch(NamedTuple):
    code: str
    ar: str
    en: str
    fr: str
    address: str


DISTRICTS = [
    District("kasserine_north", "القصرين الشمالية", "Kasserine North", "Kasserine Nord"),
    District("kasserine_south", "القصرين الجنوبية", "Kasserine South", "Kasserine Sud"),
    District("sbeitla", "سبيطلة", "Sbeitla", "Sbeïtla"),
    District("thala", "تالة", "Thala", "Thala"),
    District("feriana", "فريانة", "Feriana", "Fériana"),
    District("foussana", "فوسانة", "Foussana", "Foussana"),
    District("sbiba", "سبيبة", "Sbiba", "Sbiba"),
    District("el_ayoun", "العيون", "El Ayoun", "El Ayoun"),
]

BRANCHES = [
    Branch(
        "kasserine",
        "فرع القصرين",
        "Kasserine branch",
        "Antenne de Kasserine",
        "شارع الحبيب بورقيبة، القصرين",
    ),
    Branch(
        "sbeitla", "فرع سبيطلة", "Sbeitla branch", "Antenne de Sbeïtla", "نهج الجمهورية، سبيطلة"
    ),
]
