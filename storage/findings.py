"""Discussions, the findings board and SMART actions against the workspace (DESIGN §2 steps 5-6).

Every operation checks access through ``ws.require`` (a refusal says why and is
journaled) and writes in one locked transaction with a rev check, so a screen, the CLI
and a test get the same rules.  Who may do what:

- leads (``Act.EDIT_DISCUSSION``) record discussions;
- leads (``Act.EDIT_BOARD``) add, edit, accept, move and delete findings, link re-tests
  and keep the action plan;
- co-ordinators (``Act.PROPOSE_FINDING``) may add or promote findings, which are saved
  ``proposed=True`` until a lead accepts them;
- viewers read.

A model passed in is the version the caller started from (its ``rev``): if someone
saved it since, ``ConflictError`` carries both versions and nothing is overwritten.
Bad input raises :class:`FindingError`, one sentence ending "nothing was saved".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from functools import partial

from audit.access import Act
from audit.findings import (
    MAX_TITLE,
    Action,
    ActionStatus,
    Attendee,
    Column,
    Discussion,
    Finding,
    Rag,
    Retest,
    card_title,
    id_number,
    next_id,
    rag,
    short_title,
)
from audit.returns import Status, is_outstanding
from audit.scope import Kind
from audit.text import field_text
from storage.errors import NotFound, WorkspaceError
from storage.workspace import Workspace

SESSION_KINDS = ("focus group", "policy review", "aggregated data")
"""The evidence sessions of a thematic audit (MATA); a MACA discusses cases."""
MAX_SUBJECT = 120


class FindingError(WorkspaceError):
    """A discussion or board change that cannot be made as asked (exit 2); nothing was saved."""


# ------------------------------------------------------------------------ helpers


_clean = partial(field_text, error=FindingError)  # audit.text's, raising this module's error


def finding(ws: Workspace, ref: str, finding_id: str) -> Finding:
    found = ws.get("findings", f"{ref}/{finding_id}")
    if found is None:
        raise NotFound(f"There is no finding {finding_id} in {ref}; it may have been deleted.")
    return found


def column_of(ws: Workspace, ref: str, column: Column) -> list[Finding]:
    """A board column's cards, top first."""
    return sorted((f for f in ws.findings(ref) if f.column is column), key=lambda f: (f.position, id_number(f.id)))


# ------------------------------------------------------------------------ discussions


def subjects(ws: Workspace, ref: str) -> list[str]:
    """What is discussed: the cohort's cases (MACA) or the recorded sessions (MATA)."""
    audit = ws.audit(ref)
    if audit.kind is Kind.MACA:
        return sorted(c.case_ref for c in ws.cases(ref) if c.in_cohort)
    return sorted(d.subject for d in ws.discussions(ref))


def open_discussion(ws: Workspace, ref: str, subject: str) -> Discussion:
    """The stored record, or a fresh one (saved at its first edit)."""
    stored = ws.get("discussions", f"{ref}/{subject}")
    return stored if stored is not None else Discussion(audit=ref, subject=subject)


def received_agencies(ws: Workspace, ref: str, case_ref: str, *, involved_only: bool = False) -> list[str]:
    """Agencies whose return for the case is with the lead (received, or not involved).

    ``involved_only`` leaves out the agencies that were not involved: a finding is
    linked to the agencies whose practice it is about, and they had none with the case.
    """
    audit = ws.audit(ref)
    return [a for a in audit.agencies if (r := ws.get_return(ref, case_ref, a)) is not None
            and not is_outstanding(r) and not (involved_only and r.status is Status.NOT_INVOLVED)]


def _checked_discussion(ws: Workspace, d: Discussion) -> Discussion:
    audit = ws.audit(d.audit)
    subject = _clean(d.subject, "The session's name" if audit.kind is Kind.MATA else "The case", MAX_SUBJECT,
                     required=True)
    if subject != d.subject:
        raise FindingError(f"The subject {d.subject!r} has spaces or control characters at its ends; nothing was saved.")
    if audit.kind is Kind.MACA and ws.case(d.audit, subject) is None:
        raise FindingError(f"There is no case {subject} in {d.audit}; nothing was saved.")
    if audit.kind is Kind.MATA and d.session_kind not in SESSION_KINDS:
        raise FindingError(f"A session is a {', '.join(SESSION_KINDS)}, not {d.session_kind!r}; nothing was saved.")
    objectives = {o.id for o in audit.objectives}
    unknown = sorted(set(d.agreed_grades) - objectives)
    if unknown:
        raise FindingError(f"The audit has no objective {unknown[0]}; nothing was saved.")
    codes = set(ws.partnership().agency_codes())
    for a in d.attendees:
        if a.agency and a.agency not in codes:
            raise FindingError(f"There is no agency {a.agency} in this partnership; nothing was saved.")
    return dataclasses.replace(
        d,
        attendees=[Attendee(a.agency, _clean(a.role, "An attendee's role", MAX_TITLE),
                            _clean(a.name, "An attendee's name", MAX_TITLE)) for a in d.attendees],
        worked_well=[p for p in (_clean(p, "A point", 20_000) for p in d.worked_well) if p],
        worked_less_well=[p for p in (_clean(p, "A point", 20_000) for p in d.worked_less_well) if p],
        notes=_clean(d.notes, "The notes", 20_000),
    )


def save_discussion(ws: Workspace, discussion: Discussion, *, summary: str = "") -> Discussion:
    """Insert a record never saved (rev 0), else save it against its rev."""
    key = discussion.key
    ws.require(Act.EDIT_DISCUSSION, audit=discussion.audit, key=key)
    checked = _checked_discussion(ws, discussion)
    with ws.transaction() as tx:
        checked = dataclasses.replace(checked, updated_by=ws.login, updated_at=tx.at)
        what = summary or f"recorded the discussion of {discussion.subject}"
        if checked.rev == 0:
            return tx.insert(checked, summary=what)
        return tx.save(checked, summary=what)


def add_session(ws: Workspace, ref: str, name: str, kind: str, *, held_on: date | None = None) -> Discussion:
    """A thematic audit's evidence session (focus group, policy review, aggregated data)."""
    if ws.audit(ref).kind is not Kind.MATA:
        raise FindingError(f"{ref} is a case audit: its discussions are its cohort's cases; nothing was saved.")
    name = _clean(name, "The session's name", MAX_SUBJECT, required=True)
    if ws.get("discussions", f"{ref}/{name}") is not None:
        raise FindingError(f"There is already a session called {name!r}; nothing was saved.")
    return save_discussion(ws, Discussion(audit=ref, subject=name, session_kind=kind, held_on=held_on),
                           summary=f"added the {kind} session {name!r}")


# ------------------------------------------------------------------------ findings


def _create_act(ws: Workspace, ref: str, key: str) -> tuple[Act, bool]:
    """Leads add findings outright; co-ordinators propose them; anyone else is refused."""
    if ws.can(Act.EDIT_BOARD):
        return Act.EDIT_BOARD, False
    ws.require(Act.PROPOSE_FINDING, audit=ref, key=key)
    return Act.PROPOSE_FINDING, True


def _checked_finding(ws: Workspace, f: Finding) -> Finding:
    audit = ws.audit(f.audit)
    if f.objective and audit.objective(f.objective) is None:
        raise FindingError(f"The audit has no objective {f.objective}; nothing was saved.")
    strangers = [a for a in f.agencies if a not in audit.agencies]
    if strangers:
        raise FindingError(f"{strangers[0]} does not take part in {f.audit}; nothing was saved.")
    if not isinstance(f.column, Column):
        raise FindingError(f"A finding is a strength, development or recommendation, not {f.column!r}.")
    return dataclasses.replace(
        f,
        title=_clean(f.title, "The title", MAX_TITLE, required=True),
        text=_clean(f.text, "The text", 20_000),
        cases=list(dict.fromkeys(_clean(c, "A case", MAX_SUBJECT) for c in f.cases if c.strip())),
        agencies=[a for a in audit.agencies if a in set(f.agencies)],
        source=_clean(f.source, "The source", MAX_TITLE),
    )


def _end_of(ws: Workspace, ref: str, column: Column, but: str = "") -> int:
    return max((f.position for f in column_of(ws, ref, column) if f.id != but), default=-1) + 1


def add_finding(ws: Workspace, ref: str, *, column: Column, title: str, text: str = "", objective: str = "",
                cases: Iterable[str] = (), agencies: Iterable[str] = (), source: str = "") -> Finding:
    """A new card at the bottom of its column: accepted for leads, proposed for co-ordinators."""
    act, proposed = _create_act(ws, ref, f"{ref}/F?")
    draft = _checked_finding(ws, Finding(audit=ref, id="F0", column=column, title=title, text=text,
                                         objective=objective, cases=list(cases), agencies=list(agencies),
                                         source=source, proposed=proposed))
    with ws.transaction() as tx:
        new = dataclasses.replace(draft, id=next_id((f.id for f in ws.findings(ref)), "F"),
                                  position=_end_of(ws, ref, column), created_by=ws.login, created_at=tx.at)
        verb = "proposed" if proposed else "added"
        return tx.insert(new, summary=f"{verb} {column.value} {new.id} {short_title(new.title, 60)!r} ({act.value})")


def promote_point(ws: Workspace, ref: str, subject: str, point_text: str, column: Column, objective: str, *,
                  title: str = "", agencies: Iterable[str] | None = None, into: str | None = None) -> Finding:
    """Turn a discussion point into a finding linked to the case, the objective and the agencies.

    For a case audit the finding's cases are ``[subject]`` and its agencies, unless
    chosen, are those whose returns for the case are received (not-involved ones aside,
    having no practice with the case to evidence); for a thematic audit
    they are the session's attending agencies.  ``into`` names an existing finding to
    add this case (and its agencies) to as further evidence instead (leads only).
    """
    audit = ws.audit(ref)
    point = _clean(point_text, "The point", 20_000, required=True)
    if audit.kind is Kind.MACA:
        cases, source = [subject], f"discussion of {subject}"
        default = received_agencies(ws, ref, subject, involved_only=True)
    else:
        d = open_discussion(ws, ref, subject)
        cases, source = [], f"{d.session_kind} {subject}"
        default = [a.agency for a in d.attendees if a.agency in audit.agencies]
    chosen = list(agencies) if agencies is not None else default
    if into:
        ws.require(Act.EDIT_BOARD, audit=ref, key=f"{ref}/{into}")
        with ws.transaction() as tx:
            current = finding(ws, ref, into)
            grown = _checked_finding(ws, dataclasses.replace(
                current, cases=[*current.cases, *cases], agencies=[*current.agencies, *chosen]))
            return tx.save(grown, summary=f"added {subject} as evidence to {into}")
    return add_finding(ws, ref, column=column, title=title or card_title(point), text=point,
                       objective=objective, cases=cases, agencies=chosen, source=source)


def edit_finding(ws: Workspace, edited: Finding, *, summary: str = "") -> Finding:
    """Save an edited copy of a card; a new column puts it at the bottom of that column."""
    ws.require(Act.EDIT_BOARD, audit=edited.audit, key=edited.key)
    checked = _checked_finding(ws, edited)
    with ws.transaction() as tx:
        stored = tx.current(checked)
        if stored is not None and stored.column is not checked.column:
            _check_leaves_recommendations(ws, stored, checked.column)
            checked = dataclasses.replace(checked, position=_end_of(ws, checked.audit, checked.column, checked.id))
        return tx.save(checked, summary=summary or f"edited {checked.id}")


def accept_finding(ws: Workspace, proposed: Finding) -> Finding:
    """A lead accepts a co-ordinator's proposal onto the board."""
    if not proposed.proposed:
        raise FindingError(f"{proposed.id} is already on the board; nothing was saved.")
    return edit_finding(ws, dataclasses.replace(proposed, proposed=False), summary=f"accepted {proposed.id}")


def _check_leaves_recommendations(ws: Workspace, f: Finding, to: Column) -> None:
    held = [a for a in ws.actions(f.audit) if a.finding_id == f.id]
    if f.column is Column.RECOMMENDATION and to is not Column.RECOMMENDATION and held:
        raise FindingError(
            f"{f.id} holds {len(held)} SMART action{'s' if len(held) != 1 else ''} and only recommendations hold "
            "actions; delete them before moving it out of Recommendations. Nothing was saved.")


def move_finding(ws: Workspace, f: Finding, *, column: Column | None = None, position: int | None = None) -> Finding:
    """Put a card in ``column`` (default: its own) at ``position`` (default: the bottom).

    The cards of the target column are renumbered 0, 1, 2 … in one transaction; only
    those whose position changes are written.
    """
    ws.require(Act.EDIT_BOARD, audit=f.audit, key=f.key)
    target = column or f.column
    with ws.transaction() as tx:
        stored = tx.current(f)
        if stored is None:
            raise FindingError(f"{f.id} was deleted by someone else; nothing was saved.")
        if stored.column is not target:
            _check_leaves_recommendations(ws, stored, target)
        others = [o for o in column_of(ws, f.audit, target) if o.id != f.id]
        at = len(others) if position is None else max(0, min(position, len(others)))
        order = [*others[:at], f, *others[at:]]
        moved = f
        for index, card in enumerate(order):
            if card is f:
                moved = tx.save(dataclasses.replace(f, column=target, position=index),
                                summary=f"moved {f.id} to {target.label}" if target is not f.column
                                else f"moved {f.id} to place {index + 1} in {target.label}")
            elif card.position != index:
                tx.save(dataclasses.replace(card, position=index), summary=f"renumbered {card.id} in {target.label}")
        return moved


def delete_finding(ws: Workspace, f: Finding) -> int:
    """Delete a card and its SMART actions together; returns how many actions went with it."""
    ws.require(Act.EDIT_BOARD, audit=f.audit, key=f.key)
    with ws.transaction() as tx:
        held = [a for a in ws.actions(f.audit) if a.finding_id == f.id]
        for a in held:
            tx.delete(a, summary=f"deleted {a.id} with {f.id}")
        tx.delete(f, summary=f"deleted {f.id} {short_title(f.title, 60)!r}")
        return len(held)


def earlier_findings(ws: Workspace, ref: str) -> dict[str, list[Finding]]:
    """Other audits' accepted findings, by audit reference, for a re-test link."""
    return {a.ref: [f for f in ws.findings(a.ref) if not f.proposed]
            for a in ws.audits() if a.ref != ref and ws.findings(a.ref)}


def link_retest(ws: Workspace, f: Finding, retest: Retest | None) -> Finding:
    """Link a finding to an earlier audit's finding it re-tests (None removes the link)."""
    if retest is not None:
        if retest.audit == f.audit:
            raise FindingError("A re-test links to a finding of an earlier audit, not of this one; nothing was saved.")
        ws.audit(retest.audit)
        finding(ws, retest.audit, retest.finding_id)
        retest = dataclasses.replace(retest, evidence=_clean(retest.evidence, "The evidence", 20_000))
    what = f"linked {f.id} to {retest.audit} {retest.finding_id} as a re-test" if retest else f"unlinked {f.id}'s re-test"
    return edit_finding(ws, dataclasses.replace(f, retest=retest), summary=what)


def retest_of(ws: Workspace, f: Finding) -> Finding | None:
    """The earlier finding a card re-tests, if it still exists."""
    if f.retest is None:
        return None
    return ws.get("findings", f"{f.retest.audit}/{f.retest.finding_id}")


# ------------------------------------------------------------------------ SMART actions


def _checked_action(ws: Workspace, a: Action) -> Action:
    owner = f"{a.owner}".strip()
    if owner not in ws.partnership().agency_codes():
        raise FindingError(f"An action is owned by one of the partnership's agencies, not {owner or 'nobody'}; "
                           "nothing was saved.")
    rec = ws.get("findings", f"{a.audit}/{a.finding_id}")
    if rec is None:
        raise FindingError(f"There is no finding {a.finding_id} in {a.audit}; nothing was saved.")
    if rec.column is not Column.RECOMMENDATION:
        raise FindingError(f"{a.finding_id} is not a recommendation; only recommendations hold SMART actions. "
                           "Nothing was saved.")
    if not isinstance(a.status, ActionStatus):
        raise FindingError(f"An action is proposed, agreed, in progress or complete, not {a.status!r}.")
    return dataclasses.replace(a, owner=owner, description=_clean(a.description, "The description", 20_000,
                                                                  required=True),
                               progress_note=_clean(a.progress_note, "The progress note", 20_000))


def add_action(ws: Workspace, ref: str, finding_id: str, *, description: str, owner: str, due: date | None,
               status: ActionStatus = ActionStatus.PROPOSED, progress_note: str = "") -> Action:
    """A SMART action (A1, A2 …) for a recommendation, owned by one agency."""
    ws.require(Act.EDIT_BOARD, audit=ref, key=f"{ref}/A?")
    draft = _checked_action(ws, Action(audit=ref, id="A0", finding_id=finding_id, description=description,
                                       owner=owner, due=due, status=status, progress_note=progress_note))
    with ws.transaction() as tx:
        new = dataclasses.replace(draft, id=next_id((a.id for a in ws.actions(ref)), "A"))
        return tx.insert(new, summary=f"added action {new.id} to {finding_id} for {new.owner}")


def edit_action(ws: Workspace, edited: Action, *, summary: str = "") -> Action:
    ws.require(Act.EDIT_BOARD, audit=edited.audit, key=edited.key)
    checked = _checked_action(ws, edited)
    with ws.transaction() as tx:
        return tx.save(checked, summary=summary or f"edited action {edited.id}")


def delete_action(ws: Workspace, action: Action) -> None:
    ws.require(Act.EDIT_BOARD, audit=action.audit, key=action.key)
    with ws.transaction() as tx:
        tx.delete(action, summary=f"deleted action {action.id} of {action.finding_id}")


def action_plan(ws: Workspace, ref: str, *, finding_id: str | None = None, owner: str | None = None,
                status: ActionStatus | None = None) -> list[Action]:
    """The audit's actions, soonest due first (no date last), optionally filtered."""
    found = [a for a in ws.actions(ref)
             if (finding_id is None or a.finding_id == finding_id)
             and (owner is None or a.owner == owner)
             and (status is None or a.status is status)]
    return sorted(found, key=lambda a: (a.due is None, a.due or date.max, id_number(a.id)))


def overdue_count(ws: Workspace, ref: str, today: date, finding_id: str | None = None) -> int:
    """Open actions past their due date (red), for the board's status line and cards."""
    return sum(1 for a in action_plan(ws, ref, finding_id=finding_id) if rag(a, today) is Rag.RED)
