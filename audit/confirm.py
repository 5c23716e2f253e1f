"""Facts a lead confirms at screening (issue 20 item 2).

An extract often leaves a fact blank ("not recorded") that the lead then checks with an
agency while screening: "unborn: confirmed by CSC".  Before this, the only place to say
so was the free-text reason for adding the case, so the report still counted the fact
as not recorded.  A confirmation sets the fact on the case, so screening, the cohort
profile, the draw and the report all use it, and keeps what was confirmed, by whom
(the source: an agency or a record, never a person's name is asked for), the lead's
login, when, and what the extract said before.

Decisions where the issue is silent:

- Confirmable facts are the screening facts and the profile columns; identifiers (the
  date of birth...) and engagement periods are not: a date of birth is never shown in a
  report, and engagement is a list of periods best corrected in the extract.
- A value is read by the CSV import's own explaining parsers, so "y", "CIN" or
  "white - irish" mean the same here as in a file, and a bad one is the same sentence.
- A fact confirmed again replaces its earlier confirmation (the journal keeps both).
- The report counts confirmed facts in one sentence and never quotes the source: the
  source is the lead's working note, like the reason for picking a case.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

from audit.cases import CandidateCase, Confirmation
from audit.csv_values import count, yes_no
from audit.profile import PARSERS
from audit.text import clean_text

MAX_SOURCE = 120

_Parser = Callable[[str, list[str]], object]


FACTS: dict[str, tuple[str, _Parser]] = {
    "unborn": ("Unborn baby", yes_no),
    "older_siblings": ("Older siblings", count),
    "domestic_abuse": ("Domestic abuse", yes_no),
    "substance_misuse": ("Substance misuse", yes_no),
    "maternal_mental_health": ("Maternal ill mental health", yes_no),
    "males_in_household": ("Males in household", count),
    "gender": ("Gender", PARSERS["gender"]),
    "ethnicity": ("Ethnicity", PARSERS["ethnicity"]),
    "level_of_intervention": ("Level of intervention", PARSERS["level_of_intervention"]),
}
"""Fact (a CandidateCase field) -> (label, the CSV import's explaining parser)."""


def shown_value(value: object) -> str:
    """A fact's value as people read it: yes, no, 2, child in need, not recorded."""
    if value is None or value == "":
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def confirmation_of(case: CandidateCase, fact: str) -> Confirmation | None:
    return next((c for c in case.confirmed or () if c.fact == fact), None)


def confirm(case: CandidateCase, fact: str, value: str, source: str, *, by: str,
            at: datetime | None) -> CandidateCase:
    """``case`` with ``fact`` set to ``value`` as confirmed by ``source``.

    Raises ``ValueError`` with one sentence (nothing changed) for an unknown fact, a
    value its parser refuses, or a missing or oversized source.
    """
    if fact not in FACTS:
        raise ValueError(f"{fact!r} is not a fact that can be confirmed; use one of {', '.join(FACTS)}.")
    label, parse = FACTS[fact]
    bad: list[str] = []
    text = value.strip()
    parsed = parse(text, bad) if text else None
    if not text:
        bad.append("give the confirmed value")
    if bad:
        raise ValueError(f"{label}: {bad[0]}.")
    try:
        who = " ".join(clean_text(source, MAX_SOURCE).split())
    except ValueError as exc:
        raise ValueError(f"The source: {exc}.") from None
    if not who:
        raise ValueError("Say who confirmed it (an agency or a record, such as CSC or midwifery booking).")
    before = getattr(case, fact)
    confirmation = Confirmation(fact=fact, value=shown_value(parsed), source=who, by=by, at=at,
                                was=shown_value(before))
    kept = [c for c in case.confirmed or () if c.fact != fact]
    changes: dict[str, Any] = {fact: parsed, "confirmed": [*kept, confirmation]}
    return dataclasses.replace(case, **changes)


def confirmed_count(cases: list[CandidateCase]) -> int:
    """Facts confirmed at screening across ``cases`` (for the report's one sentence)."""
    return sum(len(c.confirmed or ()) for c in cases)
