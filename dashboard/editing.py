"""The Update data page's logic, as plain data: the to-do table of tables, the edit
grid's columns (from the data package's titles, lists, keys, bounds and
descriptions), the grid's edits applied to a table, the history in human terms, and
where each table is shown. Pure functions: the page turns their results into widgets.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

import pandas as pd

from .diffing import CHANGED, COLOURS, diff_records, summary
from .freshness import OVERDUE, UPDATE_DUE, Freshness, newest_text, status_text
from .i18n import DEFAULT_LANG, catalogue, place_name, t
from .loading import Dataset
from .problems import FileProblem
from .reading import FileRows, read_table
from .schema import Resource, resources

# Times are shown in the Mission's own time zone, with its abbreviation (CET/CEST).
TIME_ZONE = ZoneInfo("Europe/Belgrade")
# Most urgent first; the rest keep the descriptor's order.
URGENCY = {OVERDUE: 0, UPDATE_DUE: 1}
# The page that shows each table, and its title's catalogue key.
TABLE_PAGES = {
    "offices": ("pages/map.py", "nav.presence"), "regions": ("pages/map.py", "nav.presence"),
    "municipalities": ("pages/map.py", "nav.presence"), "staffing": ("pages/staffing.py", "nav.staffing"),
    "budget": ("pages/budget.py", "nav.budget"), "indicators": ("pages/reports.py", "nav.reports"),
    "court_monitoring": ("pages/reports.py", "nav.reports"), "elections": ("pages/elections.py", "nav.elections"),
    "milestones": ("pages/history.py", "nav.history"), "heads_of_mission": ("pages/history.py", "nav.history"),
    "facts": ("pages/overview.py", "nav.overview"), "sources": ("pages/sources.py", "nav.sources"),
}
# Enumerated values with a readable name in the catalogues (others are shown as written).
ENUM_LABELS = {"kind": "office.kind.{}", "qualifier": "edit.qualifier.{}", "location_precision": "edit.precision.{}"}


def when_text(iso: str, zone: dt.tzinfo = TIME_ZONE) -> str:
    """An ISO time (as the history records it, UTC) in ``zone``, with its
    abbreviation: ``2026-12-03 12:50 CET``."""
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def action_text(action: str, lang: str = DEFAULT_LANG) -> str:
    """"Saved", "Restored" or "Original" (the version a history starts with)."""
    return t(f"edit.action.{action if action in ('save', 'restore', 'original') else 'save'}", lang)


def change_text(version, lang: str = DEFAULT_LANG, zone: dt.tzinfo = TIME_ZONE) -> str:
    """A history entry (``storage.Version``) as who, when and why; for the
    ``original`` entry, that it has not changed since the package was loaded."""
    if version is None or version.action == "original":
        return t("freshness.never_changed", lang)
    return t("edit.todo.change", lang, when=when_text(version.time, zone), user=version.user, reason=version.reason)


@dataclass(frozen=True)
class TodoRow:
    """One table on the to-do list: ``status`` is a ``freshness`` status code."""

    table: str
    title: str
    status: str
    status_text: str
    newest: str
    last_change: str


def todo_rows(items: Sequence[Freshness], histories: Mapping[str, Sequence], lang: str = DEFAULT_LANG,
              zone: dt.tzinfo = TIME_ZONE) -> list[TodoRow]:
    """Every table (``freshness`` items), overdue first, then due, then the rest in
    the package's order; with its newest figure and its last change (the newest
    history entry: who, when, why)."""
    rows = [TodoRow(i.table, i.title, i.status, status_text(i, lang), newest_text(i, lang),
                    change_text((histories.get(i.table) or [None])[-1], lang, zone)) for i in items]
    return sorted(rows, key=lambda r: URGENCY.get(r.status, 2))


def todo_histories(store, data: Dataset | None = None) -> dict[str, list]:
    """Every table's history (``store.history``), for the to-do's last changes: one
    read per table. ``data`` is unused (the signature of ``cache.per_version``)."""
    return {res.name: store.history(res.name) for res in resources(store.descriptor_dir)}


# --- the edit grid ------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnSpec:
    """How the grid shows and checks one column. ``kind``: ``select`` (a fixed list
    or a foreign key: ``options`` with readable ``labels``), ``number`` (with
    ``minimum``/``maximum``, ``integer`` for whole numbers) or ``text`` (with
    ``pattern``, a regular expression the cell must match)."""

    name: str
    label: str
    help: str
    kind: str
    required: bool = False
    options: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    pattern: str | None = None


def enum_label(column: str, value: str, lang: str = DEFAULT_LANG) -> str:
    """A listed value's readable name, where the catalogues have one (``ENUM_LABELS``);
    else the value as written (the same column name can hold another table's list)."""
    key = ENUM_LABELS[column].format(value) if column in ENUM_LABELS else None
    return t(key, lang) if key and key in catalogue(DEFAULT_LANG) else value


def reference_labels(data: Dataset, resource_name: str, key: str, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """``{key value: readable name}`` of a referenced table's rows: a place's name in
    ``lang``, a source's title, else the key itself."""
    frame = data[resource_name]
    if key not in frame:
        return {}
    labels = {}
    for _, row in frame.iterrows():
        value = str(row[key])
        if "name_en" in frame:
            labels[value] = place_name(row, lang)
        elif "title" in frame:
            labels[value] = str(row["title"])
        else:
            labels[value] = value
    return labels


def column_specs(res: Resource, data: Dataset, lang: str = DEFAULT_LANG) -> list[ColumnSpec]:
    """The grid's columns for table ``res``, from its Table Schema: titles as headers,
    descriptions as help, enums and single-column foreign keys as drop-downs with
    readable labels, numbers with their bounds, patterns as checks."""
    foreign = {}
    for fk in res.descriptor["schema"].get("foreignKeys", []):
        fields, ref = fk.get("fields"), fk.get("reference", {})
        fields = [fields] if isinstance(fields, str) else fields
        ref_fields = ref.get("fields")
        ref_fields = [ref_fields] if isinstance(ref_fields, str) else ref_fields
        if len(fields or []) == 1 and len(ref_fields or []) == 1 and ref.get("resource") in data.tables:
            foreign[fields[0]] = reference_labels(data, ref["resource"], ref_fields[0], lang)
    specs = []
    for f in res.fields:
        c = f.constraints
        spec = ColumnSpec(f.name, f.title, f.description, "text", bool(c.get("required")), pattern=c.get("pattern"))
        if "enum" in c:
            options = tuple(str(v) for v in c["enum"])
            labels = {v: enum_label(f.name, v, lang) for v in options}
            spec = replace(spec, kind="select", options=options, labels=labels, pattern=None)
        elif f.name in foreign:
            spec = replace(spec, kind="select", options=tuple(foreign[f.name]), labels=foreign[f.name], pattern=None)
        elif f.type in ("number", "integer"):
            spec = replace(spec, kind="number", minimum=c.get("minimum"), maximum=c.get("maximum"),
                           integer=f.type == "integer", pattern=None)
        specs.append(spec)
    return specs


def grid_frame(table: FileRows, specs: Sequence[ColumnSpec]) -> pd.DataFrame:
    """The table as the grid edits it: number columns as numbers (a cell that is not
    one is shown empty; it stays as written unless edited), the rest as text."""
    frame = pd.DataFrame(table.rows, columns=table.header, dtype="string")
    for spec in specs:
        if spec.kind == "number" and spec.name in frame:
            frame[spec.name] = pd.to_numeric(frame[spec.name], errors="coerce").astype("Float64")
    return frame


def cell_text(value: object) -> str:
    """A value from the grid as the table stores it: empty for nothing, whole
    numbers without a decimal point, other numbers as Python writes them."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return ""
        if float(value).is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(float(value))
    return str(value)


def apply_edits(table: FileRows, edits: Mapping) -> FileRows:
    """``table`` with the grid's edits (``st.data_editor``'s state: ``edited_rows``
    by position, ``added_rows``, ``deleted_rows``) applied to its text. Cells that
    were not edited keep their exact text; rows are numbered as the saved file
    would number them (header = row 1)."""
    width = len(table.header)
    rows = [list(r) + [""] * (width - len(r)) for r in table.rows]
    for position, cells in (edits.get("edited_rows") or {}).items():
        index = int(position)
        if 0 <= index < len(rows):
            for column, value in cells.items():
                if column in table.header:
                    rows[index][table.header.index(column)] = cell_text(value)
    deleted = {int(i) for i in edits.get("deleted_rows") or []}
    rows = [r for i, r in enumerate(rows) if i not in deleted]
    for added in edits.get("added_rows") or []:
        rows.append([cell_text(added.get(column)) for column in table.header])
    return FileRows(table.filename, list(table.header), rows, list(range(2, len(rows) + 2)))


def edited_columns(table: FileRows, edits: Mapping) -> dict[int, list[str]]:
    """Which cells the grid's ``edited_rows`` change: ``{row position: [columns]}``,
    in the table's column order; a cell edited back to what it was is not changed."""
    out = {}
    for position, cells in (edits.get("edited_rows") or {}).items():
        index = int(position)
        if not 0 <= index < len(table.rows):
            continue
        row = table.rows[index]
        changed = [c for i, c in enumerate(table.header)
                   if c in cells and cell_text(cells[c]) != (row[i] if i < len(row) else "")]
        if changed:
            out[index] = changed
    return out


# The grid's leading read-only column naming each row's changed cells: a name no
# table has (the package names columns with lower-case identifiers).
MARK = "✎ edited"


def marked_grid(frame: pd.DataFrame, changed: Mapping[int, Sequence[str]], titles: Mapping[str, str]):
    """``frame`` (the grid, ``grid_frame``) for ``st.data_editor``, with a leading
    column ``MARK`` that names, on a yellow ground, the changed columns of each row
    (``edited_columns``). Streamlit styles only a grid's read-only columns, so the
    edited cells themselves cannot be coloured (streamlit/streamlit#10953). The
    column's data is always empty: only the Styler's display text and colours
    change, so the editor keeps its identity, and its pending edits, from run to run.
    """
    marked = frame.copy()
    marked.insert(0, MARK, pd.Series([""] * len(frame), index=frame.index, dtype="string"))
    styler = marked.style
    for position, columns in changed.items():
        text = "✎ " + ", ".join(titles.get(c, c) for c in columns)
        styler = styler.format(lambda _, text=text: text, subset=pd.IndexSlice[[frame.index[position]], [MARK]])
    # Streamlit draws a read-only cell's text at 60 % opacity: black keeps the faded
    # text over 4.5:1 on the yellow (#1a1a1a fell to 4.4:1).
    css = f"background-color: {COLOURS[CHANGED]}; color: #000000"
    rows = {frame.index[p] for p in changed}
    return styler.apply(lambda column: [css if i in rows else "" for i in column.index], subset=[MARK])


# --- history ------------------------------------------------------------------------

def version_summaries(versions: Sequence[str], content: Callable[[str], bytes], res: Resource) -> list[str]:
    """Each history entry's change (``versions``: their ids, oldest first) from the
    one before, ``+added ~changed −removed`` (rows); ``""`` for the first entry, or
    where a version cannot be read. ``content`` gives a version's bytes."""
    out: list[str] = []
    before: list[dict] | None = None
    for version in versions:
        try:
            table = read_table(content(version), res.path)
            after = [dict(zip(table.header, row)) for row in table.rows]
        except FileProblem:
            out.append("")
            before = None
            continue
        out.append("" if before is None else summary(diff_records(before, after, res.primary_key)))
        before = after
    return out


def history_frame(versions: Sequence, summaries: Sequence[str], current: str, lang: str = DEFAULT_LANG,
                  zone: dt.tzinfo = TIME_ZONE) -> pd.DataFrame:
    """The history as a table, newest first: when (with time zone), who, why, what
    was done, the change, the version, and which entry is current (the newest
    entry at the table's current version)."""
    current_at = next((i for i in range(len(versions) - 1, -1, -1) if versions[i].version == current), None)
    rows = [{t("edit.history.current", lang): t("edit.history.current_badge", lang) if i == current_at else "",
             t("edit.history.when", lang): when_text(v.time, zone),
             t("edit.history.who", lang): v.user,
             t("edit.history.why", lang): v.reason,
             t("edit.history.action", lang): action_text(v.action, lang),
             t("edit.history.change", lang): summaries[i] if i < len(summaries) else "",
             t("edit.history.version", lang): v.version}
            for i, v in enumerate(versions)]
    return pd.DataFrame(rows[::-1], columns=[t(f"edit.history.{c}", lang) for c in
                                             ("current", "when", "who", "why", "action", "change", "version")])


def done_text(title: str, action: str, words: str, lang: str = DEFAULT_LANG) -> str:
    """After a save or restore, what happened in words: "Offices updated (2 cells)"."""
    return t("edit.done.restore" if action == "restore" else "edit.done.save", lang, title=title, changes=words)
