"""Section 7, Report: the whole report previewed, a jump list of headings, export and
the identifier guard (DESIGN §2 step 8, §8).

The report is built by :func:`storage.export.report_for` in a thread worker (a loading
indicator shows meanwhile) and kept per workspace file version, so opening the section
again or another session's save of something else costs one `stat`.  The preview is
:class:`screens.report.view.ReportView`, which paints only the rows on screen.

Decisions where the issue is silent:

- `e` asks for a path and a format.  A relative path is taken from the workspace's
  folder (where the default goes, so the two agree); `~` is the user's home.  Choosing
  HTML while the default Markdown name is still there switches the name to `.html`.
  An existing file is replaced only after a yes.
- `r` runs the guard over the current report (Markdown, then the HTML page as export
  does) without writing; anyone may run it, since it never shows an identifier.
- Each finding of the guard says where it is and what to edit to remove it; picking it
  (`enter`) scrolls the preview to that place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markdown_it.tree import SyntaxTreeNode
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.timer import Timer
from textual.worker import get_current_worker

from audit.access import Act
from audit.cases import paused_gc
from audit.dates import format_uk
from audit.guard import Leak, find_identifiers
from audit.html import to_html
from audit.report import Report
from screens.context import ctx
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormField, FormScreen
from screens.report.view import Layout, Look, ReportView, layout, parse
from screens.saving import tell
from screens.audit.sections import Section
from storage.atomic import file_identity
from storage.errors import WorkspaceError
from storage.export import FORMATS, IdentifierLeak, default_path, export_report, report_for

_CSS = Path(__file__).with_name("report.tcss")
LOADING_AFTER = 0.3  # seconds a build may take before the loading indicator shows

# Where the text under each of the report's main headings is edited (keys are section numbers).
_FIX = {
    "Summary": "edit the objective or recommendation titles in Scope (1) or on the Findings board (5), "
               "or the linked review in Scope (1)",
    "Background": "edit the background in Scope (1)",
    "Purpose and objectives": "edit the purpose or the objectives in Scope (1)",
    "Methodology": "edit the cohort criteria in Scope (1)",
    "Cohort profile": "a case reference holds it: references come from the imported cases (Cohort, 2)",
    "Findings by objective": "edit the objective in Scope (1) or the finding's title on the Findings board (5)",
    "Good practice": "edit the strength on the Findings board (5)",
    "Areas for development": "edit the area for development on the Findings board (5)",
    "Recommendations and action plan": "edit the recommendation or its action on the Findings board (5)",
    "Learning re-tested from earlier audits": "edit the re-test evidence of the finding on the Findings board (5)",
    "Timeline": "edit the milestone's name in Scope (1)",
    "Appendix: returns": "a case reference holds it: references come from the imported cases (Cohort, 2)",
}
_TITLE_FIX = "edit the audit's title in Scope (1)"
_INDENT = {3: "  › ", 4: "    · ", 5: "      · ", 6: "        · "}  # the jump list's nesting


def leak_line(report: Report, leak: Leak) -> int:
    """The Markdown line of `leak` (a leak found in the HTML page is placed by its heading)."""
    lines = report.markdown.count("\n") + 1
    above = [h for h in report.headings if h[2] <= leak.line]
    if leak.line <= lines and (not leak.heading or (above and above[-1][1] == leak.heading)):
        return leak.line
    return next((h[2] for h in report.headings if h[1] == leak.heading), 1)


def fix_hint(report: Report, leak: Leak) -> str:
    """One sentence on where to edit the text that holds `leak`."""
    line = leak_line(report, leak)
    above = [h for h in report.headings if h[2] <= line]
    nearest = above[-1] if above else None
    if nearest is not None and nearest[0] == 4 and nearest[1] in report.analysis.return_status:
        return (f"Fix: have the agency change what its audit tool for case {nearest[1]} says (Returns, 3): "
                "good practice, areas for development, difference made or recommendations; a lead can "
                "return it for clarification.")
    main = next((h[1] for h in reversed(above) if h[0] == 2), None)
    return f"Fix: {_FIX.get(main or '', _TITLE_FIX)}, then press r to check again."


class LeakScreen(ModalScreen[Leak | None]):
    """The guard's findings: where each identifier is and how to take it out."""

    DEFAULT_CSS = """
    LeakScreen { align: center middle; }
    LeakScreen > Vertical {
        width: 100; max-width: 98%; height: auto; max-height: 90%;
        border: round $error; background: $surface; padding: 0 1;
    }
    LeakScreen #leak-title { text-style: bold; color: $text-error; }
    LeakScreen OptionList { height: auto; max-height: 24; margin-top: 1; }
    LeakScreen #leak-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Close"),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
    ]

    def __init__(self, title: str, message: str, report: Report, leaks: list[Leak]) -> None:
        super().__init__()
        self.leak_title = title
        self.message = message
        self.report = report
        self.leaks = leaks

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.leak_title), id="leak-title")
            yield Static(Text(self.message), id="leak-message")
            options = []
            for n, leak in enumerate(self.leaks):
                prompt = Text(leak.describe(), style="bold")
                prompt.append("\n  " + fix_hint(self.report, leak), style="")
                options.append(Option(prompt, id=f"leak-{n}"))
            yield OptionList(*options, id="leak-list")
            yield Static("enter shows the place in the preview · esc closes", id="leak-keys")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.leaks[event.option_index])

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if step > 0 else options.action_cursor_up()


class ReportSection(Section):
    DEFAULT_CSS = _CSS.read_text(encoding="utf-8")
    BINDINGS = [
        Binding("e", "export", "Export"),
        Binding("r", "guard", "Check identifiers"),
        Binding("c", "contents", "Contents"),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
        Binding("g", "cursor_end(0)", "First", show=False),
        Binding("G", "cursor_end(1)", "Last", show=False),
    ]
    HELP_NOTES = [
        "Report: the report as it would be exported today. enter on a heading scrolls the preview to it; "
        "tab moves between the headings and the preview; j/k, space/b, g/G and h/l scroll the preview; "
        "c hides or shows the headings.",
        "e exports it (Markdown, HTML or Word; leads only) after checking it for identifiers; r only checks.",
    ]

    def __init__(self, audit_ref: str, **kwargs: Any) -> None:
        super().__init__(audit_ref, **kwargs)
        self.report: Report | None = None
        self._version: object = None
        self._heading_lines: list[int] = []  # source line of each option in the jump list
        self._loading_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="report-side"):
                yield Static("Contents", id="report-contents-title")
                yield OptionList(id="report-headings")
            with Vertical(id="report-main"):
                yield Static(id="report-status")
                yield ReportView(id="report-view")

    def on_mount(self) -> None:
        self.refresh_data()

    def on_show(self) -> None:
        self.refresh_data()  # an edit made in another section of this session

    def focus_first(self) -> None:
        self.query_one(OptionList).focus()

    @property
    def view(self) -> ReportView:
        return self.query_one(ReportView)

    # ------------------------------------------------------------------ building

    def _current_version(self) -> object:
        c = ctx(self.app)
        return (file_identity(c.ws.path), c.today())

    def refresh_data(self) -> None:
        version = self._current_version()
        if version != self._version:
            self._version = version
            if self.report is None and self._loading_timer is None:
                # Only a build that takes a while shows the indicator: the demo's takes
                # a few tens of milliseconds, and mounting the indicator would cost more.
                self._loading_timer = self.set_timer(LOADING_AFTER, self._show_loading)
            self.build(self.view, self.view.look())

    def _show_loading(self) -> None:
        if self.report is None:
            self.view.loading = True

    @work(thread=True, exclusive=True, group="report-build")
    def build(self, view: ReportView, look: Look) -> None:
        """Build and parse the report off the event loop, and lay it out too when the view
        already has a width (a refresh); on first opening the view is sized while this
        runs, and the layout is done as the report is shown."""
        c = ctx(self.app)
        worker = get_current_worker()
        try:
            with paused_gc():
                report = report_for(c.ws, self.audit_ref, c.today())
                tree = parse(report.markdown)
                width = view.layout_width()
                laid = layout(tree, width, look) if width > 0 and not worker.is_cancelled else None
        except WorkspaceError as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.show_problem, str(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show_report, report, tree, laid, width)

    def show_problem(self, message: str) -> None:
        if not self.is_mounted:  # the audit was closed while the report was being built
            return
        self._stop_loading()
        self.query_one("#report-status", Static).update(Text(message))

    def _stop_loading(self) -> None:
        if self._loading_timer is not None:
            self._loading_timer.stop()
            self._loading_timer = None
        self.view.loading = False

    def show_report(self, report: Report, tree: SyntaxTreeNode, laid: Layout | None = None, width: int = 0) -> None:
        if not self.is_mounted:
            return
        self.report = report
        options = self.query_one(OptionList)
        keep = options.highlighted
        options.clear_options()
        options.add_options([Option(Text(_INDENT.get(level, "") + title, no_wrap=True, overflow="ellipsis"))
                             for level, title, _ in report.headings])
        self._heading_lines = [line for _, _, line in report.headings]
        if report.headings:
            options.highlighted = min(keep or 0, len(report.headings) - 1)
        self.view.show(tree, laid, width)
        self._stop_loading()
        status = Text(f"{report.analysis.audit} report as at {format_uk(report.analysis.today)} · "
                      f"{len(report.headings)} headings · {report.markdown.count(chr(10))} lines")
        status.append(" · e export · r check for identifiers", style="dim")
        self.query_one("#report-status", Static).update(status)

    # ------------------------------------------------------------------ moving

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._heading_lines):
            self.view.scroll_to_heading(self._heading_lines[event.option_index])

    def on_report_view_top_changed(self, event: ReportView.TopChanged) -> None:
        """Keep the jump list on the heading being read while the preview scrolls."""
        options = self.query_one(OptionList)
        if options.has_focus or not self._heading_lines:
            return
        view = self.view
        rows = view.layout_.headings
        # At the very end the last headings never reach the top: take the last one shown.
        last = event.row + (view.scrollable_content_region.height - 1 if event.row >= round(view.max_scroll_y) else 0)
        current = 0
        for n, line in enumerate(self._heading_lines):
            if rows.get(line, 1 << 30) <= last:
                current = n
        options.highlighted = current

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if step > 0 else options.action_cursor_up()

    def action_cursor_end(self, last: int) -> None:
        options = self.query_one(OptionList)
        options.action_last() if last else options.action_first()

    def action_contents(self) -> None:
        side = self.query_one("#report-side")
        side.display = not side.display
        if not side.display:
            self.view.focus()

    def scroll_to_leak(self, leak: Leak | None) -> None:
        if leak is not None and self.report is not None:
            self.view.scroll_to_source_line(leak_line(self.report, leak))
            self.view.focus()

    # ------------------------------------------------------------------ guard

    @work(thread=True, exclusive=True, group="report-guard")
    def action_guard(self) -> None:
        c = ctx(self.app)
        try:
            report = report_for(c.ws, self.audit_ref, c.today())
            cases = [case for audit in c.ws.audits() for case in c.ws.cases(audit.ref)]
            leaks = find_identifiers(report.markdown, cases)
            if not leaks:
                title = f"{report.analysis.audit}: {c.ws.audit(self.audit_ref).title}"
                leaks = find_identifiers(to_html(report.markdown, title), cases)
        except WorkspaceError as exc:
            self.app.call_from_thread(tell, self, str(exc), error=True)
            return
        self.app.call_from_thread(self.show_guard, report, leaks)

    def show_guard(self, report: Report, leaks: list[Leak]) -> None:
        if not leaks:
            tell(self, "No identifier found.")
            return
        places = "1 place" if len(leaks) == 1 else f"{len(leaks)} places"
        self.app.push_screen(
            LeakScreen("Identifiers found in the report",
                       f"The report holds identifiers of cases at {places}; it cannot be exported until "
                       "they are taken out of the audit's text.", report, leaks),
            self.scroll_to_leak,
        )

    # ------------------------------------------------------------------ export

    @work(exclusive=True, group="report-export")
    async def action_export(self) -> None:
        c = ctx(self.app)
        ws, ref, today = c.ws, self.audit_ref, c.today()
        try:
            ws.require(Act.EXPORT_REPORT, audit=ref, key=ref)
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        defaults = {fmt: default_path(ws, ref, fmt, today) for fmt in FORMATS}
        values = await self.app.push_screen_wait(FormScreen(f"Export the {ref} report", [
            FormField("path", "File", value=str(defaults["md"]), required=True, max_length=4096,
                      hint=f"A name without a folder is saved beside the workspace, in {ws.path.parent}."),
            FormField("format", "Format", "select", "md",
                      [("Markdown (.md)", "md"), ("HTML page (.html), for a browser or to print", "html"),
                       ("Word document (.docx)", "docx")],
                      required=True),
        ]))
        if values is None:
            return
        fmt = values["format"]
        path = self.target(values["path"], fmt, defaults)
        if path.is_file() and not await self.app.push_screen_wait(
                ConfirmScreen(f"{path} already exists. Replace it with the report?", "replace")):
            return
        try:
            result = export_report(ws, ref, path, fmt, today)
        except IdentifierLeak as exc:
            report = report_for(ws, ref, today)
            leak = await self.app.push_screen_wait(
                LeakScreen("Not exported: identifiers found", str(exc), report, exc.leaks))
            self.scroll_to_leak(leak)
            return
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        tell(self, f"Exported the {ref} report to {result.path} ({result.size:,} bytes, {fmt}).")

    def target(self, typed: str, fmt: str, defaults: dict[str, Path]) -> Path:
        """The file the typed path names (see the module docstring)."""
        path = Path(typed).expanduser()
        if not path.is_absolute():
            path = ctx(self.app).ws.path.parent / path
        if path == defaults["md"] and fmt != "md":
            path = defaults[fmt]
        return path
