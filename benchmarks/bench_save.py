"""Item 4: saving one return in a workspace holding ten years of audits, against the
floor of writing the same data with json.dumps + write + fsync + rename.

The workspace. 100 audits (ten a year, 2015-2024), each a copy of the demo audit with
its scope and eight agencies' tools; its 52 candidate cases from the demo extract, 4
to 8 of them in the cohort; a return from each agency for each cohort case (about 4,800
in all) with answers, half with evidence, grades and rationales; and a journal as the app writes it (a
create entry per document, then the edits of each return).  Built deterministically
through `Workspace.create` and one transaction that stores the documents with the
codec, so it is byte for byte what maca would have written; the size is printed.

maca. A session opens the workspace (as the app does: parsed once, the returns
decoded once, by the warm-up), then each timed run autosaves one draft return with one
answer's evidence changed: `storage.returns.save_draft` (or `Workspace.save` where that
module is missing), i.e. access check, lock, rev check, journal entry, serialise, temp
file, fsync, rename, folder fsync.  The edit itself (`set_answer`) is made before the
clock starts, as the screen makes it before it saves.

Floor. `json.dumps` of the workspace's tables as they are after that save, encoded,
written to a temp file in the same folder, fsync, `os.replace`: the least any atomic
save of this data can cost.  One warm-up, then `runs` (at least 9) of each in turn.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from audit.access import Act
from audit.codec import to_doc
from audit.csv_import import parse_candidates
from audit.grades import Answer, Grade
from audit.journal import JournalEntry
from audit.returns import QuestionAnswer, Return, SectionReturn, Status, StatusChange, set_answer
from audit.scope import Audit, Stage
from storage.demo import DEMO_AUDIT, demo_audit, demo_partnership, sample_path
from storage.lock import os_login
from storage.workspace import JOURNAL, Workspace

from benchmarks.common import Figure, alternate, median, standalone, write_floor

ITEMS = ("4",)
YEARS = range(2015, 2025)
AUDITS_PER_YEAR = 10
WORDS = ("the", "family", "was", "seen", "by", "health", "visitor", "at", "home", "and", "mother",
         "reported", "concerns", "about", "partner", "school", "attendance", "improved", "after",
         "referral", "to", "early", "help", "plan", "reviewed", "in", "core", "group", "meeting",
         "father", "not", "engaged", "with", "services", "records", "show", "no", "escalation")


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def _return(rng: random.Random, audit: Audit, case_ref: str, agency: str, when: datetime, who: str,
            status: Status) -> Return:
    tool = audit.tools[agency]
    answers = {
        qid: QuestionAnswer(answer=rng.choice(list(Answer)),
                            evidence=_text(rng, 3, 10) if rng.random() < 0.5 else "")
        for qid in tool.question_ids()
    }
    sections = {
        s.objective: SectionReturn(grade=rng.choice(list(Grade)), rationale=_text(rng, 6, 16))
        for s in tool.sections if s.graded
    }
    history = [StatusChange(at=when, by=who, status=Status.DRAFT)]
    if status is not Status.DRAFT:
        history.append(StatusChange(at=when + timedelta(days=9), by=who, status=status))
    return Return(
        audit=audit.ref, case_ref=case_ref, agency=agency, status=status, involved=True,
        involvement_period="2020", involvement_nature=_text(rng, 3, 8), summary=_text(rng, 10, 25),
        auditor_name=who, auditor_role="Named professional", completed_on=when.date() + timedelta(days=9),
        answers=answers, sections=sections, good_practice=_text(rng, 5, 15),
        areas_for_development=_text(rng, 5, 15), impact_on_child=_text(rng, 5, 15),
        recommendations=_text(rng, 5, 15), history=history,
        submitted_at=when + timedelta(days=9) if status is not Status.DRAFT else None,
        updated_at=when + timedelta(days=9), updated_by=who, rev=3,
    )


def build_workspace(path: Path) -> tuple[int, list[Return]]:
    """Write the ten-year workspace at `path`; (its size in bytes, the draft returns of
    the newest audits, which the timed saves edit)."""
    rng = random.Random(20150101)
    login = os_login()
    partnership, users = demo_partnership()
    ws = Workspace.create(path, login, partnership, users=users)
    template = demo_audit(partnership.agency_codes())
    cases = parse_candidates(sample_path(f"{DEMO_AUDIT}-cases.csv").read_bytes(), audit=DEMO_AUDIT,
                             agency_codes=partnership.agency_codes(), existing_refs=set()).cases
    drafts: list[Return] = []
    counters: dict[str, int] = {}
    with ws.transaction() as tx:
        journal = tx.raw(JOURNAL)
        next_journal = max((int(k) for k in journal), default=0)

        def log(at: datetime, action: str, entity: str, key: str, ref: str, **change: Any) -> None:
            nonlocal next_journal
            next_journal += 1
            entry = JournalEntry(at=at, who=login, action=action, entity=entity, key=key,
                                 summary=f"{action} {key}", audit=ref, **change)
            journal[str(next_journal)] = to_doc(entry)

        def store(table: str, obj: Any) -> dict[str, Any]:
            counters[table] = counters.get(table, 0) + 1
            doc = to_doc(obj)
            tx.raw(table)[str(counters[table])] = doc
            return doc

        for year in YEARS:
            for n in range(1, AUDITS_PER_YEAR + 1):
                ref = f"MACA-{year}-{n:02d}"
                start = datetime(year, 1 + n, 3, 9, 0)
                newest = year == YEARS[-1]
                audit = dataclasses.replace(
                    template, ref=ref, title=f"{template.title} ({year}, no. {n})",
                    lookback_start=date(year - 1, 1, 1), lookback_end=date(year - 1, 12, 31),
                    stage=Stage.FIELDWORK if newest else Stage.CLOSED, created_by=login, created_at=start, rev=1,
                )
                log(start, "create", "audits", ref, ref, after=store("audits", audit))
                picked, target = 0, rng.randint(4, 8)  # MACA cohorts are small
                for case in cases:
                    chosen = picked < target and rng.random() < 0.5
                    picked += chosen
                    store("cases", dataclasses.replace(case, audit=ref, in_cohort=chosen, rev=1,
                                                       decided_by=login if chosen else "",
                                                       decided_at=start if chosen else None))
                    if not chosen:
                        continue
                    for agency in audit.agencies:
                        status = Status.DRAFT if newest else Status.SUBMITTED
                        ret = _return(rng, audit, case.case_ref, agency, start + timedelta(days=30), login, status)
                        doc = store("returns", ret)
                        first = {k: doc[k] for k in ("audit", "case_ref", "agency", "status")}
                        log(start + timedelta(days=30), "create", "returns", ret.key, ref, after=first)
                        for qid in list(ret.answers)[:3]:  # a few autosaves, each a small diff
                            log(start + timedelta(days=35), "update", "returns", ret.key, ref,
                                before={"answers": {}}, after={"answers": {qid: doc["answers"][qid]}})
                        if newest:
                            drafts.append(ret)
                log(start, "import", "cases", ref, ref)
    return path.stat().st_size, drafts


def _floor_save(data: dict[str, Any], folder: Path) -> float:
    """json.dumps + write + fsync + rename of `data`: the least an atomic save costs."""
    start = time.perf_counter()
    payload = json.dumps(data).encode("utf-8")
    write_floor(payload, folder)
    return time.perf_counter() - start


def _saver() -> Callable[[Workspace, Return], Return]:
    try:
        from storage.returns import save_draft
    except ImportError:
        def save_draft(ws: Workspace, ret: Return, *, summary: str = "") -> Return:
            return ws.save(ret, act=Act.EDIT_RETURN, agency=ret.agency, summary=summary or "edited")
    return save_draft


def collect(runs: int) -> list[Figure]:
    save = _saver()
    with tempfile.TemporaryDirectory(prefix="maca-bench-save-") as tmp:
        folder = Path(tmp)
        path = folder / "ten-years.json"
        size, drafts = build_workspace(path)
        ws = Workspace.open(path, os_login())  # a fresh session, as the app's
        queue = iter(drafts)

        def maca() -> float:
            draft = next(queue)
            stored = ws.get_return(draft.audit, draft.case_ref, draft.agency)
            edited = set_answer(stored, ws.login, datetime(2024, 6, 3, 10, 0), next(iter(stored.answers)),
                                evidence=stored.answers[next(iter(stored.answers))].evidence + " Checked again.")
            start = time.perf_counter()
            saved = save(ws, edited)
            elapsed = time.perf_counter() - start
            assert saved.rev == stored.rev + 1, "the return was not saved"
            return elapsed

        def floor() -> float:
            return _floor_save(ws.storage.read() or {}, folder)

        # A save is cheap to repeat and a disk is noisy: at least 9 runs for a steadier median.
        runs = max(runs, 9)
        times = alternate({"maca": maca, "floor": floor}, runs)
        first = ws.get_return(drafts[0].audit, drafts[0].case_ref, drafts[0].agency)
        assert first is not None and first.rev == drafts[0].rev + 1
    return [
        Figure("4", f"save one return, 100 audits, {size / 1e6:.1f} MB workspace",
               median(times["maca"]) * 1000, median(times["floor"]) * 1000, "ms", max_ratio=1.3, runs=runs),
    ]


if __name__ == "__main__":
    standalone(collect, __doc__.splitlines()[0])
