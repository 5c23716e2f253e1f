"""Section 7, Report: the whole report previewed, a jump list of headings, export and
the identifier guard (DESIGN §2 step 8, §8).

The report is built by :func:`storage.export.report_for` in a thread worker (a loading
indicator shows meanwhile) and kept per workspace file version, so opening the section
again or another session's save of something else costs one `stat`.  The preview is
:class:`screens.report.view.ReportView`, which paints only the rows on screen.

Decisions where the issue is silent:

- `e` asks for a path and a format.  The default goes to the current folder (where the
  user started maca, not the hidden data folder), and a relative path is taken from there;
  `~` is the user's home.  The file's extension follows the format: choosing HTML turns
  `.md` into `.html` in the field at once, and a name typed with another format's
  extension (or none) gets the chosen format's.  An existing file is replaced only after a yes.
- `r` runs the guard over the people's text the current report quotes, as export does,
  without writing; anyone may run it, since it never shows an identifier.
- Each finding of the guard names the field in the user's terms ("finding F3, text"),
  shows the words around it with the identifier masked, and says where it is edited;
  picking it (`enter`) opens that section at that record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markdown_it.tree import SyntaxTreeNode
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.timer import Timer
from textual.worker import get_current_worker

from audit.access import Act
from audit.cases import paused_gc
from audit.dates import format_uk
from audit.guard import Leak
from audit.report import Report
from screens.access import Acts, allowed, permitted
from screens.context import ctx
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormField, FormScreen
from screens.report.layout import Layout, Look, layout, parse
from screens.report.view import ReportView
from screens.report.leaks import LeakScreen, fix_hint, summary
from screens.report.words import write_words
from screens.saving import tell
from screens.audit.sections import SECTIONS, Section
from screens.widgets.footer import Footer
from screens.widgets.lists import PickList
from storage.files import file_identity
from storage.errors import WorkspaceError
from storage.export import FORMATS, IdentifierLeak, default_path, export_report, report_for
from storage.guard import guard_report

LOADING_AFTER = 0.3  # seconds a build may take before the loading indicator shows

_INDENT = {3: "  › ", 4: "    · ", 5: "      · ", 6: "        · "}  # the jump list's nesting


class HeadingPrompt(Table):
    """A jump list entry: the heading in full, wrapped under its own start rather than
    cut with an ellipsis (at 80 columns the list is 24 wide and most headings longer).
    ``str()`` gives the heading as one line."""

    shown = ""

    def __str__(self) -> str:
        return self.shown


def heading_prompt(level: int, title: str) -> HeadingPrompt:
    indent = _INDENT.get(level, "")
    grid = HeadingPrompt(box=None, padding=0, collapse_padding=True, show_header=False, show_edge=False, pad_edge=False,
                         expand=True)
    grid.shown = indent + title
    if indent:
        grid.add_column(width=len(indent), no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row(*([Text(indent)] if indent else []), Text(title))
    return grid


class ReportSection(Section):
    BINDINGS = [
        Binding("e", "export", "Export", id="report.export"),
        Binding("w", "write", "Write", id="report.write"),
        Binding("r", "guard", "Check identifiers", id="report.check-identifiers"),
        Binding("A", "approve", "Approve", id="report.approve"),
        Binding("M", "marking", "Marking", id="report.marking"),
        Binding("c", "contents", "Contents", id="report.contents"),
        Binding("B", "briefing", "Briefing", key_display="B", id="report.briefing"),
    ]
    ACTS: Acts = {"export": Act.EXPORT_REPORT, "write": Act.WRITE_REPORT, "approve": Act.APPROVE_REPORT,
                  "marking": Act.EDIT_PARTNERSHIP, "briefing": Act.EXPORT_REPORT}
    HELP_NOTES = [
        "Report: the report as it would be exported today. enter on a heading scrolls the preview to it; "
        "tab moves between the headings and the preview; j/k, space/b, g/G and h/l scroll the preview; "
        "c hides or shows the headings.",
        "e exports it (Markdown, HTML or Word; leads only) after checking it for identifiers; r only checks.",
        "In the guard's list, enter goes to the field to fix; a possible match (?) is a family name that is "
        "also an ordinary word: a lead marks it with m “not an identifier here”, with a reason (journaled).",
        "w writes the report's own words (leads only): the overall summary, the narrative for each objective "
        "and the conclusions.",
        "A records the report's approval (by whom, when; leads only): that version is frozen and exports as "
        "final until something changes, when it becomes the next version's draft. M sets the protective "
        "marking every export carries at its top and bottom.",
        "B opens the 7-minute briefing for practitioners: pre-filled from the findings, edited by the lead, "
        "exported as Markdown or HTML, with the briefings and seminars delivered.",
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
                yield PickList(id="report-headings")
            with Vertical(id="report-main"):
                yield Static(id="report-status")
                yield ReportView(id="report-view")

    def on_mount(self) -> None:
        self.refresh_data()

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
        options.add_options([Option(heading_prompt(level, title)) for level, title, _ in report.headings])
        self._heading_lines = [line for _, _, line in report.headings]
        if report.headings:
            options.highlighted = min(keep or 0, len(report.headings) - 1)
        self.view.show(tree, laid, width)
        self._stop_loading()
        status = Text(f"{report.analysis.audit} report as at {format_uk(report.analysis.today)} · "
                      f"{len(report.headings)} headings · {report.markdown.count(chr(10))} lines")
        status.append(" · e export · w write · r check for identifiers · A approve · M marking", style="dim")
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return permitted(self, self.ACTS, action)

    def action_contents(self) -> None:
        side = self.query_one("#report-side")
        side.display = not side.display
        if not side.display:
            self.view.focus()

    async def go_to(self, leak: Leak | None) -> None:
        """Open the section where the text of ``leak`` is edited, at its record."""
        if leak is None:
            return
        place = leak.place
        spec = next((s for s in SECTIONS if s.id == place.section), None)
        screen = self.screen
        if spec is None or not hasattr(screen, "open_section"):
            tell(self, f"{place.label}: {fix_hint(place)}")
            return
        await screen.open_section(spec)
        section = screen.query_one(f"#section-{spec.id}", Section)
        shown = section.reveal(place.key, place.field)
        tell(self, f"{'Here' if shown else f'In {spec.title}'}: {place.label}. {fix_hint(place)}")

    # ------------------------------------------------------------------ guard

    @work(thread=True, exclusive=True, group="report-guard")
    def action_guard(self) -> None:
        c = ctx(self.app)
        try:
            report = report_for(c.ws, self.audit_ref, c.today())
            leaks = guard_report(c.ws, report)
        except WorkspaceError as exc:
            self.app.call_from_thread(tell, self, str(exc), error=True)
            return
        self.app.call_from_thread(self.show_guard, report, leaks)

    def show_guard(self, report: Report, leaks: list[Leak]) -> None:
        if not leaks:
            tell(self, "No identifier found.")
            return
        certain = any(leak.certain for leak in leaks)
        self.app.push_screen(
            LeakScreen("Identifiers found in the report" if certain else "Possible identifiers to review",
                       summary(leaks), self.audit_ref, leaks),
            self.go_to,
        )

    # ------------------------------------------------------------------ the lead's words

    @work(exclusive=True, group="report-write")
    async def action_write(self) -> None:
        if await write_words(self):
            self.refresh_data()

    # ------------------------------------------------------------------ approval

    @work(exclusive=True, group="report-write")
    async def action_approve(self) -> None:
        from screens.report.approval import approve

        if await approve(self, self.audit_ref):
            self.refresh_data()

    @work(exclusive=True, group="report-write")
    async def action_marking(self) -> None:
        from screens.report.approval import set_marking

        if await set_marking(self):
            self.refresh_data()

    def action_briefing(self) -> None:
        from screens.briefing.screen import open_briefing

        open_briefing(self.app, self.audit_ref)

    # ------------------------------------------------------------------ export

    @work(exclusive=True, group="report-export")
    async def action_export(self) -> None:
        c = ctx(self.app)
        ws, ref, today = c.ws, self.audit_ref, c.today()
        if not allowed(self, Act.EXPORT_REPORT, audit=ref, key=ref):
            return
        if c.served is not None:  # no server path: the report comes down the SSH channel
            from screens.dialogs.ssh_command import SshCommandScreen

            names = {fmt: default_path(ws, ref, fmt, today).name for fmt in FORMATS}
            labels = {"md": "Markdown", "html": "HTML page, for a browser or to print", "docx": "Word document"}
            self.app.push_screen(SshCommandScreen(
                f"Export the {ref} report",
                "Run one of these on your own computer: the report is checked for identifiers, journaled, "
                "and saved in the file named after >.",
                [(labels.get(fmt, fmt), c.served.fetch(["export", ref, "--format", fmt], names[fmt]))
                 for fmt in FORMATS]))
            return
        here = Path.cwd()
        values = await self.app.push_screen_wait(FormScreen(f"Export the {ref} report", [
            FormField("path", "File", value=str(here / default_path(ws, ref, "md", today).name), required=True,
                      max_length=4096, hint=f"A name without a folder is saved in the current folder, {here}. "
                                            "The extension follows the format."),
            FormField("format", "Format", "select", "md",
                      [("Markdown (.md)", "md"), ("HTML page (.html), for a browser or to print", "html"),
                       ("Word document (.docx)", "docx")],
                      required=True),
        ], save_label="Export", on_change=_extension_follows_format))
        if values is None:
            return
        fmt = values["format"]
        path = self.target(values["path"], fmt)
        if path.is_file() and not await self.app.push_screen_wait(
                ConfirmScreen(f"{path} already exists. Replace it with the report?", "replace")):
            return
        try:
            result = export_report(ws, ref, path, fmt, today)
        except IdentifierLeak as exc:
            leak = await self.app.push_screen_wait(
                LeakScreen("Not exported: identifiers found", str(exc), ref, exc.leaks))
            await self.go_to(leak)
            return
        except WorkspaceError as exc:
            tell(self, str(exc), error=True)
            return
        tell(self, f"Exported the {ref} report to {result.path} ({result.size:,} bytes, {fmt}).")

    def target(self, typed: str, fmt: str) -> Path:
        """The file the typed path names (see the module docstring)."""
        path = Path(typed).expanduser()
        if not path.is_absolute():
            path = Path.cwd() / path
        return with_format_suffix(path, fmt)


_SUFFIXES = {f".{fmt}" for fmt in FORMATS} | {".htm", ".markdown"}


def with_format_suffix(path: Path, fmt: str) -> Path:
    """``report.md`` as HTML is ``report.html``; ``report`` gets ``.html`` too."""
    if path.suffix.lower() in _SUFFIXES or not path.suffix:
        if path.suffix.lower() == f".{fmt}" or (fmt == "html" and path.suffix.lower() == ".htm"):
            return path
        return path.with_suffix(f".{fmt}")
    return path


def _extension_follows_format(form: FormScreen, field: str, value: Any) -> None:
    if field != "format" or value not in FORMATS:
        return
    box = form.query_one("#field-path", Input)
    typed = box.value.strip()
    if typed:
        box.value = str(with_format_suffix(Path(typed), value))
