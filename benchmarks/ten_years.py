"""A realistic ten-year partnership, written as the old single-file workspace.

100 audits (ten a year, 2015-2024), each the demo audit's scope and eight agencies'
tools; 300 candidate cases (the demo extract's 52, repeated under new references);
20 of them in the cohort, each with a return from every agency (160 returns with about
5 KB of answers); 10 discussions, 15 findings, 20 actions; and the journal the app
writes for that work.

The journal of typing a return is what the app's save path journals when an auditor
types it in the audit tool (DESIGN §7, issue 14 item 3): the return's first save (a
create entry holding the new draft), then one entry per field as its editor closes
(each answer, each section's grade, each overall text: the net change of that field,
narrowed by `storage.transaction.field_changes`, the function the app journals with),
then the submission.  Keystroke autosaves in between journal nothing (they are
deferred and settled), so the entries do not depend on how fast the auditor typed.
Typing those 16,000 returns for real through `storage.returns.save_draft` would take
hours; calling the same diff on the same documents writes the same lines in seconds.

It is built as raw documents (through the codec, so each is what maca writes) into one
dict of tables, the old layout, and moving it to a folder is `storage.migrate`'s job:
so the same builder feeds the migration's test (small `Scale`) and the benchmarks
(full scale).  `cached_folder` builds the folder once (a couple of minutes at full
scale) under `tmp/cache/` keyed by a hash of what shapes it, and `copy_of` hands each
benchmark its own copy.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from audit.codec import to_doc
from audit.csv_import import parse_candidates
from audit.findings import Action, ActionStatus, Attendee, Column, Discussion, Finding
from audit.grades import Answer, Grade
from audit.journal import JournalEntry
from audit.returns import QuestionAnswer, Return, SectionReturn, Status, StatusChange
from audit.scope import Audit, Stage
from storage.demo import DEMO_AUDIT, demo_audit, demo_partnership, sample_path
from storage.schema import JOURNAL, META, SCHEMA_VERSION

WORDS = ("the", "family", "was", "seen", "by", "health", "visitor", "at", "home", "and", "mother",
         "reported", "concerns", "about", "partner", "school", "attendance", "improved", "after",
         "referral", "to", "early", "help", "plan", "reviewed", "in", "core", "group", "meeting",
         "father", "not", "engaged", "with", "services", "records", "show", "no", "escalation")


@dataclass(frozen=True)
class Scale:
    years: int = 10
    audits_per_year: int = 10
    candidates: int = 300
    cohort: int = 20
    discussions: int = 10
    findings: int = 15
    actions: int = 20
    answer_words: tuple[int, int] = (14, 34)  # evidence per answer: ~5 KB of answers a return


FULL = Scale()
SMALL = Scale(years=10, audits_per_year=1, candidates=12, cohort=3, discussions=2, findings=3, actions=3,
              answer_words=(2, 6))


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


class _Tables:
    def __init__(self, login: str) -> None:
        self.data: dict[str, dict[str, Any]] = {}
        self.login = login

    def store(self, table: str, obj: Any) -> dict[str, Any]:
        docs = self.data.setdefault(table, {})
        doc = to_doc(obj)
        docs[str(len(docs) + 1)] = doc
        return doc

    def log(self, at: datetime, action: str, entity: str, key: str, ref: str, summary: str = "",
            **change: Any) -> None:
        entry = JournalEntry(at=at, who=self.login, action=action, entity=entity, key=key,
                             summary=summary or f"{action} {key}", audit=ref, **change)
        journal = self.data.setdefault(JOURNAL, {})
        journal[str(len(journal) + 1)] = to_doc(entry)


def _return(rng: random.Random, audit: Audit, case_ref: str, agency: str, when: datetime, who: str,
            status: Status, words: tuple[int, int]) -> Return:
    tool = audit.tools[agency]
    answers = {qid: QuestionAnswer(answer=rng.choice(list(Answer)), evidence=_text(rng, *words))
               for qid in tool.question_ids()}
    sections = {s.objective: SectionReturn(grade=rng.choice(list(Grade)), rationale=_text(rng, 6, 16))
                for s in tool.sections if s.graded}
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
        updated_at=when + timedelta(days=9), updated_by=who, rev=1 + len(answers),
    )


OVERALL = ("good_practice", "areas_for_development", "impact_on_child", "recommendations")
HEADER = ("involved", "involvement_period", "involvement_nature", "summary", "auditor_name", "auditor_role",
          "completed_on")


def _typed(t: _Tables, ret: Return, final: dict[str, Any], when: datetime, ref: str) -> None:
    """Journal return `ret` (stored as `final`) as typing it in the audit tool does: its
    first save, each field's net change as its editor closes, then its submission."""
    from audit.codec import complete
    from storage.transaction import field_changes

    where = f"edited {ret.agency}'s return for case {ret.case_ref}"
    blank = to_doc(Return(audit=ret.audit, case_ref=ret.case_ref, agency=ret.agency, status=Status.DRAFT,
                          history=ret.history[:1], updated_at=when, updated_by=ret.updated_by, rev=1))
    doc = complete(Return, blank)
    t.log(when, "create", "returns", ret.key, ref, summary=where, after=doc)
    full = complete(Return, final)
    steps: list[tuple[str, str | None]] = [(name, None) for name in HEADER]
    steps += [("answers", qid) for qid in full["answers"]]
    steps += [("sections", objective) for objective in full["sections"]]
    steps += [(name, None) for name in OVERALL]
    at = when
    for field, item in steps:
        at += timedelta(minutes=2)
        if item is None:
            new = {**doc, field: full[field]}
        else:
            new = {**doc, field: {**doc[field], item: full[field][item]}}
        new["updated_at"] = at.isoformat()
        before, after = field_changes(doc, new)
        if before or after:
            t.log(at, "update", "returns", ret.key, ref, summary=where, before=before, after=after)
        doc = new
    before, after = field_changes(doc, full)  # submitted (or left a draft, newest audit)
    if before or after:
        t.log(at, "update", "returns", ret.key, ref, summary=f"submitted {ret.agency}'s return", before=before,
              after=after)


def build_tables(login: str, scale: Scale = FULL) -> dict[str, dict[str, Any]]:
    """The old single file's tables for ten years of `scale` (deterministic)."""
    rng = random.Random(20150101)
    partnership, users = demo_partnership()
    t = _Tables(login)
    created = datetime(2015, 1, 5, 9, 0)
    t.data[META] = {"1": {"schema": SCHEMA_VERSION, "created_at": created.isoformat(), "created_by": login}}
    t.log(created, "create", "partnership", "partnership", "", after=t.store("partnership", dataclasses.replace(partnership, rev=1)))
    from audit.partnership import Role, User

    me = User(login=login, role=Role.LEAD, name="Lead", rev=1)
    for user in [me, *(dataclasses.replace(u, rev=1) for u in users if u.login != login)]:
        t.log(created, "create", "users", user.login, "", after=t.store("users", user))
    template = demo_audit(partnership.agency_codes())
    extract = parse_candidates(sample_path(f"{DEMO_AUDIT}-cases.csv").read_bytes(), audit=DEMO_AUDIT,
                               agency_codes=partnership.agency_codes(), existing_refs=set()).cases
    last_year = 2015 + scale.years - 1
    for year in range(2015, last_year + 1):
        for n in range(1, scale.audits_per_year + 1):
            ref = f"MACA-{year}-{n:02d}"
            start = datetime(year, 1 + n % 12, 3, 9, 0)
            newest = year == last_year
            audit = dataclasses.replace(
                template, ref=ref, title=f"{template.title} ({year}, no. {n})",
                lookback_start=date(year - 1, 1, 1), lookback_end=date(year - 1, 12, 31),
                stage=Stage.FIELDWORK if newest else Stage.CLOSED, created_by=login, created_at=start, rev=1,
            )
            t.log(start, "create", "audits", ref, ref, after=t.store("audits", audit))
            cohort: list[str] = []
            for i in range(scale.candidates):
                base = extract[i % len(extract)]
                case_ref = base.case_ref if i < len(extract) else f"{base.case_ref}-{i // len(extract)}"
                chosen = len(cohort) < scale.cohort and (i % max(1, scale.candidates // scale.cohort) == 0
                                                         or scale.candidates - i <= scale.cohort - len(cohort))
                if chosen:
                    cohort.append(case_ref)
                t.store("cases", dataclasses.replace(base, audit=ref, case_ref=case_ref, in_cohort=chosen, rev=1,
                                                     decided_by=login if chosen else "",
                                                     decided_at=start if chosen else None))
            t.log(start, "import", "cases", ref, ref, summary=f"imported {scale.candidates} candidate cases")
            typed = start + timedelta(days=30)
            for case_ref in cohort:
                for agency in audit.agencies:
                    status = Status.DRAFT if newest else Status.SUBMITTED
                    ret = _return(rng, audit, case_ref, agency, typed, login, status, scale.answer_words)
                    _typed(t, ret, t.store("returns", ret), typed, ref)
            for d in range(scale.discussions):
                subject = cohort[d % len(cohort)] if cohort else f"S{d}"
                disc = Discussion(audit=ref, subject=subject, held_on=(start + timedelta(days=60)).date(),
                                  attendees=[Attendee(a, "Named professional") for a in audit.agencies[:4]],
                                  agreed_grades={o.id: rng.choice(list(Grade)) for o in audit.objectives},
                                  worked_well=[_text(rng, 8, 16)], worked_less_well=[_text(rng, 8, 16)],
                                  notes=_text(rng, 30, 60), updated_by=login, updated_at=start, rev=1)
                if any(x["subject"] == subject for x in t.data.get("discussions", {}).values()
                       if x["audit"] == ref):
                    continue
                t.log(start + timedelta(days=60), "create", "discussions", disc.key, ref,
                      after=t.store("discussions", disc))
            for f in range(1, scale.findings + 1):
                finding = Finding(audit=ref, id=f"F{f}", column=list(Column)[f % len(Column)],
                                  title=_text(rng, 3, 6), text=_text(rng, 20, 40),
                                  cases=cohort[:2], agencies=audit.agencies[:2], position=f,
                                  created_by=login, created_at=start + timedelta(days=70), rev=1)
                t.log(start + timedelta(days=70), "create", "findings", finding.key, ref,
                      after=t.store("findings", finding))
            for a in range(1, scale.actions + 1):
                action = Action(audit=ref, id=f"A{a}", finding_id=f"F{1 + a % max(1, scale.findings)}",
                                description=_text(rng, 10, 20), owner=audit.agencies[a % len(audit.agencies)],
                                due=(start + timedelta(days=200)).date(),
                                status=ActionStatus.COMPLETE if not newest else ActionStatus.PROPOSED, rev=1)
                t.log(start + timedelta(days=80), "create", "actions", action.key, ref,
                      after=t.store("actions", action))
    return t.data


# --------------------------------------------------------------------------- the cache

CACHE = Path(__file__).resolve().parents[1] / "tmp" / "cache"
# The cache's key: the schema version, the scale, the login, and these files (the builder,
# the folder layout and the summaries in it).  A change elsewhere that changes what is stored bumps
# SCHEMA_VERSION; anything else that should rebuild it bumps BUILD.
BUILD = 1
SHAPED_BY = ("benchmarks/ten_years.py", "storage/migrate.py", "storage/layout.py", "storage/summary.py")


def cache_key(scale: Scale, login: str) -> str:
    root = CACHE.parents[1]
    digest = hashlib.sha256(f"{BUILD} {scale!r} {SCHEMA_VERSION} {login}".encode())
    for name in SHAPED_BY:
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Built:
    folder: Path  # the cached workspace folder: copy it (`copy_of`) before writing to it
    old_file_bytes: int  # the size of the same workspace as one file of the old layout
    build_seconds: float  # building the tables and writing the old file
    migrate_seconds: float  # moving it into a folder (storage.migrate)


def cached_folder(scale: Scale = FULL, login: str | None = None, *, name: str = "",
                  cache: Path = CACHE) -> Built:
    """The workspace folder of `scale`, built once (untimed by the benchmarks) and kept
    under tmp/cache/NAME-KEY; older builds of the same name are removed."""
    import orjson
    from filelock import FileLock

    from storage.layout import Layout
    from storage.lock import os_login
    from storage.migrate import migrate

    login = login or os_login()
    name = name or ("ten-years" if scale == FULL else "scale")
    key = cache_key(scale, login)
    target, info = cache / f"{name}-{key}", cache / f"{name}-{key}.info.json"
    cache.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cache / f".{name}.lock")):
        if not (Layout(target).is_workspace() and info.exists()):
            for old in cache.glob(f"{name}-*"):  # an older version's build
                shutil.rmtree(old) if old.is_dir() else old.unlink()
            print(f"building the {name} workspace (once, cached in {cache}) ...", file=sys.stderr, flush=True)
            with tempfile.TemporaryDirectory(dir=cache, prefix=f".{name}-building-") as tmp:
                started = time.perf_counter()
                old_file = Path(tmp) / "ws.json"
                old_file.write_bytes(orjson.dumps(build_tables(login, scale)))
                built = time.perf_counter() - started
                started = time.perf_counter()
                folder = migrate(old_file, login)
                moved = time.perf_counter() - started
                os.rename(folder, target)
                info.write_text(json.dumps({"old_file_bytes": old_file.stat().st_size, "build_seconds": built,
                                            "migrate_seconds": moved}))
            print(f"  built in {built:.0f} s, moved into a folder in {moved:.0f} s", file=sys.stderr, flush=True)
    facts = json.loads(info.read_text())
    return Built(target, facts["old_file_bytes"], facts["build_seconds"], facts["migrate_seconds"])


def copy_of(built: Built, dest: Path) -> Path:
    """A private copy of a cached workspace folder at `dest`.  Past months' journal files
    are hard links (the journal is only ever appended to, in the current month's file,
    and the newest file is copied in case that is the current month)."""
    journal = sorted((built.folder / "journal").glob("*.jsonl"))
    newest = journal[-1] if journal else None

    def copy(src: str, dst: str) -> object:
        path = Path(src)
        if path.parent.name == "journal" and path != newest:
            os.link(src, dst)
            return dst
        return shutil.copy2(src, dst)

    shutil.copytree(built.folder, dest, copy_function=copy)
    return dest
