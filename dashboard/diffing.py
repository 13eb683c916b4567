"""What a new version of a table changes: rows added, removed, and changed cell by
cell, matched on the table's primary key; and the same in human terms, for the
Update data page (row by row with column titles, counts in words, cell colours)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .i18n import DEFAULT_LANG, t


@dataclass
class TableDiff:
    key_columns: list[str]
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[tuple[tuple, str, str, str]] = field(default_factory=list)  # (key, column, old, new)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def lines(self, lang: str = DEFAULT_LANG) -> list[str]:
        """The diff for a person, one line per change (+ added, - removed, ~ changed)."""
        def key_text(key):
            return ", ".join(f"{c}={v}" for c, v in zip(self.key_columns, key))
        out = [f"+ {t('diff.added', lang)}: {key_text(tuple(r[c] for c in self.key_columns))}" for r in self.added]
        out += [f"- {t('diff.removed', lang)}: {key_text(tuple(r[c] for c in self.key_columns))}" for r in self.removed]
        out += [f"~ {t('diff.changed', lang)}: {key_text(k)}: {col}: {old!r} -> {new!r}"
                for k, col, old, new in self.changed]
        return out or [t("diff.none", lang)]


def diff_records(old: list[dict], new: list[dict], key_columns: list[str]) -> TableDiff:
    """Compare two versions of a table (rows as ``{column: text}``)."""
    def keyed(rows):
        return {tuple(r[c] for c in key_columns): r for r in rows}

    before, after = keyed(old), keyed(new)
    diff = TableDiff(list(key_columns))
    diff.added = [after[k] for k in after if k not in before]
    diff.removed = [before[k] for k in before if k not in after]
    for k in after:
        if k in before:
            for column in after[k]:
                if before[k].get(column, "") != after[k][column]:
                    diff.changed.append((k, column, before[k].get(column, ""), after[k][column]))
    return diff


# --- in human terms ---------------------------------------------------------------
# What an editor reads before saving and in the history: the changes row by row,
# with the data package's column titles, never a code diff.

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
# Cell backgrounds of a review (light, so dark text keeps a contrast over 7:1).
COLOURS = {ADDED: "#d8f3dc", REMOVED: "#fde2e1", CHANGED: "#fff3bf"}


@dataclass(frozen=True)
class RowChange:
    """One row of a diff: ``kind`` is ``added``, ``removed`` or ``changed``; ``cells``
    are ``(column, old, new)``: every cell of an added or removed row (the missing
    side ``""``), the changed cells of a changed one."""

    key: tuple
    kind: str
    cells: list[tuple[str, str, str]]


def row_changes(diff: TableDiff) -> list[RowChange]:
    """The diff row by row: changed rows (in the new table's order), then added, then
    removed rows."""
    changed: dict[tuple, list[tuple[str, str, str]]] = {}
    for key, column, old, new in diff.changed:
        changed.setdefault(key, []).append((column, old, new))
    out = [RowChange(key, CHANGED, cells) for key, cells in changed.items()]
    for kind, rows in ((ADDED, diff.added), (REMOVED, diff.removed)):
        for row in rows:
            cells = [(c, "", v) if kind == ADDED else (c, v, "") for c, v in row.items() if v]
            out.append(RowChange(tuple(row[c] for c in diff.key_columns), kind, cells))
    return out


def counts(diff: TableDiff) -> dict[str, int]:
    """``{"added": rows, "changed": rows, "removed": rows, "cells": changed cells}``."""
    return {ADDED: len(diff.added), CHANGED: len({key for key, *_ in diff.changed}),
            REMOVED: len(diff.removed), "cells": len(diff.changed)}


def summary(diff: TableDiff) -> str:
    """The change in one short code, as the history shows it: ``+1 ~2 −0`` (rows
    added, changed, removed)."""
    n = counts(diff)
    return f"+{n[ADDED]} ~{n[CHANGED]} −{n[REMOVED]}"


def change_words(diff: TableDiff, lang: str = DEFAULT_LANG) -> str:
    """What changed, in words: "2 cells", "1 row added, 3 cells" ("no changes")."""
    n = counts(diff)
    parts = [t(f"diff.count.{what}{'_one' if n[what] == 1 else ''}", lang, n=n[what])
             for what in (ADDED, "cells", REMOVED) if n[what]]
    return ", ".join(parts) or t("diff.none", lang)


def key_text(key: tuple) -> str:
    """A row's key as a person reads it: its values, joined by " · "."""
    return " · ".join(str(v) for v in key)


def review_frame(diff: TableDiff, titles: Mapping[str, str],
                 lang: str = DEFAULT_LANG) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The review before a save: one line per changed cell (row, change, column,
    before, after) and one per added or removed row (its cells in "before" or
    "after"). Returns the table (text) and, of the same shape, each cell's CSS:
    the old value red, the new green, a changed cell's column yellow."""
    columns = [t(f"diff.col.{c}", lang) for c in ("row", "change", "column", "before", "after")]
    lines, styles = [], []
    for change in row_changes(diff):
        what = t(f"diff.{change.kind}", lang)
        if change.kind == CHANGED:
            for column, old, new in change.cells:
                lines.append([key_text(change.key), what, titles.get(column, column), old, new])
                styles.append(["", "", _css(CHANGED), _css(REMOVED), _css(ADDED)])
        else:
            text = "; ".join(f"{titles.get(c, c)}: {old or new}" for c, old, new in change.cells)
            lines.append([key_text(change.key), what, "", text if change.kind == REMOVED else "",
                          text if change.kind == ADDED else ""])
            styles.append([_css(change.kind), _css(change.kind), "",
                           _css(REMOVED) if change.kind == REMOVED else "",
                           _css(ADDED) if change.kind == ADDED else ""])
    return pd.DataFrame(lines, columns=columns), pd.DataFrame(styles, columns=columns)


def highlighted_grid(header: Sequence[str], rows: Sequence[Sequence[str]], diff: TableDiff,
                     titles: Mapping[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The new table as the grid shows it (columns titled), with its edits marked:
    each changed cell yellow, added rows green, and removed rows appended in red.
    Returns the table and each cell's CSS (same shape)."""
    keys = [header.index(c) for c in diff.key_columns]
    changed = {(key, column) for key, column, *_ in diff.changed}
    added = {tuple(r[c] for c in diff.key_columns) for r in diff.added}
    lines, styles = [], []
    for row in rows:
        key = tuple(row[i] for i in keys)
        lines.append(list(row))
        styles.append([_css(ADDED) if key in added else _css(CHANGED) if (key, column) in changed else ""
                       for column in header])
    for removed in diff.removed:
        lines.append([removed.get(c, "") for c in header])
        styles.append([_css(REMOVED)] * len(header))
    shown = [titles.get(c, c) for c in header]
    return pd.DataFrame(lines, columns=shown), pd.DataFrame(styles, columns=shown)


def _css(kind: str) -> str:
    return f"background-color: {COLOURS[kind]}; color: #1a1a1a"
