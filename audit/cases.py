"""Candidate cases: what is known about a case when the lead screens it for the cohort.

Screening facts are three-valued on purpose: ``None`` means "not recorded", which is
different from "no" (DESIGN §5).  A case also carries identifiers (family name, date of
birth, system ids) that leads and co-ordinators may see but that must never leave the
workspace; ``identifier_strings`` lists them for the export guard.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Iterator

from audit.dates import format_uk

IDENTIFIER_FIELDS = ("family_name", "child_dob", "system_ids")

CASE_REF_RE = re.compile(r"[A-Za-z0-9_/-]{1,40}", re.ASCII)
"""A pseudonymous case reference: 1-40 of ASCII letters, digits, ``-``, ``_``, ``/``."""

# system_ids often holds several ids in one cell ("NHS 485 777 3456; LCS 1002"): each
# part is also an identifier on its own, as it would appear in typed evidence.
_ID_SEPARATORS = re.compile(r"[;,|\n\t]+")


def is_case_ref(value: str) -> bool:
    """True when ``value`` is a well-formed case reference (exactly, no trimming)."""
    return CASE_REF_RE.fullmatch(value) is not None


@dataclass
class Engagement:
    """One period an agency worked with the family; both ends are included."""

    agency: str  # workspace agency code, upper case
    start: date | None = None
    end: date | None = None  # None = ongoing


@dataclass
class Confirmation:
    """A fact the lead confirmed at screening (``audit.confirm``): what it is now, who
    confirmed it (an agency or a record), the lead's login, when, and what it was."""

    fact: str  # a CandidateCase field: unborn, older_siblings, ..., level_of_intervention
    value: str  # as people read it: yes, no, 2, child in need
    source: str = ""  # "CSC", "midwifery booking": never a person's name is asked for
    by: str = ""
    at: datetime | None = None
    was: str = ""  # the value before, as people read it ("not recorded")


@dataclass
class CandidateCase:
    """A case nominated for an audit, with the facts the criteria are checked against.

    Stored by the ten thousand: fields at their default are left out of the document.
    Never change a case in place: use ``dataclasses.replace``.
    """

    CODEC_OMIT_DEFAULTS: ClassVar[bool] = True

    audit: str  # audit ref, e.g. "MACA-C86"
    case_ref: str
    unborn: bool | None = None
    older_siblings: int | None = None
    domestic_abuse: bool | None = None
    substance_misuse: bool | None = None
    maternal_mental_health: bool | None = None
    males_in_household: int | None = None
    engagement: list[Engagement] | None = None  # None = unknown; [] = known no engagement
    family_name: str = ""  # identifiers: never exported
    child_dob: date | None = None
    system_ids: str = ""
    notes: str = ""
    # cohort profile (audit.profile): fixed values, counted one way each in reports
    gender: str = ""  # female, male, another gender, not recorded; "" = blank
    ethnicity: str = ""  # an ONS 2021 group or "group: category"; "not recorded"; ""
    level_of_intervention: str = ""  # early help ... looked after, not recorded; ""
    confirmed: list[Confirmation] | None = None  # facts the lead confirmed at screening
    in_cohort: bool = False
    decision_reason: str = ""  # why picked or set aside
    decided_by: str = ""
    decided_at: datetime | None = None
    drawn: bool = False  # picked by a random draw
    rev: int = 0

    @property
    def key(self) -> str:
        return f"{self.audit}/{self.case_ref}"


AGE_BANDS = ("unborn at the start", "under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over")
NOT_RECORDED_BAND = "not recorded"


def age_band(dob: date | None, start: date | None) -> str:
    """The child's age at the start of the lookback, as a band (never the date itself):
    a child born after the start was unborn then; no date of birth or no lookback is
    "not recorded"."""
    if dob is None or start is None:
        return NOT_RECORDED_BAND
    if dob > start:
        return AGE_BANDS[0]
    years = start.year - dob.year - ((start.month, start.day) < (dob.month, dob.day))
    if years < 1:
        return AGE_BANDS[1]
    if years <= 4:
        return AGE_BANDS[2]
    if years <= 9:
        return AGE_BANDS[3]
    if years <= 15:
        return AGE_BANDS[4]
    return AGE_BANDS[5]


def identifier_strings(case: CandidateCase) -> list[str]:
    """Every identifier of ``case`` as text that could appear in a report.

    Non-empty values only, trimmed, without duplicates, in field order: the family name;
    the date of birth as ``YYYY-MM-DD`` and as ``DD/MM/YYYY``; the system ids as written
    and, when the cell holds several (separated by ``;``, ``,``, ``|``, tab or newline),
    each one on its own.
    """
    found: list[str] = []

    def add(value: str) -> None:
        value = value.strip()
        if value and value not in found:
            found.append(value)

    add(case.family_name)
    if case.child_dob is not None:
        add(case.child_dob.isoformat())
        add(format_uk(case.child_dob))
    add(case.system_ids)
    parts = _ID_SEPARATORS.split(case.system_ids)
    if len(parts) > 1:
        for part in parts:
            add(part)
    return found


PROMOTE_OVER = 10_000
"""New objects (as the collector counts them) past which ``paused_gc`` promotes them."""


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building or screening many cases.

    Tens of thousands of new objects would otherwise make it rescan the whole growing
    heap many times over (it more than doubled the time of a 50,000-row import).
    Reference counting still frees everything that is dropped; the previous state is
    restored, so nesting is harmless.

    On leaving, when more than ``PROMOTE_OVER`` objects were made, they are moved
    straight to the oldest generation (``gc.freeze()`` then ``gc.unfreeze()``, which
    only relinks two lists) instead of being traced one by one by the next young
    collection: what a bulk build leaves behind is long-lived (an audit's cases and
    their screening), and a full collection still reaches it.  Any cyclic garbage
    made meanwhile is reclaimed at that full collection rather than a little earlier.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_count()[0] > PROMOTE_OVER:
                gc.freeze()
                gc.unfreeze()
            gc.enable()
