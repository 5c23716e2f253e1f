"""The top bar: partnership, audit and stage, and who you are (DESIGN §3)."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


def concerns_alert(app: object) -> str:
    """The marker a lead sees while any safeguarding concern is open, and a co-ordinator
    while one waits for their agency's action ("" otherwise)."""
    ws = getattr(app, "ws", None)
    if ws is None:
        return ""
    from audit.access import Act, decide
    from audit.partnership import Role
    from storage.concerns import waiting_for
    from storage.errors import WorkspaceError
    from storage.returns import open_concerns

    user = ws.user
    lead = bool(decide(user, Act.ACKNOWLEDGE_CONCERN))
    if not lead and (user is None or user.role is not Role.COORDINATOR):
        return ""
    try:
        count = len(open_concerns(ws) if lead else waiting_for(ws, user.agencies))
    except WorkspaceError:  # an unreadable file is reported by the app's poll, not by the bar
        return ""
    if not count:
        return ""
    plural = "" if count == 1 else "s"
    return f"⚠ {count} open safeguarding concern{plural}" if lead else \
        f"⚠ {count} safeguarding concern{plural} for your agency"


class IdentityBar(Widget):
    """One line built from Text, so no name can inject markup.

    Who you are stays whole at the right; the place (partnership · audit · stage) gives
    way with an ellipsis when the terminal is narrow.
    """

    DEFAULT_CSS = """
    IdentityBar {
        height: 1;
        width: 1fr;
        background: $primary;
        color: $text;
        padding: 0 1;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.where = ""
        self.who = ""
        self.warning = ""
        self.alert = ""

    def show(self, where: str, who: str, warning: str = "", alert: str | None = None) -> None:
        """``alert`` None (the default) shows open safeguarding concerns to leads, "" nothing."""
        self.where, self.who, self.warning = where, who, warning
        self.alert = concerns_alert(self.app) if alert is None else alert
        self.refresh()

    def render(self) -> Text:
        width = max(self.content_region.width, 20)
        right = Text(no_wrap=True)
        if self.alert:
            right.append(" " + self.alert + " ", style="bold white on red")
            right.append("  ")
        if self.warning:
            right.append("⚠ " + self.warning + "  ", style="bold")
        right.append(self.who, style="italic")
        left = Text(no_wrap=True, overflow="ellipsis")
        left.append("maca", style="bold")
        left.append("  " + self.where)
        room = max(width - right.cell_len - 2, 8)
        left.truncate(room, overflow="ellipsis")
        gap = max(width - left.cell_len - right.cell_len, 1)
        return Text.assemble(left, " " * gap, right, no_wrap=True)

    def __str__(self) -> str:
        alert = self.alert + " " if self.alert else ""
        return f"maca  {self.where}  ·  {alert}{self.warning + ' ' if self.warning else ''}{self.who}"
