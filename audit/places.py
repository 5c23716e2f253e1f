"""Where people's text lives, in the user's terms: the :class:`audit.guard.Place` of each
field the report quotes (see /work/notes/guard-api.md and DESIGN §8).

A label names the record the way the screens do ("finding F3", "CSC's return for
RB-2020-004", "scope") and then the field as its form labels it ("text", "good
practice").  It never quotes the text itself, so it can be shown and journaled even
when the text holds an identifier.  Lists are numbered from 1 ("purpose 2").
"""

from __future__ import annotations

from audit.dates import format_uk
from audit.findings import Action, Discussion, Finding
from audit.guard import Place
from audit.returns import Return
from audit.scope import Audit

PARTNERSHIP = "partnership"


def scope(audit: Audit, field: str, label: str, n: int | None = None) -> Place:
    """A field of the audit's scope: ``scope(a, "background", "background")`` → "scope,
    background"; with ``n`` the n-th item of a list ("scope, purpose 2")."""
    where = f"{label} {n}" if n is not None else label
    return Place(f"scope, {where}", "scope", audit.ref, f"{field}.{n}" if n is not None else field)


def objective(audit: Audit, n: int, field: str, label: str) -> Place:
    """Objective ``n`` (1-based, as the report numbers them): "scope, objective 2, title"."""
    return Place(f"scope, objective {n}, {label}", "scope", audit.ref, f"objectives.{n}.{field}")


def criterion(audit: Audit, n: int) -> Place:
    return Place(f"scope, cohort criterion {n}, label", "scope", audit.ref, f"criteria.{n}.label")


def milestone(audit: Audit, n: int) -> Place:
    return Place(f"scope, milestone {n}, name", "scope", audit.ref, f"milestones.{n}.name")


def finding(f: Finding, field: str, label: str | None = None) -> Place:
    """``finding F3, text`` (a proposal waiting on the board is the same record)."""
    return Place(f"finding {f.id}, {label or field}", "board", f.key, field)


def retest(f: Finding, field: str = "evidence", label: str = "re-test evidence") -> Place:
    return Place(f"finding {f.id}, {label}", "board", f.key, f"retest.{field}")


def action(a: Action, field: str = "description", label: str = "what will be done") -> Place:
    return Place(f"action {a.id}, {label}", "board", a.key, field)


def returned(r: Return, field: str, label: str) -> Place:
    """``CSC's return for RB-2020-004, good practice`` (by the agency's code, as the
    returns grid shows it)."""
    return Place(f"{r.agency}'s return for {r.case_ref}, {label}", "returns", r.key, field)


def discussion(d: Discussion, field: str, label: str, n: int | None = None) -> Place:
    """``discussion of RB-2020-004, what worked well 2``; a MATA session by its kind and
    date (its name is people's text, and may be the text at fault)."""
    if d.session_kind == "case":
        what = f"discussion of {d.subject}"
    else:
        what = f"{d.session_kind} session" + (f" of {format_uk(d.held_on)}" if d.held_on else "")
    where = f"{label} {n}" if n is not None else label
    return Place(f"{what}, {where}", "discussion", d.key, f"{field}.{n}" if n is not None else field)


def agency(code: str, n: int, field: str = "name") -> Place:
    """The partnership's agency ``n`` (1-based, in the partnership's order); by number,
    because its name or code may be the text at fault."""
    return Place(f"partnership, agency {n}, {field}", PARTNERSHIP, code, field)


def partnership(field: str = "name", label: str = "name") -> Place:
    return Place(f"partnership, {label}", PARTNERSHIP, "", field)


def case_reference(audit: Audit, n: int, case_key: str) -> Place:
    """A case's reference, by its place in the cohort (never by the reference itself,
    which is the text at fault)."""
    return Place(f"cohort, case {n}, reference", "cohort", case_key, "case_ref")
