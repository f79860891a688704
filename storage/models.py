"""Imports every area's models so that ``Base.metadata`` knows all tables.

Each area adds one import line here.
"""

from storage import people, reference, reminders, sessions  # noqa: F401
