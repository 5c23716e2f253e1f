"""The demo partnership and its half-finished audit, built from `sample_data/`."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

from audit.csv_import import parse_candidates
from audit.partnership import Partnership, Role, User, parse_partnership
from audit.scope import Audit
from audit.scope_file import parse_scope
from audit.tools import tools_for_audit
from storage.workspace import Transaction, Workspace

DEMO_AUDIT = "MACA-C86"
# The demo's cohort: fifteen of the eligible cases, with the lead's reasons, so that the
# returns, discussions and findings built on it look like an audit in progress.
DEMO_DECIDED_AT = datetime(2021, 3, 19, 10, 30)
# The day the demo's story stands on: fieldwork under way, returns due in ten days, the
# first discussions held.  Tests build the demo on these fixed dates; the live demo
# (`maca demo`, `maca init --sample`) moves the audit's own dates to happen now.
DEMO_TODAY = date(2021, 4, 20)


def demo_shift(today: date | None) -> timedelta:
    """How far the demo's audit dates move so that DEMO_TODAY falls on `today`'s week.

    Whole weeks, so every milestone, meeting and deadline keeps its weekday.  The facts
    of the cases (the 2020 lookback, the incident, births and engagements) do not move:
    the audit looks back at them from now, as a real one would.
    """
    if today is None:
        return timedelta(0)
    return timedelta(weeks=(today - DEMO_TODAY).days // 7)


def sample_path(*parts: str) -> Path:
    return Path(str(resources.files("sample_data").joinpath(*parts)))


def demo_partnership() -> tuple[Partnership, list[User]]:
    path = sample_path("partnership.toml")
    return parse_partnership(path.read_text(encoding="utf-8"), source=str(path))


def demo_audit(agency_codes: list[str]) -> Audit:
    path = sample_path(f"{DEMO_AUDIT}.toml")
    scope = parse_scope(path.read_text(encoding="utf-8"), source=str(path), agency_codes=agency_codes)
    audit = scope.audit
    audit.tools = tools_for_audit(
        audit.agencies,
        [(o.id, o.title) for o in audit.objectives],
        directory=sample_path("templates"),
    )
    return audit


def build_demo(path: Path, login: str, *, in_progress: bool = False, today: date | None = None) -> Workspace:
    """Create the demo workspace at `path` with `login` as a lead (DESIGN §8).

    The bare demo stops at the cohort, which is what most tests build on; `in_progress`
    (what `maca demo` and `maca init --sample` use) adds returns, two discussions,
    findings and actions, so the demo looks like an audit half way through.  Given
    `today`, the audit's dates move with it (see `demo_shift`); without, they are fixed.
    """
    shift = demo_shift(today)
    partnership, users = demo_partnership()
    if login not in {u.login for u in users}:
        users = [User(login=login, role=Role.LEAD, name="You (demo lead)")] + users
    else:
        users = [dataclasses.replace(u, role=Role.LEAD, agencies=[]) if u.login == login else u for u in users]
    ws = Workspace.create(path, login, partnership, users=users)
    audit = demo_audit(partnership.agency_codes())
    # The cohort was picked on time, so the first milestone is done; the rest are pending.
    if audit.milestones:
        audit.milestones[0].done = True
    audit.milestones = [dataclasses.replace(m, due=_working_day(m.due + shift) if m.due else None)
                        for m in audit.milestones]
    audit.created_by = "rlead"
    audit.created_at = datetime(2021, 2, 22, 9, 0) + shift
    cases_path = sample_path(f"{DEMO_AUDIT}-cases.csv")
    imported = parse_candidates(
        cases_path.read_bytes(), audit=audit.ref, agency_codes=partnership.agency_codes(), existing_refs=set()
    )
    if not imported.ok:
        raise ValueError("The demo cases do not import: " + "; ".join(map(str, imported.problems)))
    with ws.transaction() as tx:
        tx.insert(audit, summary=f"created audit {audit.ref} from the demo scope")
        _pick_demo_cohort(tx, audit, imported.cases, shift)
    if not in_progress:
        return ws
    from storage.demo_findings import add_demo_discussions
    from storage.demo_returns import add_demo_returns
    from storage.returns import cohort_refs

    add_demo_returns(ws, DEMO_AUDIT, shift)
    add_demo_discussions(ws, ws.audit(DEMO_AUDIT), cohort_refs(ws, DEMO_AUDIT), shift)
    return ws


def _working_day(day: date) -> date:
    """`day`, or the next working day when a shifted milestone falls on a bank holiday."""
    from audit.workdays import is_working_day

    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _pick_demo_cohort(tx: Transaction, audit: Audit, cases: list, shift: timedelta) -> None:
    from audit.screening import screen_cases

    screened = screen_cases(audit, cases, today=date(2021, 3, 19))
    eligible = [s.case.case_ref for s in screened if s.eligible]
    chosen = set(eligible[: audit.cohort_target])
    for case in cases:
        if case.case_ref in chosen:
            case = dataclasses.replace(
                case,
                in_cohort=True,
                decision_reason="Meets all four criteria; nominated by children's services.",
                decided_by="rlead",
                decided_at=DEMO_DECIDED_AT + shift,
            )
        tx.insert(case, summary="", journal=False)
    tx.journal("import", "cases", audit.ref, f"imported {len(cases)} candidate cases from the demo extract", audit=audit.ref)
