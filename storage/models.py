"""Imports every area's models so that ``Base.metadata`` knows all tables.

Each area adds one line here.
"""

from storage import (  # noqa: F401
    associations,
    audit,
    broadcasts,
    cases,
    consultations,
    form_media,
    people,
    reference,
    reminders,
    sessions,
    submission_pushes,
    surveys,
    throttles,
    trainings,
    volunteers,
    wedid,
)
