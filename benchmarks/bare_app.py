"""The baseline for `maca demo`'s start: a bare Textual app with a header, a 20-row
DataTable and a footer, started the way maca is (a script in the same virtualenv).

The first row holds the marker `BARE-0001`, as the demo's first row holds `MACA-C86`:
both apps have painted their first real frame when that text is on the terminal.
ctrl+q quits (Textual's own binding).
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

MARKER = "BARE-0001"
COLUMNS = ("Ref", "Title", "Kind", "Stage", "Cohort", "Returns", "Next milestone")


class BareApp(App[None]):
    TITLE = "bare"

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.add_rows(
            (f"BARE-{n:04d}", f"Audit number {n} of twenty", "MACA", "fieldwork", f"{n}/15", f"{n * 6}/120",
             f"{n:02d}/04/2021")
            for n in range(1, 21)
        )
        table.focus()


if __name__ == "__main__":
    BareApp().run()
