"""Cases: what residents write to the programme (questions, suggestions, complaints, thanks,
problems in their district), the conversation with staff about each, and canned replies.

Life of a case::

    new --assign--> assigned --staff reply--> waiting --resident reply--> assigned
    (any open status) --close, by staff--> closed

* Every change that matters to whoever answers (a reply either way, assignment, closing)
  moves ``version`` on; a staff reply or a close names the version its page showed and is
  refused when the case moved meanwhile, so two staff never answer the same message twice.
* Staff replies and the closing message reach the resident through the broadcast outbox
  (audience kind ``case``: one person), so they keep Telegram's limits and survive a crash
  like announcements do. A reply is an answer the resident asked for: it reaches them even
  with announcements off, but not when they stopped all messages, blocked the bot or erased
  their data.
* Confidential cases (complaints about staff, abuse, safety) are for the roles allowed to
  see them only; an anonymous resident's name and username are never shown to staff.
* Writes are idempotent: a case, a message and a note are keyed by a request key (the
  Telegram update, or the admin form's token), a reply by the case version it answers.
* /delete anonymises: the case stays (kind, district, times, texts for the figures and the
  follow-up), the link to the person goes, attachments and locations are dropped; open cases
  stay open for staff to close, and a reply to them is refused (nobody could receive it).

``from storage import cases; cases.create_case(...)`` is the area's API; the modules hold
the codes, limits and labels (``vocabulary``), the tables (``models``), the outbox audience
(``audience``), messages and attachments (``messages``), what residents do (``residents``)
and staff do (``staff``), canned replies (``canned``), the M&E figures (``figures``), what
staff send the resident (``texts``) and personal data (``personal_data``).
"""

from __future__ import annotations

from storage.cases.audience import (
    CASE_AUDIENCE,
    one_correspondent,
)
from storage.cases.canned import (
    list_canned,
    retire_canned,
    save_canned,
)
from storage.cases.figures import (
    CaseFigures,
    monthly_figures,
)
from storage.cases.messages import (
    Attachment,
    messages_of,
)
from storage.cases.models import (
    CannedReply,
    Case,
    CaseMessage,
)
from storage.cases.personal_data import (
    erase_person,
    export_person,
)
from storage.cases.residents import (
    cases_of,
    create_case,
    get_case,
    rate,
    resident_reply,
)
from storage.cases.staff import (
    CaseFilter,
    add_note,
    assign,
    close,
    count_cases,
    delivery_of,
    list_cases,
    staff_reply,
)
from storage.cases.texts import (
    closing_text,
    reply_text,
)
from storage.cases.vocabulary import (
    ANSWER_WITHIN_DAYS,
    CLOSED_WITHIN_DAYS,
    KIND_LABELS,
    MAX_NOTE_CHARS,
    MAX_REPLY_CHARS,
    MAX_TEXT_CHARS,
    MIN_CELL,
    OPEN,
    STATUS_LABELS,
    Author,
    CaseKind,
    CaseStatus,
    Outcome,
    Sent,
    parse_reference,
    reference_of,
)

__all__ = [
    "ANSWER_WITHIN_DAYS",
    "CASE_AUDIENCE",
    "CLOSED_WITHIN_DAYS",
    "KIND_LABELS",
    "MAX_NOTE_CHARS",
    "MAX_REPLY_CHARS",
    "MAX_TEXT_CHARS",
    "MIN_CELL",
    "OPEN",
    "STATUS_LABELS",
    "Attachment",
    "Author",
    "CannedReply",
    "Case",
    "CaseFigures",
    "CaseFilter",
    "CaseKind",
    "CaseMessage",
    "CaseStatus",
    "Outcome",
    "Sent",
    "add_note",
    "assign",
    "cases_of",
    "close",
    "closing_text",
    "count_cases",
    "create_case",
    "delivery_of",
    "erase_person",
    "export_person",
    "get_case",
    "list_canned",
    "list_cases",
    "messages_of",
    "monthly_figures",
    "one_correspondent",
    "parse_reference",
    "rate",
    "reference_of",
    "reply_text",
    "resident_reply",
    "retire_canned",
    "save_canned",
    "staff_reply",
]
