"""The command palette (ctrl+p): actions, audits, sections, cases and agencies by name.

Textual reads hit text and help as markup, so every user-supplied name goes through
`Content(...)` (plain) or `escape` before it reaches the palette.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

from screens.audit.screen import AuditScreen
from screens.audit.sections import SECTIONS
from storage.errors import WorkspaceError

if TYPE_CHECKING:
    from audit.findings import Finding
    from tui.app import MacaApp

Command = tuple[str, Callable[[], object], str]


class MacaCommands(Provider):
    def _commands(self) -> Iterator[Command]:
        app = cast("MacaApp", self.app)
        ws = app.ws
        screen = self.screen
        yield ("Help: keys of this screen", app.action_help, "Every key of the current screen")
        yield ("Journal: every change, who and when", partial(self._journal, screen), "Leads only")
        yield ("Action tracker: every audit's SMART actions", self._tracker,
               "Progress, sign-off and export for the sub-committee")
        for audit in ws.audits():
            yield (f"Open audit {audit.ref}: {' '.join(audit.title.split())}", partial(self._open_audit, audit.ref),
                   f"{audit.kind.value} · {audit.stage.label}")
        if isinstance(screen, AuditScreen):
            ref = screen.audit_ref
            for spec in SECTIONS:
                yield (f"Go to {spec.title} ({spec.number})", partial(self.app.call_later, screen.action_section, spec.number),
                       f"Section {spec.number} of {ref}")
            try:
                audit = ws.audit(ref)
            except WorkspaceError:
                return
            for case in sorted(ws.cases(ref), key=lambda c: c.case_ref):
                state = "in the cohort" if case.in_cohort else "candidate"
                yield (f"Case {case.case_ref}", partial(self._show_case, ref, case.case_ref), f"{ref} · {state}")
            for finding in ws.findings(ref):
                title = " ".join((finding.title or finding.text).split())
                yield (f"Finding {finding.id}: {title}", partial(self._show_finding, screen, finding),
                       f"{finding.column.label} · {ref}")
            partnership = ws.partnership()
            for code in audit.agencies:
                yield (f"Agency {code}: {partnership.agency_name(code)}", partial(self._show_agency, code),
                       "Participating agency")
        else:
            partnership = ws.partnership()
            for agency in partnership.agencies:
                yield (f"Agency {agency.code}: {agency.name}", partial(self._show_agency, agency.code), "Partner agency")

    def _journal(self, screen: object) -> None:
        from screens.journal.screen import open_journal

        open_journal(self.app, screen.audit_ref if isinstance(screen, AuditScreen) else None)

    def _tracker(self) -> None:
        from screens.tracker.screen import TrackerScreen

        if not isinstance(self.app.screen, TrackerScreen):
            self.app.push_screen(TrackerScreen())

    def _open_audit(self, ref: str) -> None:
        app = self.app
        while isinstance(app.screen, AuditScreen):
            app.pop_screen()
        app.push_screen(AuditScreen(ref))

    def _show_finding(self, screen: AuditScreen, finding: Finding) -> None:
        async def show() -> None:
            from screens.board.section import BoardSection  # sections load when first opened

            await screen.action_section(5)
            board = screen.section
            if isinstance(board, BoardSection):
                board.refresh_data(select=finding.id)
                for listing in board.lists:
                    if listing.column == finding.column:
                        listing.focus()

        self.app.call_later(show)

    def _show_case(self, ref: str, case_ref: str) -> None:
        from screens.dialogs.details import case_details

        self.app.push_screen(case_details(self.app, ref, case_ref))

    def _show_agency(self, code: str) -> None:
        from screens.dialogs.details import agency_details

        self.app.push_screen(agency_details(self.app, code))

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, _highlight(matcher, name), callback, text=name, help=escape(help_text))


def _highlight(matcher: Matcher, text: str) -> Content:
    """Like Matcher.highlight, but the candidate is plain text, never markup."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if not score:
        return content
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
