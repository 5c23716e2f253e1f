"""TableRows, the VirtualTable's row source, on its own (no app): sort, filter and where
the cursor lands when either changes."""

from __future__ import annotations

from screens.widgets.table_rows import TableRows


def rows_of(values: list[int]) -> TableRows:
    rows = TableRows(lambda row, key: row[key])
    rows.replace([{"n": n} for n in values])
    rows.settle(None, refilter=True)
    return rows


def shown(rows: TableRows) -> list[int]:
    return [row["n"] for row in rows.visible_rows()]


def test_sort_keeps_the_cursor_on_its_row_and_none_restores_the_given_order() -> None:
    rows = rows_of([3, 1, 2])
    rows.cursor = 1  # on 1
    anchor = rows.anchor()
    rows.sort_column, rows.sort_reverse = "n", True
    rows.sort()
    rows.settle(anchor, refilter=False)
    assert shown(rows) == [3, 2, 1] and rows.cursor_row == {"n": 1} and rows.cursor == 2
    rows.sort_column = None
    rows.sort()
    rows.settle(rows.anchor(), refilter=False)
    assert shown(rows) == [3, 1, 2] and rows.cursor_row == {"n": 1}


def test_a_filter_that_hides_the_cursor_row_moves_it_to_the_next_one_shown() -> None:
    rows = rows_of([1, 2, 3, 4])
    rows.cursor = 1  # on 2
    rows.predicate = lambda row: row["n"] != 2
    rows.settle(rows.anchor(), refilter=True)
    assert shown(rows) == [1, 3, 4] and rows.cursor_row == {"n": 3}
    rows.predicate = lambda row: row["n"] > 10
    rows.settle(rows.anchor(), refilter=True)
    assert shown(rows) == [] and rows.cursor_row is None and rows.anchor() is None and rows.clamp(5) == 0


def test_new_rows_find_the_cursor_row_by_identity() -> None:
    rows = rows_of([1, 2])
    kept = rows.rows[1]
    assert rows.index_of(kept) == 1
    rows.replace([{"n": 0}, rows.rows[0], kept])
    assert rows.index_of(kept) == 2 and rows.index_of({"n": 2}) is None
