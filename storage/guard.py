"""The identifier guard over a workspace (DESIGN §8, issue 16): the report's check, the
lead's review of possible matches, the warning when text is saved, and the masking of
what viewers are shown.

One :class:`audit.guard.Matcher` per set of cases is kept while those cases are the
same objects (cases are never changed in place, so a new import or edit gives new
objects and a new matcher): building it for 50,000 candidates is the costly part,
and a save, a viewer's screen or a check must not pay it every time.
"""

from __future__ import annotations

import operator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from audit.access import Act
from audit.cases import CandidateCase
from audit.codec import to_doc
from audit.guard import DATE_OF_BIRTH, FAMILY_NAME, SYSTEM_ID, Leak, Matcher, Quoted, check_pieces
from audit.guard_marks import GuardMark, mark_for
from storage.workspace import Workspace

if TYPE_CHECKING:  # the report's modules are not needed to warn of an identifier as it is saved
    from audit.report import Report

__all__ = ["guard_pieces", "guard_report", "holds_identifier", "identifier_warning", "mark_not_identifier", "matcher_for", "all_cases_matcher"]

_KIND_WORDS = {FAMILY_NAME: "the family name", DATE_OF_BIRTH: "the date of birth", SYSTEM_ID: "a system id"}

_cache: dict[tuple[int, str], tuple[list[CandidateCase], Matcher]] = {}


def _kept(ws: Workspace, scope: str, cases: list[CandidateCase]) -> Matcher | None:
    held = _cache.get((id(ws), scope))
    if held is not None and len(held[0]) == len(cases) and all(map(operator.is_, held[0], cases)):
        return held[1]
    return None


def _matcher(ws: Workspace, scope: str, cases: list[CandidateCase]) -> Matcher:
    matcher = _kept(ws, scope, cases)
    if matcher is None:
        matcher = Matcher(cases)
        _cache[(id(ws), scope)] = (cases, matcher)  # holding the cases keeps their ids from being reused
    return matcher


def matcher_for(ws: Workspace, audit_ref: str) -> Matcher:
    """The identifiers of the cases of one audit."""
    return _matcher(ws, audit_ref, Workspace.cases(ws, audit_ref))  # stored, never masked


def all_cases_matcher(ws: Workspace) -> Matcher:
    """The identifiers of every case of every audit: a report and a viewer's screen must
    not show another audit's family either."""
    return _matcher(ws, "", _all_cases(ws))


def _all_cases(ws: Workspace) -> list[CandidateCase]:
    # Stored, never masked: every audit's file (each read once, then only when changed).
    return [c for ref in sorted(ws._table("audits").items) for c in Workspace.cases(ws, ref)]


def guard_pieces(ws: Workspace, pieces: list[Quoted]) -> list[Leak]:
    """Every identifier of any case of the workspace in ``pieces``: by the kept matcher
    when there is one for these cases, else (a report checked once, an export) by a
    matcher over only the cases whose identifiers may be in the pieces
    (`audit.guard.check_pieces`), not by indexing every case: the same answer."""
    cases = _all_cases(ws)
    kept = _kept(ws, "", cases)
    return kept.check(pieces) if kept is not None else check_pieces(pieces, cases)


def guard_report(ws: Workspace, report: Report) -> list[Leak]:
    """What stops ``report`` from being exported: every identifier of a case in the
    people's text it quotes; certain ones always, possible ones until a lead has marked
    them "not an identifier here" (and the text has not changed since)."""
    leaks = guard_pieces(ws, report.quoted)
    ref = report.analysis.audit
    return [leak for leak in leaks if leak.certain or ws.get("guard_marks", f"{ref}/{leak.mark_id}") is None]


def mark_not_identifier(ws: Workspace, audit_ref: str, leak: Leak, reason: str,
                        *, now: datetime | None = None) -> GuardMark:
    """A lead marks a possible match "not an identifier here", with the reason (journaled).

    Raises AccessDenied for anyone but a lead, ValueError for a certain match or no reason.
    """
    ws.require(Act.REVIEW_IDENTIFIERS, audit=audit_ref, key=leak.mark_id)
    mark = mark_for(audit_ref, leak, reason, ws.login, now or datetime.now().replace(microsecond=0))
    existing = ws.get("guard_marks", mark.key)
    summary = f"marked a possible {leak.kind} at {leak.place.label} as not an identifier: {mark.reason}"
    if existing is not None:
        mark.rev = existing.rev
        return ws.save(mark, act=Act.REVIEW_IDENTIFIERS, summary=summary)
    return ws.insert(mark, act=Act.REVIEW_IDENTIFIERS, summary=summary)


def identifier_warning(ws: Workspace, before: Any, after: Any) -> str:
    """One sentence when ``after`` holds more certain identifiers of cases of its audit
    than ``before`` did (so an autosave while typing says it once, not at every save);
    "" otherwise.  Never repeats the identifier.

    Possible matches (a common-word name at the start of a sentence) are not told here:
    they would nag over every "Young people ..." and a lead reviews them at export.
    """
    ref = getattr(after, "audit", "") or getattr(after, "ref", "")
    if not ref or isinstance(after, CandidateCase):  # a case's own record holds its identifiers
        return ""
    matcher = matcher_for(ws, ref)
    if not matcher:
        return ""
    old = _certain(matcher, before) if before is not None else {}
    new = _certain(matcher, after)
    more = [kind for kind in (FAMILY_NAME, DATE_OF_BIRTH, SYSTEM_ID) if new.get(kind, 0) > old.get(kind, 0)]
    if not more:
        return ""
    what = " and ".join(_KIND_WORDS[k] for k in more)
    return f"This looks like {what} of a case: reports will refuse it until it is taken out."


def holds_identifier(ws: Workspace, obj: Any) -> bool:
    """Whether ``obj`` holds a certain identifier of a case of its audit (for a form's
    lasting "holds an identifier" note, beside :func:`identifier_warning`'s one-off one)."""
    ref = getattr(obj, "audit", "") or getattr(obj, "ref", "")
    if not ref or isinstance(obj, CandidateCase):
        return False
    matcher = matcher_for(ws, ref)
    return bool(matcher) and bool(_certain(matcher, obj))


def _certain(matcher: Matcher, obj: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for text in _texts(to_doc(obj)):
        for match in matcher.scan(text):
            if match.certain:
                counts[match.kind] = counts.get(match.kind, 0) + 1
    return counts


def _texts(doc: Any) -> list[str]:
    """Every string in a stored document, however deep."""
    if isinstance(doc, str):
        return [doc]
    if isinstance(doc, dict):
        return [t for v in doc.values() for t in _texts(v)]
    if isinstance(doc, list):
        return [t for v in doc for t in _texts(v)]
    return []
