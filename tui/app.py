"""The maca application: one factory builds it for the CLI and the tests alike."""

from __future__ import annotations

import asyncio
import signal
from datetime import date
from typing import Any

from collections.abc import Iterable
from pathlib import Path

from functools import partial

from textual import events
from textual.message import Message
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.binding import Binding

from screens.access import run_dimmed
from screens.context import WorkspaceChanged, covered
from screens.served import Served
from screens.home.screen import HomeScreen
from screens.dialogs.help import HelpScreen
from screens.widgets.keys import screen_keys
from screens.dialogs.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from storage.errors import WorkspaceError
from storage.viewer import viewer_safe
from storage.folder import TableFile
from storage.watch import Changes, load, stale_files, swap_in
from storage.watch import Loaded as LoadedFile
from storage.workspace import Workspace
from tui.palette import MacaCommands

WATCH_INTERVAL = 1.0  # seconds between looks at the workspace files (one stat each)
SETTLE_INTERVAL = 10.0  # seconds between looks for typing left unjournaled (storage.drafts)


class Committed(Message):
    """This session's workspace landed a commit (posted from the saving thread)."""

    def __init__(self, changes: Changes) -> None:
        super().__init__()
        self.changes = changes


class Loaded(Message):
    """A thread worker read and decoded other sessions' saves (or says why it could not)."""

    def __init__(self, files: list[LoadedFile], *, problem: str = "") -> None:
        super().__init__()
        self.files = files
        self.problem = problem


class MacaApp(App[int]):
    """The TUI over one workspace, for one identity (the workspace's login)."""

    CSS_PATH = "app.tcss"
    TITLE = "maca"
    COMMANDS = App.COMMANDS | {MacaCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
    ]

    def __init__(self, ws: Workspace, *, today: date | None = None, watch_interval: float = WATCH_INTERVAL,
                 served: Served | None = None) -> None:
        super().__init__()
        self.ws = viewer_safe(ws)  # a viewer's screens get identifiers masked (issue 16)
        self.served = served  # under `maca serve`: files go over SSH, no server paths
        self._today = today
        self.watch_interval = watch_interval
        self._too_small: TooSmallScreen | None = None
        self._hung_up = False
        self._started = False  # Resize arrives before on_mount; the notice must sit on top
        self._loading = False  # a thread worker is reading other sessions' saves
        self._held: dict[Screen[Any], Changes] = {}  # commits announced while a screen was covered (announce)
        # This app picks up other sessions' saves itself, off the UI thread (poll_workspace).
        self.ws.files.follow_disk = False
        self.ws.listeners.append(self._committed)

    def today(self) -> date:
        """Today's date; fixed in tests so that overdue marks are deterministic."""
        return self._today or date.today()

    def get_default_screen(self) -> HomeScreen:
        # Home is the bottom of the stack: no blank default screen is composed and painted
        # first, which keeps start-up close to a bare Textual app's.
        return HomeScreen()

    async def on_mount(self) -> None:
        from tui.keymap import keymap_path, load_keymap

        keymap, problem = load_keymap(keymap_path())
        if keymap:
            self.set_keymap(keymap)
        if problem:
            self.notify(problem, severity="warning", markup=False, timeout=15)

        self.call_after_refresh(self._after_first_frame)
        if self.watch_interval > 0:
            self.set_interval(self.watch_interval, self.poll_workspace)
            self.set_interval(SETTLE_INTERVAL, self.settle_drafts)
        self.screen_change_signal.subscribe(self, self._shown_again)
        self._catch_hang_up()
        self._started = True
        self.check_size()

    def _after_first_frame(self) -> None:
        """The concerns alert and the raiser's news, once home is on the screen: their
        module (forms, lists, the returns' storage) is not needed for the first frame."""
        from screens.returns.concerns import check_concerns, tell_raiser

        check_concerns(self)
        tell_raiser(self)

    def _catch_hang_up(self) -> None:
        """A dropped connection (sshd sends SIGHUP) or a TERM saves what can be saved first.

        Python's default for both is to die at once, losing whatever the last autosave had
        not reached; here each open screen saves as for ctrl+q, then the app ends.  The
        handlers go with the event loop when it closes."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.hang_up)
            except (NotImplementedError, RuntimeError, ValueError):
                return  # not the main thread, or no signals on this platform

    def hang_up(self) -> None:
        """Save every screen's unsaved work, then end: nobody is left to ask."""
        from screens.dialogs.quit import unsaved_work

        if self._hung_up:
            return
        self._hung_up = True
        try:
            unsaved_work(self)
        finally:
            self.exit(return_code=1)

    def poll_workspace(self) -> None:
        """Notice other sessions' saves: here one stat per file this session has read; the
        files that changed are read and decoded in a thread worker, then swapped in and
        announced on this thread (`on_loaded`)."""
        self.ws.refusals.flush(self.ws)  # a burst of refusals whose minute is over: its count
        if self._loading:
            return
        stale = stale_files(self.ws)
        if not stale:
            return
        self._loading = True
        self.run_worker(partial(self._load, stale), thread=True, group="workspace-watch",
                        exit_on_error=False)

    def _load(self, stale: list[TableFile]) -> None:
        """In a thread worker: read and decode what other sessions changed."""
        try:
            self.post_message(Loaded(load(self.ws, stale)))
        except WorkspaceError as exc:
            self.post_message(Loaded([], problem=str(exc)))
        except BaseException:
            self._loading = False
            raise

    def on_loaded(self, message: Loaded) -> None:
        self._loading = False
        if message.problem:
            self.notify(message.problem, severity="error", markup=False, timeout=10)
            return
        changes = swap_in(self.ws, message.files)
        if not changes:
            return
        if self.ws.user is None:
            # A lead removed this user (and revoked their key): the session ends now, with
            # what it could still save saved by each screen as it closes.
            self.exit(return_code=1, message=f"maca: {self.ws.login} was removed from this workspace by a lead; "
                                 "the session has ended.")
            return
        self.announce(changes)
        from screens.returns.concerns import check_concerns

        check_concerns(self)

    def settle_drafts(self) -> None:
        """Journal typing autosaved but left unjournaled for 30 s in the files this session
        reads: a session that crashed or lost its connection leaves it to the others."""
        try:
            self.ws.settle_idle()
        except WorkspaceError:
            pass  # the lock is busy or the disk full: the draft's base stays, tried again

    def _committed(self, changes: Changes) -> None:
        """A commit of this session's landed (in whichever thread saved it)."""
        self.post_message(Committed(changes))

    def on_committed(self, message: Committed) -> None:
        self.announce(message.changes)

    def announce(self, changes: Changes) -> None:
        """The one message every screen refreshes from, after every commit.  A screen under
        another full screen gets it when it is shown again, once for all the commits
        meanwhile: one handled there woke it, and Textual then repainted the whole screen
        on top (the screen right under the top one counts as visible), for every pick-up."""
        for screen in self.screen_stack:
            if covered(screen):
                held = self._held.get(screen)
                self._held[screen] = changes if held is None else merged(held, changes)
            else:
                screen.post_message(WorkspaceChanged(changes))

    def _shown_again(self, _: Screen[Any]) -> None:
        """The screen stack changed: what was held for a screen shown again goes to it."""
        stack = self.screen_stack
        for screen, changes in list(self._held.items()):
            if screen not in stack:
                del self._held[screen]
            elif not covered(screen):
                del self._held[screen]
                screen.post_message(WorkspaceChanged(changes))

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        # A notification was about what happened before this dialog; left up, it sat on
        # top of the dialog's fields and buttons (issue 18).  Those raised while the
        # dialog is open still show.
        if isinstance(screen, ModalScreen) and not isinstance(screen, TooSmallScreen):
            self.clear_notifications()
        return super().push_screen(screen, *args, **kwargs)

    async def on_key(self, event: events.Key) -> None:
        await run_dimmed(self, event)  # a key dimmed for this login still says why it is refused

    def on_resize(self, event: events.Resize) -> None:
        self.check_size(event.size)

    def check_size(self, size: Size | None = None) -> None:
        if not self._started:
            return
        size = size or self.size
        small = size.width < MIN_WIDTH or size.height < MIN_HEIGHT
        if small and self._too_small is None:
            self._too_small = TooSmallScreen()
            self.push_screen(self._too_small)
        elif not small and self._too_small is not None:
            screen, self._too_small = self._too_small, None
            if self.screen is screen:
                self.pop_screen()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Only what serves an auditor: Textual's Keys panel, Maximize and Screenshot are
        left out (a screenshot writes a file on the server in served mode)."""
        yield SystemCommand("Colours: choose a colour theme", "Change the colours of the app",
                            self.action_change_theme)
        yield SystemCommand("Quit maca", "Close the app (ctrl+q)", self.action_quit)

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """Never write or send a screenshot file, whatever asks for one."""
        return None

    async def action_quit(self) -> None:
        """ctrl+q: quit, unless something could not be saved; then say what, and ask."""
        from screens.dialogs.quit import QuitScreen, unsaved_work

        if isinstance(self.screen, QuitScreen):
            return
        lost = unsaved_work(self)
        if not lost:
            self.exit()
            return
        self.push_screen(QuitScreen(lost), self._quit_answered)

    def _quit_answered(self, answer: str | None) -> None:
        from screens.dialogs.quit import unsaved_work

        if answer == "quit":
            self.exit()
        elif answer == "keep":
            lost = unsaved_work(self)
            if not lost:
                self.exit()
                return
            self.notify(f"Still not saved: {lost[0]}. ctrl+q asks again.", severity="error",
                        markup=False, timeout=10)

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, (HelpScreen, TooSmallScreen)):
            return
        from screens.audit.sections import SECTIONS
        from tui.keymap import keymap_path

        notes = screen.help_notes() if hasattr(screen, "help_notes") else []
        notes = [*notes, "ctrl+p opens the command palette: actions, audits, cases and agencies by name."]
        title = screen.help_title() if hasattr(screen, "help_title") else "Keys on this screen"
        sections = [(spec.number, spec.title) for spec in SECTIONS]
        foot = (f"esc, ? or f1 closes this help. To change a key, put its id (on the right) in "
                f"{_shown_path(keymap_path())}, e.g. \"cohort.draw\" = \"R\".")
        self.push_screen(HelpScreen(title, screen_keys(screen, sections), notes, foot))


def merged(first: Changes, then: Changes) -> Changes:
    """What two commits changed together (`Changes.tables` is None when unknown)."""
    parts = [c for c in (first, then) if c.partnership]
    tables = None if not parts or any(c.tables is None for c in parts) else \
        frozenset().union(*(c.tables for c in parts if c.tables is not None))
    return Changes(partnership=bool(parts), audits=first.audits | then.audits, own=first.own and then.own,
                   tables=tables)


def _shown_path(path: Path) -> str:
    """``~/.config/maca/keymap.toml``: the home folder as people write it."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def build_app(ws: Workspace, *, today: date | None = None, watch_interval: float = WATCH_INTERVAL,
              served: Served | None = None) -> MacaApp:
    """The one place an App is made, for `maca` and for every test."""
    return MacaApp(ws, today=today, watch_interval=watch_interval, served=served)


def run_app(ws: Workspace, *, served: Served | None = None) -> int:
    app = build_app(ws, served=served)
    try:
        app.run()
    finally:
        ws.refusals.flush(ws, everything=True)
    return app.return_code or 0
