"""The Cohort section's longer flows: add/remove with a reason, random draw, CSV import.

Each is a method of `CohortEdits`, which the section holds as `edits`: a coroutine run in
the section's worker (it waits for forms and confirmations).
Refusals say why (the sentence from `Workspace.require`), never a silent no-op, and
nothing is saved until the user has seen what will happen and said yes.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.worker import Worker, WorkerFailed

from audit.access import Act
from audit.cases import CandidateCase
from audit.confirm import FACTS, MAX_SOURCE, confirm, confirmation_of, shown_value
from audit.criteria import Outcome
from audit.csv_import import ImportResult
from audit.draw import BALANCE_FIELDS, Lookback, balance_field, balance_function, draw, new_seed, strata_counts
from audit.scope import Draw
from screens.access import allowed
from screens.cohort.modals import ReportScreen
from screens.cohort.rows import CohortRow
from screens.context import ctx
from screens.dialogs.form import FormField, FormScreen
from storage.case_trail import case_trail
from screens.saving import commit, tell
from storage.cohort import MAX_REASON, confirm_fact as save_confirmation, import_candidates, record_draw, set_in_cohort
from storage.errors import WorkspaceError

if TYPE_CHECKING:
    from screens.cohort.section import CohortSection

MAX_IMPORT_BYTES = 200 * 1024 * 1024  # far beyond any real extract; refuse before reading it all
NO_BALANCE = "none"


def _cases(n: int) -> str:
    return "1 case" if n == 1 else f"{n:,} cases"


def _check_path(values: dict[str, Any]) -> list[str]:
    path = Path(values["path"]).expanduser()
    if not path.exists():
        return [f"There is no file at {path}."]
    if path.is_dir():
        return [f"{path} is a folder; give the path of a CSV file."]
    try:
        size = path.stat().st_size
    except OSError as exc:
        return [f"{path} cannot be read ({exc.strerror})."]
    if size > MAX_IMPORT_BYTES:
        return [f"{path} is {size // (1024 * 1024):,} MB; the most a candidate extract may be is "
                f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB."]
    return []


class CohortEdits:
    """The section's longer steps, each run in one of its workers (it waits for forms and
    confirmations); the section holds one as `edits`."""

    def __init__(self, section: CohortSection) -> None:
        self.section = section

    def allowed(self, act: Act, key: str = "") -> bool:
        return allowed(self.section, act, audit=self.section.audit_ref, key=key or self.section.audit_ref)

    def cohort_size(self) -> tuple[int, int]:
        """(cases in the cohort, target) as last read."""
        audit = ctx(self.section.app).ws.audit(self.section.audit_ref)
        return sum(1 for row in self.section.cache.rows if row.case.in_cohort), audit.cohort_target

    def why_not_eligible(self, row: CohortRow) -> str:
        audit = ctx(self.section.app).ws.audit(self.section.audit_ref)
        parts = []
        for n, criterion in enumerate(audit.criteria, start=1):
            result = row.results.get(criterion.id)
            if result is not None and result.outcome is not Outcome.MET:
                mark = "✗" if result.outcome is Outcome.UNMET else "?"
                parts.append(f"{mark} C{n} {criterion.label}: {result.reason}")
        return "\n".join(parts)

    # ------------------------------------------------------------------ confirm a fact

    async def confirm_fact(self, row: CohortRow) -> None:
        """f: a fact the lead confirmed at screening ("unborn: confirmed by CSC"), set on the
        case so that screening, the profile and the report count it."""
        section = self.section
        app = section.app
        c = ctx(app)
        case = row.case
        if not self.allowed(Act.EDIT_COHORT, case.key):
            return
        # Facts not yet recorded first: those are what a lead usually checks.
        facts = sorted(FACTS, key=lambda f: getattr(case, f) not in (None, ""))
        options = [(f"{FACTS[f][0]} (now {shown_value(getattr(case, f))})", f) for f in facts]

        def check(v: dict[str, Any]) -> list[str]:
            try:
                confirm(case, v["fact"], v["value"] or "", v["source"] or "", by=c.ws.login, at=None)
            except ValueError as exc:
                return [str(exc)]
            return []

        values = await app.push_screen_wait(FormScreen(f"Confirm a fact · {case.case_ref}", [
            FormField("fact", "Fact", "select", facts[0], options, required=True,
                      hint="Set on the case: screening, the cohort profile and the report count it."),
            FormField("value", "Confirmed value", required=True, max_length=120,
                      hint="As in the CSV: yes or no, a number, or a gender, ethnicity or level of intervention."),
            FormField("source", "Confirmed by", required=True, max_length=MAX_SOURCE,
                      hint="The agency or record, such as CSC or midwifery booking (not a person's name)."),
        ], check, save_label="Confirm"))
        if values is None:
            return

        def save() -> CandidateCase:
            return save_confirmation(c.ws, section.audit_ref, case.case_ref, values["fact"], values["value"],
                                     values["source"], expected_rev=case.rev)

        saved = await commit(section, save, done=None, retry=False,
                             conflict=f"{case.case_ref} was changed by someone else meanwhile; nothing was saved. "
                                      "Look again and confirm the fact again if it is still needed.")
        if saved is None:
            return
        done = confirmation_of(saved, values["fact"])
        assert done is not None
        tell(section, f"{saved.case_ref}: {FACTS[done.fact][0].lower()} is {done.value}, confirmed by {done.source} "
                      f"(was {done.was}).")

    # ------------------------------------------------------------------ add / remove

    async def toggle(self, row: CohortRow) -> None:
        """space: add the case to the cohort or take it out, with a reason where one is needed."""
        app = self.section.app
        c = ctx(app)
        case = row.case
        if not self.allowed(Act.EDIT_COHORT, case.key):
            return
        self.section.ensure_screened()
        adding = not case.in_cohort
        if adding and row.eligible is not True:
            state = "not eligible" if row.eligible is False else "of unknown eligibility"
            title = f"Add {case.case_ref} to the cohort — it is {state}"
            hint = self.why_not_eligible(row) + "\nA reason is required."
            field = FormField("reason", "Why add it anyway?", required=True, max_length=MAX_REASON, hint=hint)
        elif adding:
            title = f"Add {case.case_ref} to the cohort"
            field = FormField("reason", "Reason (optional)", max_length=MAX_REASON,
                              hint="It meets every criterion. The reason is kept with the case and journaled.")
        else:
            title = f"Take {case.case_ref} out of the cohort"
            hint = "A reason is required; it is kept with the case and journaled."
            trail = case_trail(c.ws, self.section.audit_ref, case.case_ref)
            if not trail.empty:
                # What stays behind, before the lead confirms: nothing is deleted, and every
                # finding that still cites the case is flagged on the board and in the report.
                hint = ("Kept with the case (nothing is deleted):\n" + "\n".join(f"• {line}" for line in trail.lines()) + "\n"
                        + ("The board and the report will flag those findings as citing a case outside the "
                           "cohort until they are edited.\n" if trail.findings else "")
                        + hint)
            field = FormField("reason", "Why set it aside?", required=True, max_length=MAX_REASON, hint=hint)
        values = await app.push_screen_wait(FormScreen(title, [field]))
        if values is None:
            return
        seen = [case.rev]  # the version the lead looked at; after a conflict, theirs

        def save() -> CandidateCase:
            latest = c.ws.case(self.section.audit_ref, case.case_ref)
            expected = seen.pop() if seen else (latest.rev if latest is not None else case.rev)
            return set_in_cohort(c.ws, self.section.audit_ref, case.case_ref, adding, values["reason"] or "",
                                 expected_rev=expected, today=c.today())

        saved = await commit(self.section, save, done=None)
        if saved is None:
            return
        target = c.ws.audit(self.section.audit_ref).cohort_target
        size = sum(1 for row in c.ws.cases(self.section.audit_ref) if row.in_cohort)
        verb = "Added" if saved.in_cohort else "Took"
        where = "to" if saved.in_cohort else "out of"
        message = f"{verb} {saved.case_ref} {where} the cohort ({size}/{target})."
        if size > target:
            message += f" ▲ The cohort is over its target of {target}."
        tell(self.section, message)

    async def random_draw(self) -> None:
        """r: draw N of the eligible cases not yet in the cohort, seed shown, then confirm."""
        app = self.section.app
        c = ctx(app)
        if not self.allowed(Act.EDIT_COHORT):
            return
        self.section.ensure_screened()
        audit = c.ws.audit(self.section.audit_ref)
        pool = {row.case.case_ref: row.case for row in self.section.cache.rows
                if row.eligible is True and not row.case.in_cohort}
        if not pool:
            tell(self.section, "No eligible case is left to draw from: every eligible case is already in the cohort.")
            return
        size_now, target = self.cohort_size()
        suggested = max(1, min(len(pool), target - size_now))

        def check(v: dict[str, Any]) -> list[str]:
            problems = []
            if not 1 <= v["size"] <= len(pool):
                problems.append(f"Draw from 1 to {len(pool)}: {_cases(len(pool))} eligible and not yet in "
                                "the cohort.")
            if not 0 <= v["seed"] <= 999_999_999:
                problems.append("The seed is a whole number from 0 to 999,999,999.")
            return problems

        options = [("no balancing", NO_BALANCE)] + [(f.label, f.id) for f in BALANCE_FIELDS]
        values = await app.push_screen_wait(FormScreen(f"Random draw · {audit.ref}", [
            FormField("size", "Cases to draw", "int", suggested, required=True,
                      hint=f"{_cases(len(pool))} eligible and not in the cohort yet; the cohort has "
                           f"{size_now} of a target of {target}."),
            FormField("seed", "Seed", "int", new_seed(), required=True,
                      hint="Note it down: the same seed with the same eligible cases draws the same cases."),
            FormField("balance", "Balance across", "select", NO_BALANCE, options, required=True,
                      hint="Balanced: cases are taken in turn from each group (e.g. 0, 1, 2, 3+ older siblings)."),
        ], check, save_label="Draw"))
        if values is None:
            return
        size, seed, balance = values["size"], values["seed"], values["balance"]
        lookback = Lookback(audit.lookback_start, audit.lookback_end, c.today())
        by = balance_function(balance, pool, lookback) if balance != NO_BALANCE else None
        picked = draw(list(pool), size, seed=seed, balance_by=by)

        body = Text()
        body.append(f"Seed {seed}", style="bold")
        body.append(f" · {size} of {_cases(len(pool))} eligible and not yet in the cohort")
        if by is not None:
            label = balance_field(balance).label.split(" (")[0]
            body.append(f"\nBalanced across {label}. In the pool: ")
            body.append(" · ".join(f"{k}: {n}" for k, n in strata_counts(pool, by).items()))
            body.append("\nDrawn: ")
            body.append(" · ".join(f"{k}: {n}" for k, n in strata_counts(picked, by).items()))
        body.append("\n\n")
        for n, ref in enumerate(picked, start=1):
            body.append(f"{n:>4}. {ref}" + (f"   ({by(ref)})" if by else "") + "\n")
        over = size_now + size > target
        question = "Add this case to the cohort?" if size == 1 else f"Add these {size} cases to the cohort?"
        if over:
            question = (f"▲ This takes the cohort to {size_now + size} of a target of {target} — over target. "
                        + question)
        if not await app.push_screen_wait(ReportScreen(f"Random draw · {audit.ref}", body, question=question,
                                                       yes="add them")):
            tell(self.section, "Nothing was drawn.")
            return
        done = await commit(self.section, lambda: record_draw(c.ws, self.section.audit_ref, picked,
                                                         Draw(seed=seed, size=size, balance_by=balance if by else ""),
                                                         allow_over_target=over, today=c.today()),
                            done=None, retry=False)
        if done is None:
            return
        drew = f"Drew 1 case with seed {seed}; it is" if size == 1 else f"Drew {size} cases with seed {seed}; they are"
        tell(self.section, f"{drew} in the cohort ({size_now + size}/{target}).")

    async def import_csv(self) -> None:
        """i: choose a file, see the validation report, confirm; all or nothing."""
        app = self.section.app
        c = ctx(app)
        if not self.allowed(Act.IMPORT_CASES):
            return
        if c.served is not None:  # no server path: the CSV comes up the SSH channel
            from screens.dialogs.ssh_command import SshCommandScreen

            ref = self.section.audit_ref
            app.push_screen(SshCommandScreen(
                f"Import candidate cases into {ref}",
                "Run these on your own computer, with the name of your CSV file after <: first the check "
                "(nothing is imported), then the import. Nothing is imported unless every row is valid; "
                "the cohort here shows the new cases as soon as it is done.",
                [("Check the file (dry run)", c.served.send(["import-cases", ref, "--dry-run"], "cases.csv")),
                 ("Import it", c.served.send(["import-cases", ref], "cases.csv"))]))
            return
        values = await app.push_screen_wait(FormScreen(f"Import candidate cases into {self.section.audit_ref}", [
            FormField("path", "CSV file on this server", required=True, max_length=4096,
                      hint="UTF-8, a header row, columns as in the README (case_ref required). Nothing is "
                           "imported unless every row is valid."),
        ], _check_path, save_label="Check the file"))
        if values is None:
            return
        path = Path(values["path"]).expanduser()
        from audit.files import MB, read_regular_file

        try:
            data = read_regular_file(path, limit=500 * MB, what="CSV file")
        except ValueError as exc:
            tell(self.section, f"{str(exc).rstrip('.')}; nothing was imported.", error=True)
            return
        ws = c.ws
        audit = ws.audit(self.section.audit_ref)
        existing = {case.case_ref for case in ws.cases(audit.ref)}
        self.section.show_progress(f"Checking {path.name}…", 0, None)
        try:
            # @work's typing loses the method's return type; the worker's is written here.
            parsing: Worker[tuple[ImportResult, list[bool | None]]] = self.section.parse_in_thread(
                data, audit, ws.partnership().agency_codes(), existing, c.today())
            result, eligible = await parsing.wait()
        except WorkerFailed as exc:
            tell(self.section, f"{path.name} could not be checked ({exc.error}); nothing was imported.", error=True)
            return
        finally:
            self.section.hide_progress()

        if not result.ok:
            count = result.problem_count or len(result.problems)
            body = Text()
            body.append(f"{count} problem{'s' * (count != 1)} in {path.name}; nothing was imported. "
                        "Fix the file and import it again.\n\n")
            for problem in result.problems:
                body.append(f"{problem}\n")
            await app.push_screen_wait(ReportScreen(f"Import refused · {path.name}", body, refused=True))
            return
        if not result.cases:
            tell(self.section, f"{path.name} has a header but no cases; nothing was imported.", error=True)
            return
        n = len(result.cases)
        body = Text()
        body.append(f"{n:,} case{'s' * (n != 1)}", style="bold")
        if eligible:
            body.append(f", {sum(e is True for e in eligible):,} eligible", style="green")
            body.append(f", {sum(e is None for e in eligible):,} unknown", style="yellow")
            body.append(f", {sum(e is False for e in eligible):,} not eligible", style="red")
        body.append(".\n\n")
        shown = result.cases[:50]
        body.append("\n".join(case.case_ref for case in shown))
        if n > len(shown):
            body.append(f"\n… and {n - len(shown):,} more")
        if not await app.push_screen_wait(ReportScreen(
                f"Import {path.name} into {audit.ref}", body, question=f"Import {_cases(n)}?", yes="import")):
            tell(self.section, "Nothing was imported.")
            return
        self.section.show_progress(f"Saving {_cases(n)}…", None, None)
        worker = self.section.run_worker(partial(import_candidates, ws, audit, result.cases, source=path.name),
                                    thread=True, exit_on_error=False, group="cohort-save")
        try:
            await worker.wait()
        except WorkerFailed as exc:
            error = exc.error
            if isinstance(error, WorkspaceError):  # refused, a conflict, busy, a failed write
                tell(self.section, f"{error} Nothing was imported.", error=True)
            else:
                tell(self.section, f"{path.name} could not be saved ({error}); nothing was imported.", error=True)
            return
        finally:
            self.section.hide_progress()
        tell(self.section, f"Imported {n:,} candidate case{'s' * (n != 1)} from {path.name}.")
