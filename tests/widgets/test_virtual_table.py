"""VirtualTable: what a user sees and which row objects the screen is told about."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import Footer

from screens.widgets.virtual_table import Column, VirtualTable


@dataclass(eq=False)  # identity matters: the table must hand back *this* object
class Case:
    ref: str
    child: str
    agency: str
    age: int
    note: str = ""
    set_aside: bool = False


AGENCIES = ("Police", "Health", "Education", "Social care")

COLUMNS = [
    Column("ref", "Ref"),
    Column("child", "Child"),
    Column("agency", "Agency"),
    Column("age", "Age", align="right"),
    Column("note", "Note", sortable=False),
]


def make_cases(count: int) -> list[Case]:
    return [
        Case(
            ref=f"C{i:05d}",
            child=f"Child {i}",
            agency=AGENCIES[i % 4],
            age=(i * 7) % 18,
            note="",
            set_aside=i % 5 == 4,
        )
        for i in range(count)
    ]


def cell(case: Case, key: str) -> str | Text:
    if key == "agency" and case.agency == "Police":
        return Text(case.agency, style="bold")
    return str(getattr(case, key))


def sort_key(case: Case, key: str) -> object:
    return getattr(case, key)


class TableApp(App[None]):
    def __init__(self, rows: list[Case]) -> None:
        super().__init__()
        self.rows = rows
        self.messages: list[tuple[str, object]] = []

    def compose(self) -> ComposeResult:
        yield VirtualTable(
            COLUMNS,
            cell=cell,
            sort_key=sort_key,
            row_style=lambda case: "dim" if case.set_aside else None,
        )
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        table.set_rows(self.rows)
        table.focus()

    def on_virtual_table_row_selected(self, message: VirtualTable.RowSelected) -> None:
        self.messages.append(("selected", message.row))

    def on_virtual_table_row_toggled(self, message: VirtualTable.RowToggled) -> None:
        self.messages.append(("toggled", message.row))

    def on_virtual_table_cursor_moved(self, message: VirtualTable.CursorMoved) -> None:
        self.messages.append(("moved", message.row))


def line(table: VirtualTable, y: int) -> str:
    """What the user sees on line y of the table (0 is the header)."""
    return table.render_line(y).text


def cursor_line(table: VirtualTable) -> str:
    return line(table, table.cursor_index - table.scroll_offset.y + 1)


async def test_shows_header_and_rows() -> None:
    rows = make_cases(50)
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        assert table.row_count == 50
        assert line(table, 0).split() == ["Ref", "Child", "Agency", "Age", "Note"]
        assert line(table, 1).split()[:4] == ["C00000", "Child", "0", "Police"]
        assert table.cursor_row is rows[0]
        # The flexible last column fills the width left of the scrollbar.
        assert len(line(table, 0)) == table.size.width
        assert table.virtual_size.width == table.scrollable_content_region.width
        # New rows of the same widths replace the old lines; the cursor keeps its place.
        table.cursor_index = 2
        fresh = make_cases(50)
        fresh[3].child = "Child X"
        table.set_rows(fresh)
        await pilot.pause()
        assert line(table, 4).split()[:3] == ["C00003", "Child", "X"]
        assert table.cursor_row is fresh[2]
        # Few rows: no scrollbar, and the last column still reaches the edge.
        table.filter(lambda case: case.age == 3)
        await pilot.pause()
        assert not table.show_vertical_scrollbar and not table.show_horizontal_scrollbar
        assert table.virtual_size.width == table.size.width
        table.filter(None)
        await pilot.pause()
        assert not table.show_horizontal_scrollbar


async def test_cursor_keys_move_and_report_the_row() -> None:
    rows = make_cases(100)
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.press("j", "j", "down")
        assert table.cursor_index == 3
        assert cursor_line(table).startswith(" C00003")
        await pilot.press("k")
        assert table.cursor_row is rows[2]
        await pilot.press("G")
        assert table.cursor_row is rows[99]
        assert cursor_line(table).startswith(" C00099")
        assert line(table, table.size.height - 1).startswith(" C00099")
        await pilot.press("g")
        assert table.cursor_row is rows[0]
        page = table.scrollable_content_region.height - 1
        await pilot.press("pagedown")
        assert table.cursor_index == page
        assert cursor_line(table).startswith(f" C{page:05d}")
        await pilot.press("pageup")
        assert table.cursor_index == 0
        await pilot.pause()
        moved = [row for kind, row in app.messages if kind == "moved"]
        assert moved[-3:] == [rows[0], rows[page], rows[0]]


async def test_enter_and_space_carry_the_row_object() -> None:
    rows = make_cases(10)
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "j", "enter", "j", "space")
        await pilot.pause()
        # space toggles only where the table says it means something (the cohort's
        # Add/remove): on a plain list (users, journal) it was offered and did nothing.
        assert [kind for kind, _ in app.messages if kind != "moved"] == ["selected"]
        app.query_one(VirtualTable).toggles = True
        await pilot.press("space")
        await pilot.pause()
        events = [(kind, row) for kind, row in app.messages if kind != "moved"]
        assert events == [("selected", rows[2]), ("toggled", rows[3])]
        assert events[0][1] is rows[2]


async def test_click_moves_cursor_then_selects() -> None:
    rows = make_cases(10)
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.click(VirtualTable, offset=(3, 4))
        assert table.cursor_row is rows[3]
        await pilot.click(VirtualTable, offset=(3, 4))
        await pilot.pause()
        assert ("selected", rows[3]) in app.messages
        # A click on a column label sorts by that column; a second one flips it.
        age_x = line(table, 0).rindex("Age")  # not the "Age" in "Agency"
        await pilot.click(VirtualTable, offset=(age_x, 0))
        assert (table.sort_column, table.sort_reverse) == ("age", False)
        await pilot.click(VirtualTable, offset=(age_x, 0))
        assert "Age ▼" in line(table, 0)


async def test_filter_keeps_cursor_on_the_same_object() -> None:
    rows = make_cases(200)
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        table.cursor_index = 41  # C00041, agency Health
        table.filter(lambda case: case.agency == "Health")
        assert table.row_count == 50
        assert table.cursor_row is rows[41]
        assert table.cursor_index == 10
        assert cursor_line(table).startswith(" C00041")
        # The cursor row is filtered out: the cursor goes to the next row after it.
        table.filter(lambda case: case.agency == "Education")
        assert table.cursor_row is rows[42]
        table.filter(None)
        assert table.row_count == 200
        assert table.cursor_row is rows[42]
        await pilot.pause()
        assert ("moved", rows[42]) in app.messages


async def test_filter_to_nothing_shows_empty_text() -> None:
    app = TableApp(make_cases(20))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        table.filter(lambda case: False)
        await pilot.pause()
        assert table.row_count == 0
        assert table.cursor_row is None
        assert line(table, 1).strip() == "No candidates match the filter."
        await pilot.press("j", "enter", "space", "G")
        await pilot.pause()
        assert [kind for kind, _ in app.messages if kind != "moved"] == []


async def test_sort_both_directions_with_header_marker() -> None:
    rows = make_cases(30)
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        table.cursor_index = 5
        table.sort_by("age")
        assert "Age ▲" in line(table, 0)
        ages = [case.age for case in table.visible_rows]
        assert ages == sorted(ages) and ages[0] != ages[-1]
        assert table.cursor_row is rows[5]
        table.sort_by("age", reverse=True)
        assert "Age ▼" in line(table, 0) and "▲" not in line(table, 0)
        assert [case.age for case in table.visible_rows] == sorted(ages, reverse=True)
        assert table.cursor_row is rows[5]
        assert (table.sort_column, table.sort_reverse) == ("age", True)
        with pytest.raises(ValueError):
            table.sort_by("note")


async def test_column_cursor_and_o_key_sort() -> None:
    rows = make_cases(30)
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.press("l", "right", "h")  # Ref -> Child -> Agency -> Child
        assert table.cursor_column.key == "child"
        await pilot.press("o")
        assert "Child ▲" in line(table, 0)
        await pilot.press("o")
        assert "Child ▼" in line(table, 0)
        assert table.visible_rows[0] is rows[9]  # "Child 9" sorts last as text
        await pilot.press("l", "l", "l", "o")  # Note is not sortable: nothing changes
        assert table.cursor_column.key == "note"
        assert table.sort_column == "child"


async def test_markup_and_control_bytes_render_literally() -> None:
    rows = make_cases(3)
    rows[0].note = "[bold]x[/bold]"
    rows[1].note = "a [/b] c"
    rows[2].note = "\x1b[31mred\x07 bell\x9b\ttab"
    app = TableApp(rows)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.press("G")  # the cursor row is bold; keep it off rows 0 and 1
        table = app.query_one(VirtualTable)
        assert line(table, 1).rstrip().endswith("[bold]x[/bold]")
        assert line(table, 2).rstrip().endswith("a [/b] c")
        third = line(table, 3)
        assert third.rstrip().endswith("[31mred bell tab")
        assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in third)
        # Plain strings are never styled by their own text ...
        note = [seg for seg in table.render_line(1) if "[bold]" in seg.text]
        assert note and not note[0].style.bold
        # ... while a Text cell keeps the style the screen gave it.
        police = [seg for seg in table.render_line(1) if seg.text == "Police"]
        assert police and police[0].style.bold


async def test_row_style_and_truncation() -> None:
    rows = make_cases(6)
    rows[0].child = "A very long child name " * 4
    app = TableApp(rows)
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        assert "…" in line(table, 1)
        assert "A very long child name" in line(table, 1)
        dim = [seg for seg in table.render_line(5) if seg.text == "C00004"]
        assert dim and dim[0].style.dim  # rows[4] is set aside
        plain = [seg for seg in table.render_line(3) if seg.text == "C00002"]
        assert plain and not plain[0].style.dim


async def test_horizontal_scroll_follows_column_cursor() -> None:
    rows = make_cases(5)
    for case in rows:
        case.child = "x" * 35
    app = TableApp(rows)
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(VirtualTable)
        assert "Note" not in line(table, 0)
        await pilot.press("l", "l", "l", "l")
        await pilot.pause()
        assert table.scroll_offset.x > 0
        assert "Note" in line(table, 0)


async def test_cursor_move_repaints_only_two_lines() -> None:
    painted: list[int] = []

    class CountingTable(VirtualTable):
        def render_line(self, y: int) -> Strip:
            painted.append(y)
            return super().render_line(y)

    class CountingApp(TableApp):
        def compose(self) -> ComposeResult:
            yield CountingTable(COLUMNS, cell=cell)

    app = CountingApp(make_cases(100))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        painted.clear()
        await pilot.press("j")
        await pilot.pause()
        assert sorted(painted) == [1, 2]


async def test_twenty_thousand_rows_last_row_reachable() -> None:
    rows = make_cases(20_000)
    app = TableApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(VirtualTable)
        assert table.row_count == 20_000
        await pilot.press("G")
        await pilot.pause()
        assert table.cursor_row is rows[-1]
        assert line(table, table.size.height - 1).startswith(" C19999")
        table.filter(lambda case: case.age == 3)
        assert table.row_count == sum(1 for case in rows if case.age == 3)
        assert table.cursor_row.age == 3


def test_snapshot(snap_compare) -> None:
    rows = make_cases(60)
    rows[1].note = "a [/b] c"
    rows[2].note = "[bold]not bold[/bold]"

    async def before(pilot) -> None:
        table = pilot.app.query_one(VirtualTable)
        table.sort_by("agency")
        await pilot.press("j", "j", "l", "l")

    assert snap_compare(TableApp(rows), terminal_size=(80, 24), run_before=before)
