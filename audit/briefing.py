"""The 7-minute learning briefing (issue 19 item 4) and the record of its dissemination.

One page for practitioners under the seven usual headings.  Until the lead saves their
own words, each section is pre-filled from the audit: its background, purpose,
accepted findings, recommendations with their actions, and objectives.  The lead edits
the text in the app; every section is people's text and enters the briefing through
:meth:`audit.report_sections.Writer.said`, so the export guard checks it for
identifiers exactly as it checks the report.

Decisions where the issue is silent:

- A section is a few lines; a line starting with ``-`` or ``•`` is a bullet, any other
  line a paragraph.  maca makes the list: the words themselves are escaped.
- Each section holds at most 1,500 characters, so the seven fit on one page.
- The partnership's protective marking heads and ends the briefing, as it does the
  report; the briefing has no version of its own.
- Dissemination (seminars and briefings delivered, with dates and the agencies
  reached) is recorded beside it, never printed in it.  One record is what makes maca
  propose the stage *learning shared*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from audit import markdown as md
from audit.dates import format_uk
from audit.findings import Action, Column, Finding
from audit.guard import Place, Quoted
from audit.partnership import Partnership
from audit.scope import Audit
from audit.text import natural_key

if TYPE_CHECKING:
    from audit.report_sections import Writer

MAX_SECTION = 1_500
MAX_NOTE = 500

HEADINGS: list[tuple[str, str]] = [
    ("background", "Background"),
    ("why", "Why it matters"),
    ("found", "What we found"),
    ("good", "What good looks like"),
    ("change", "What needs to change"),
    ("questions", "Questions for practitioners"),
    ("more", "Where to find more"),
]
TITLES = dict(HEADINGS)


@dataclass(slots=True)
class Briefing:
    """The lead's words for each heading (by id); a heading not saved yet is pre-filled."""

    audit: str
    sections: dict[str, str] = field(default_factory=dict)
    updated_by: str = ""
    updated_at: datetime | None = None
    rev: int = 0

    @property
    def key(self) -> str:
        return self.audit


class Delivery(StrEnum):
    BRIEFING = "briefing"
    SEMINAR = "seminar"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"briefing": "7-minute briefing", "seminar": "seminar or learning event",
                "other": "other"}[self.value]


@dataclass(slots=True)
class Dissemination:
    """A seminar or briefing delivered: when, how, to which agencies."""

    audit: str
    id: str  # L1, L2 ...
    kind: Delivery = Delivery.BRIEFING
    held_on: date | None = None
    agencies: list[str] = field(default_factory=list)
    reached: int = 0  # practitioners reached, when known
    note: str = ""
    recorded_by: str = ""
    recorded_at: datetime | None = None
    rev: int = 0

    @property
    def key(self) -> str:
        return f"{self.audit}/{self.id}"


def dissemination_problems(d: Dissemination, codes: list[str]) -> list[str]:
    problems = []
    if d.held_on is None:
        problems.append("Give the date it was delivered.")
    unknown = [c for c in d.agencies if c not in codes]
    if unknown:
        problems.append(f"Unknown agency {', '.join(unknown)}.")
    if not d.agencies:
        problems.append("Name at least one agency reached.")
    if d.reached < 0 or d.reached > 100_000:
        problems.append("The number reached must be a whole number from 0 to 100,000.")
    if len(d.note) > MAX_NOTE:
        problems.append(f"The note is longer than {MAX_NOTE} characters.")
    return problems


def section_problems(sections: dict[str, str]) -> list[str]:
    return [f"{TITLES.get(k, k)} is longer than {MAX_SECTION:,} characters." for k, v in sections.items()
            if len(v) > MAX_SECTION] + [f"There is no briefing heading {k!r}." for k in sections if k not in TITLES]


# ------------------------------------------------------------------ pre-filling


def _first_paragraph(text: str) -> str:
    return next((p.strip() for p in text.split("\n\n") if p.strip()), "")


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {' '.join(i.split())}" for i in items if i.strip())


def _cut(text: str) -> str:
    return text if len(text) <= MAX_SECTION else text[: MAX_SECTION - 1].rstrip() + "…"


def prefill(audit: Audit, findings: list[Finding], actions: list[Action]) -> dict[str, str]:
    """Each heading's first draft, from the audit's scope and accepted findings."""
    accepted = sorted((f for f in findings if f.audit == audit.ref and not f.proposed),
                      key=lambda f: (list(Column).index(f.column), f.position, natural_key(f.id)))
    strengths = [f.title for f in accepted if f.column is Column.STRENGTH]
    developments = [f.title for f in accepted if f.column is Column.DEVELOPMENT]
    changes = []
    for rec in (f for f in accepted if f.column is Column.RECOMMENDATION):
        mine = sorted((a for a in actions if a.finding_id == rec.id), key=lambda a: natural_key(a.id))
        owners = ", ".join(dict.fromkeys(a.owner for a in mine if a.owner))
        changes.append(rec.title + (f" ({owners})" if owners else ""))
    review = f" It follows review {audit.linked_review}." if audit.linked_review.strip() else ""
    background = (_first_paragraph(audit.background) or f"The partnership audited {audit.title}.") + review
    found = _bullets([f"Strength: {t}" for t in strengths] + [f"To develop: {t}" for t in developments])
    questions = [f"{o.title.strip().rstrip('.?')}: what does it look like in a family you work with now?"
                 for o in audit.objectives[:4]]
    questions.append("What will you do differently after reading this briefing?")
    return {
        "background": _cut(background),
        "why": _cut(_bullets(audit.purpose) or "The audit tested whether learning is embedded in practice."),
        "found": _cut(found or "No findings have been agreed yet."),
        "good": _cut(_bullets(strengths) or "No strengths have been agreed yet."),
        "change": _cut(_bullets(changes) or "No recommendations have been agreed yet."),
        "questions": _cut(_bullets(questions)),
        "more": _cut(f"The full report of {audit.ref}, {audit.title}, from the partnership's quality "
                     "assurance team, and your agency's audit co-ordinator."),
    }


def texts(briefing: Briefing | None, filled: dict[str, str]) -> dict[str, str]:
    """Each heading's text: the lead's where saved, else the pre-filled draft."""
    saved = briefing.sections if briefing is not None else {}
    return {key: saved[key] if key in saved else filled.get(key, "") for key, _ in HEADINGS}


# ------------------------------------------------------------------ the page


@dataclass(frozen=True, slots=True)
class BriefingPage:
    markdown: str
    quoted: list[Quoted]  # people's text, for the guard
    audit: str


def place(ref: str, key: str) -> Place:
    return Place(f"briefing, {TITLES[key].lower()}", "briefing", ref, f"sections.{key}")


def _section(out: Writer, ref: str, key: str, text: str) -> None:
    bullets: list[str] = []
    where = place(ref, key)
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line[:1] in ("-", "•", "*") and line[1:2] == " ":
            bullets.append(out.said(line[2:].strip(), where))
            continue
        if bullets:
            out.bullets(bullets)
            bullets = []
        out.para(out.said(line, where))
    if bullets:
        out.bullets(bullets)
    if not text.strip():
        out.para("Not written yet.")


def briefing_markdown(audit: Audit, partnership: Partnership, sections: dict[str, str], today: date) -> BriefingPage:
    """The one-page briefing in Markdown, with every piece of people's text recorded."""
    # Imported here: the models above are read at every start (storage.schema), the
    # report's writer only when a briefing is made.
    from audit import places
    from audit.report_sections import Writer

    out = Writer()
    out.said(audit.title, places.scope(audit, "title", "title"))
    mark = md.inline(partnership.marking.strip()) if partnership.marking.strip() else ""
    if mark:
        out.para(f"**{mark}**")
    out.heading(1, f"7-minute briefing: {audit.title}")
    name = out.said(partnership.name, places.partnership())
    out.para(f"{name}: learning from {audit.kind.label} {md.inline(audit.ref)}, {format_uk(today)}.")
    for n, (key, title) in enumerate(HEADINGS, start=1):
        out.heading(2, title, number=n)
        _section(out, audit.ref, key, sections.get(key, ""))
    if mark:
        out.para(f"**{mark}**")
    return BriefingPage(out.text(), out.quoted, audit.ref)
