"""One audit: its sections behind keys 1–7, the identity bar, the footer."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static

from screens.context import WorkspaceChanged, covered, ctx
from screens.audit.sections import SECTIONS, Section, SectionSpec, section_by_number
from screens.widgets.identity import IdentityBar
from screens.widgets.footer import Footer
from storage.errors import NotFound


class SectionTabs(Static):
    """`1 Scope  2 Cohort …` with the open section marked (bold and ▸, not colour alone)."""

    DEFAULT_CSS = "SectionTabs { height: 1; padding: 0 1; background: $boost; }"

    def show(self, current: str) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for spec in SECTIONS:
            on = spec.id == current
            text.append(("▸" if on else " ") + f"{spec.number} {spec.title}", style="bold reverse" if on else "")
            text.append(" ")
        self.update(text)


class AuditScreen(Screen[None]):
    # Sections are widgets, which have no CSS_PATH: the screen that holds them loads
    # each section's .tcss (the section's own dialogs load it too).
    CSS_PATH = ["audit.tcss", *(f"../{spec.id}/{spec.id}.tcss" for spec in SECTIONS)]
    BINDINGS = [
        *[Binding(str(n), f"section({n})", "Go to section", show=False, id=f"audit.section-{n}") for n in range(1, 8)],
        Binding("escape", "back", "Audits", id="audit.back"),
    ]

    def __init__(self, audit_ref: str, section: str = "scope") -> None:
        super().__init__()
        self.audit_ref = audit_ref
        self.initial = section
        self.current = ""

    def compose(self) -> ComposeResult:
        yield IdentityBar()
        yield SectionTabs()
        yield ContentSwitcher()
        yield Footer()

    async def on_mount(self) -> None:
        self.update_identity()
        await self.open_section(next((s for s in SECTIONS if s.id == self.initial), SECTIONS[0]))

    def update_identity(self) -> None:
        c = ctx(self.app)
        ws = c.ws
        try:
            audit = ws.audit(self.audit_ref)
            # The audit and its stage first: on a narrow terminal the partnership gives way.
            where = f"{audit.ref} · {audit.stage.label} · {ws.partnership().name}"
        except NotFound:
            where = f"{ws.partnership().name} · {self.audit_ref} (deleted)"
        who = ws.user.describe() if ws.user else ws.login
        self.query_one(IdentityBar).show(where, who, warning="read-only" if ws.read_only_reason else "")
        self.title = self.audit_ref

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "section":
            number = parameters[0]
            return isinstance(number, int) and section_by_number(number) is not None
        return True

    async def action_section(self, number: int) -> None:
        spec = section_by_number(number)
        if spec is not None:
            await self.open_section(spec)

    async def open_section(self, spec: SectionSpec) -> None:
        """Show a section, building it the first time (sections are imported lazily)."""
        switcher = self.query_one(ContentSwitcher)
        wid = f"section-{spec.id}"
        if not switcher.query(f"#{wid}"):
            await switcher.mount(spec.load()(self.audit_ref, id=wid))
        switcher.current = wid
        self.query_one(f"#{wid}", Section).focus_first()
        self.current = spec.id
        self.query_one(SectionTabs).show(spec.id)
        self.sub_title = spec.title

    @property
    def section(self) -> Section | None:
        switcher = self.query_one(ContentSwitcher)
        return switcher.visible_content if isinstance(switcher.visible_content, Section) else None

    def help_title(self) -> str:
        spec = next((s for s in SECTIONS if s.id == self.current), None)
        where = f"the {spec.title} section ({spec.number})" if spec else "this audit"
        return f"Keys in {where} of {self.audit_ref}"

    def help_notes(self) -> list[str]:
        return list(self.section.HELP_NOTES) if self.section is not None else []

    _stale = False  # a commit was announced while another screen covered this one

    def on_workspace_changed(self, message: WorkspaceChanged) -> None:
        if not message.changes.touches(self.audit_ref):
            if message.changes.partnership and not covered(self):
                self.update_identity()  # another audit's figures: the concern marker may change
            return
        if covered(self):
            self._stale = True  # under the audit tool: redrawn once, when shown again
            return
        self.catch_up()

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.catch_up()

    def catch_up(self) -> None:
        """Show the latest: the open section now, the others when next shown."""
        self.update_identity()
        shown = self.section
        for section in self.query(Section):
            if section is shown:
                section.stale = False
                section.refresh_data()
            else:
                section.stale = True

    def on_unmount(self) -> None:
        # Only the files on screen are watched: this audit's is let go unless another
        # screen still shows it.
        try:
            stack = self.app.screen_stack
        except Exception:  # the app is closing
            return
        if not any(s is not self and getattr(s, "audit_ref", None) == self.audit_ref for s in stack):
            ctx(self.app).ws.release(self.audit_ref)

    def action_back(self) -> None:
        self.app.pop_screen()
