"""Rows of a QTableWidget the way the app's tables fill them.

The first column names the row (left-aligned, with a tooltip and the id the
code looks up); the other columns are numbers, right-aligned so they line up.
"""

from __future__ import annotations

import math
from collections.abc import Container, Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
)

__all__ = ["RIGHT", "fill_row", "number_text", "read_only_rows", "table_item", "table_texts"]

#: Alignment of a number in a table cell.
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def table_item(text: str, *, right: bool = False) -> QTableWidgetItem:
    """A cell showing ``text``, right-aligned when ``right``."""
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(RIGHT)
    return item


def fill_row(
    table: QTableWidget,
    row: int,
    texts: Sequence[str],
    *,
    tooltip: str | None = None,
    name_data: Mapping[int, object] | None = None,
    row_data: Mapping[int, object] | None = None,
    left: Container[int] = (0,),
    bold: bool = False,
) -> list[QTableWidgetItem]:
    """Put one new item per text into ``row`` of ``table``.

    Parameters
    ----------
    table
        The table; it must already have the row.
    row
        Row index.
    texts
        One text per column, from column 0.
    tooltip
        Tooltip of the name column (column 0).
    name_data
        Item data by role, set on the name column only.
    row_data
        Item data by role, set on every cell of the row.
    left
        Columns left-aligned; the others are right-aligned numbers.
    bold
        Whether the row is set in bold (a total row).

    Returns
    -------
    list of QTableWidgetItem
        The items, by column.
    """
    items = []
    for col, text in enumerate(texts):
        item = table_item(text, right=col not in left)
        for role, value in (row_data or {}).items():
            item.setData(role, value)
        if col == 0:
            if tooltip is not None:
                item.setToolTip(tooltip)
            for role, value in (name_data or {}).items():
                item.setData(role, value)
        if bold:
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        table.setItem(row, col, item)
        items.append(item)
    return items


def table_texts(table: QTableWidget) -> list[tuple[str, ...]]:
    """The text of every cell of ``table``, row by row."""
    return [
        tuple(table.item(r, c).text() for c in range(table.columnCount()))
        for r in range(table.rowCount())
    ]


def read_only_rows(table: QTableWidget, *, stretch_last: bool = False) -> None:
    """Make ``table`` a read-only list: one whole row selected at a time,
    no row numbers, columns as wide as their contents (the last one
    stretched when ``stretch_last``)."""
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(stretch_last)


def number_text(value: float | None, digits: int = 2) -> str:
    """A number for a result table; a dash for none (None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"
