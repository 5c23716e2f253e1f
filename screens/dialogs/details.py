"""Read-only detail cards for a case or an agency, opened from the palette."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from rich.text import Text
from textual.widgets import Static

from audit.access import Act
from audit.cases import CandidateCase
from audit.criteria import Outcome
from audit.dates import format_uk
from screens.context import ctx
from screens.dialogs.base import Dialog
from screens.widgets.footer import Footer

OUTCOME_MARK = {Outcome.MET: ("✓ met", "green"), Outcome.UNMET: ("✗ unmet", "red"), Outcome.UNKNOWN: ("? unknown", "yellow")}


class InfoScreen(Dialog[None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape,q,enter", "close", "Close", id="details.close")]

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self.info_title = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.info_title), id="info-title", classes="dialog-title")
            with VerticalScroll():
                yield Static(self.body)
            yield Static("esc closes", id="info-keys", classes="dialog-keys")
        yield Footer()

    def on_resize(self) -> None:
        # The text scrolls inside the box (as the help's keys do), which keeps "esc closes"
        # in view: at 80x24 a journal entry filled the box and was cut at its border.
        # The box may be 90% of the screen above the footer; border, title and foot take 4.
        room = int((self.size.height - 1) * 0.9) - 4
        for scroller in self.query(VerticalScroll):  # none yet when a resize comes before compose
            scroller.styles.max_height = max(3, min(30, room))


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "not recorded"}[value]


def _count(value: int | None) -> str:
    return "not recorded" if value is None else str(value)


def case_text(app: App, case: CandidateCase) -> Text:
    """Everything a lead may see about a case; identifiers only for leads and co-ordinators."""
    c = ctx(app)
    ws = c.ws
    audit = ws.audit(case.audit)
    text = Text()

    def line(label: str, value: str, style: str = "", fact: str = "") -> None:
        text.append(f"{label}: ", style="bold")
        text.append(value, style=style)
        confirmed = next((c for c in case.confirmed or () if c.fact == fact), None) if fact else None
        if confirmed is not None:  # people's text: appended as Text, never markup
            text.append(f"  (confirmed by {confirmed.source} at screening, {format_uk(confirmed.at, '?')}; "
                        f"was {confirmed.was})", style="italic")
        text.append("\n")

    line("In the cohort", "yes ■" if case.in_cohort else "no ·")
    if case.decision_reason:
        line("Reason", case.decision_reason)
    line("Unborn baby", _yes_no(case.unborn), fact="unborn")
    line("Older siblings", _count(case.older_siblings), fact="older_siblings")
    line("Domestic abuse", _yes_no(case.domestic_abuse), fact="domestic_abuse")
    line("Substance misuse", _yes_no(case.substance_misuse), fact="substance_misuse")
    line("Maternal mental health", _yes_no(case.maternal_mental_health), fact="maternal_mental_health")
    line("Males in household", _count(case.males_in_household), fact="males_in_household")
    if case.engagement is None:
        line("Engagement", "not recorded")
    elif not case.engagement:
        line("Engagement", "none")
    else:
        periods = [f"{e.agency} {format_uk(e.start, '?')}–{format_uk(e.end, 'ongoing')}" for e in case.engagement]
        line("Engagement", "; ".join(periods))
    line("Gender", case.gender or "not recorded", fact="gender")
    line("Ethnicity", case.ethnicity or "not recorded", fact="ethnicity")
    line("Level of intervention", case.level_of_intervention or "not recorded", fact="level_of_intervention")
    if audit.lookback_start and audit.lookback_end:
        from audit.screening import screen_cases

        screened = screen_cases(audit, [case], c.today())[0]
        text.append("\nCriteria\n", style="bold underline")
        for criterion in audit.criteria:
            result = screened.results[criterion.id]
            mark, style = OUTCOME_MARK[result.outcome]
            text.append(f"{mark:<10}", style=style)
            text.append(f" {criterion.label}: {result.reason}\n")
        eligible = {True: "✓ eligible", False: "✗ not eligible", None: "? eligibility unknown"}[screened.eligible]
        text.append(eligible + "\n", style="bold")
    if ws.can(Act.VIEW_IDENTIFIERS):
        text.append("\nIdentifiers (never exported)\n", style="bold underline")
        line("Family name", case.family_name or "—")
        line("Child's date of birth", format_uk(case.child_dob, "—"))
        line("System ids", case.system_ids or "—")
        line("Notes", case.notes or "—")
    else:
        text.append("\nIdentifiers are shown to leads and co-ordinators only.\n", style="italic")
    return text


def case_details(app: App, ref: str, case_ref: str) -> InfoScreen:
    case = ctx(app).ws.case(ref, case_ref)
    if case is None:
        return InfoScreen(f"Case {case_ref}", Text("This case is no longer in the audit."))
    return InfoScreen(f"Case {case_ref} · {ref}", case_text(app, case))


def agency_details(app: App, code: str) -> InfoScreen:
    ws = ctx(app).ws
    partnership = ws.partnership()
    text = Text()
    text.append("Name: ", style="bold")
    text.append(partnership.agency_name(code) + "\n")
    coordinators = [u for u in ws.users() if code in u.agencies]
    text.append("Audit co-ordinators: ", style="bold")
    text.append(", ".join(f"{u.login} ({u.name})" if u.name else u.login for u in coordinators) or "none yet")
    text.append("\n")
    audits = [a.ref for a in ws.audits() if code in a.agencies]
    text.append("Takes part in: ", style="bold")
    text.append(", ".join(audits) or "no audit yet")
    return InfoScreen(f"Agency {code}", text)
