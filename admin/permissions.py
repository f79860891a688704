"""Who may do what in the admin module: one table, read by every page.

Consultants see aggregated figures and the consultation calendar; they never see lists
of residents or volunteers. Staff run the programme day to day (people, trainings,
broadcasts, exports, the M&E report). Admins also manage staff accounts and read the
audit log.
"""

from __future__ import annotations

from enum import StrEnum

from core.i18n import N_
from storage.people import Role


class Permission(StrEnum):
    VIEW_PRIORITIES = "view_priorities"
    VIEW_SURVEY_RESULTS = "view_survey_results"
    EXPORT_SUBMISSIONS = "export_submissions"
    RESEND_SUBMISSIONS = "resend_submissions"
    VIEW_VOLUNTEERS = "view_volunteers"
    VIEW_ASSOCIATIONS = "view_associations"
    VIEW_TRAININGS = "view_trainings"
    SEE_ASSOCIATION_MEMBERS = "see_association_members"
    MANAGE_TRAININGS = "manage_trainings"
    VIEW_CONSULTATIONS = "view_consultations"
    SEE_REQUESTERS = "see_requesters"
    SEND_BROADCASTS = "send_broadcasts"
    VIEW_REPORTS = "view_reports"
    MANAGE_STAFF = "manage_staff"
    READ_AUDIT_LOG = "read_audit_log"
    HANDLE_CASES = "handle_cases"
    SEE_CONFIDENTIAL_CASES = "see_confidential_cases"


PERMISSION_LABELS: dict[Permission, str] = {
    Permission.VIEW_PRIORITIES: N_("See the community priorities dashboard"),
    Permission.VIEW_SURVEY_RESULTS: N_("See survey results (counts and charts)"),
    Permission.EXPORT_SUBMISSIONS: N_("Export survey submissions (personal data)"),
    Permission.RESEND_SUBMISSIONS: N_(
        "Send a survey submission the programme's server refused to it again"
    ),
    Permission.VIEW_VOLUNTEERS: N_("See and export the volunteers directory (personal data)"),
    Permission.VIEW_ASSOCIATIONS: N_("See associations and their capacity scores"),
    Permission.VIEW_TRAININGS: N_("See training courses and sessions (counts, no names)"),
    Permission.SEE_ASSOCIATION_MEMBERS: N_(
        "See associations' coordinators and members (names and phones: personal data)"
    ),
    Permission.MANAGE_TRAININGS: N_("Manage trainings, rosters and attendance (personal data)"),
    Permission.VIEW_CONSULTATIONS: N_("See the consultation calendar"),
    Permission.SEE_REQUESTERS: N_(
        "See who booked each consultation (personal data; consultants: their own sessions)"
    ),
    Permission.SEND_BROADCASTS: N_("Compose and schedule broadcasts"),
    Permission.VIEW_REPORTS: N_("Read and download the M&E report"),
    Permission.MANAGE_STAFF: N_("Manage staff accounts"),
    Permission.READ_AUDIT_LOG: N_("Read the audit log"),
    Permission.HANDLE_CASES: N_(
        "Read and answer what residents write to the programme (personal data)"
    ),
    Permission.SEE_CONFIDENTIAL_CASES: N_(
        "Read confidential complaints (about staff, abuse, safety)"
    ),
}

_CONSULTANT = frozenset(
    {
        Permission.VIEW_PRIORITIES,
        Permission.VIEW_SURVEY_RESULTS,
        Permission.VIEW_ASSOCIATIONS,
        Permission.VIEW_TRAININGS,
        Permission.VIEW_CONSULTATIONS,
    }
)
_STAFF = _CONSULTANT | {
    Permission.SEE_REQUESTERS,
    Permission.EXPORT_SUBMISSIONS,
    Permission.RESEND_SUBMISSIONS,
    Permission.VIEW_VOLUNTEERS,
    Permission.SEE_ASSOCIATION_MEMBERS,
    Permission.MANAGE_TRAININGS,
    Permission.SEND_BROADCASTS,
    Permission.VIEW_REPORTS,
    Permission.HANDLE_CASES,
}
_ADMIN = _STAFF | {
    Permission.MANAGE_STAFF,
    Permission.READ_AUDIT_LOG,
    Permission.SEE_CONFIDENTIAL_CASES,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CONSULTANT: _CONSULTANT,
    Role.STAFF: frozenset(_STAFF),
    Role.ADMIN: frozenset(_ADMIN),
}

ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: N_("Admin"),
    Role.STAFF: N_("Staff"),
    Role.CONSULTANT: N_("Consultant"),
}


def allowed(role: Role | str | None, permission: Permission) -> bool:
    if role is None:
        return False
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
