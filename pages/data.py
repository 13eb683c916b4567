from functools import partial

import pandas as pd
import streamlit as st

from dashboard import editing, storage, ui
from dashboard.cache import app_store, per_version
from dashboard.diffing import TableDiff, change_words, diff_records, highlighted_grid, review_frame
from dashboard.export import csv_for_excel
from dashboard.i18n import place_name, t
from dashboard.problems import ERROR, FileProblem
from dashboard.reading import MAX_FILE_BYTES, FileRows, read_table
from dashboard.schema import resources
from dashboard.stores import proposal
from dashboard.ui.freshness import app_freshness

page = ui.page_start("edit.title", "edit.intro")
lang = page.lang
user = ui.signed_in_user(lang)
if user is None:
    page.finish()
    st.stop()

store = app_store()
resources_by_name = {r.name: r for r in resources(store.descriptor_dir)}


# As ui.figures' tables: given a width in pixels, a table too wide for a phone scrolls
# sideways in a region that takes keyboard focus (axe: scrollable-region-focusable).
WIDE = 10_000


def choose(table: str) -> None:
    st.session_state["edit_table"] = table


# Open on the to-do: every table's status by the freshness rule, its newest figure
# and its last change, the overdue ones first. Once a table is chosen it folds away.
try:
    items = app_freshness()
    # The histories (one read per table) once per data version and per last change
    # the freshness rule sees: a save changes both, and a restore to an earlier
    # version (the same data version again) shows here when it shows in freshness.
    histories = per_version("todo_histories", editing.todo_histories, tuple(i.last_changed for i in items))
except storage.StorageError as exc:
    st.error(ui.md_escape(exc.message(lang)))
    histories, items = {}, []
BADGES = {"overdue": ("red", ":material/error:"), "update_due": ("orange", ":material/schedule:"),
          "up_to_date": ("green", ":material/check_circle:")}
chosen = st.session_state.get("edit_table")
with st.expander(t("edit.todo.title", lang)) if chosen else st.container():
    if not chosen:
        st.header(t("edit.todo.title", lang))
    st.caption(t("edit.todo.intro", lang))
    for row in editing.todo_rows(items, histories, lang):
        with st.container(horizontal=True, vertical_alignment="center", key=f"todo_row_{row.table}"):
            colour, icon = BADGES.get(row.status, ("gray", None))
            st.markdown(f"**{ui.md_escape(row.title)}**", width="content")
            st.badge(row.status_text, color=colour, icon=icon)
            st.caption(ui.md_escape(f"{t('freshness.col.newest', lang)}: {row.newest} · {row.last_change}"),
                       width="stretch")
            st.button(t("edit.todo.update", lang), key=f"todo_{row.table}", on_click=choose, args=(row.table,),
                      help=ui.t_md("edit.todo.update_help", lang, title=row.title))

name = st.selectbox(t("edit.table", lang), list(resources_by_name), index=None, key="edit_table",
                    format_func=lambda n: resources_by_name[n].title, placeholder=t("edit.choose_table", lang))


def show_flash() -> None:
    """What the last save or restore changed, in words, with the page that shows it."""
    flash = st.session_state.pop("edit_flash", None)
    if flash:
        st.success(ui.md_escape(flash["text"]), icon=":material/check_circle:")
        target, nav = editing.TABLE_PAGES.get(flash["table"], (None, None))
        if target:
            st.page_link(target, label=t("edit.view_on", lang, page=t(nav, lang)))
        st.caption(t("edit.version_detail", lang, version=flash["version"]))


if name is None:
    show_flash()
    page.finish()
    st.stop()

res = resources_by_name[name]
titles = {f.name: f.title for f in res.fields}
version, content = store.read_current(name)
# The version this session started editing from. Edits and uploads stay tied to it,
# so when someone else saves meanwhile, the work on screen is kept and its save is
# refused as stale, instead of vanishing or overwriting theirs.
base_key = f"edit_base_{name}"
if base_key not in st.session_state:
    st.session_state[base_key] = (version, content)
base, base_content = st.session_state[base_key]
st.header(ui.md_escape(res.title))
show_flash()
if base != version:
    st.warning(t("edit.changed_meanwhile", lang, base=base, current=version), icon=":material/warning:")
    if st.button(t("edit.start_again", lang), key="start_again"):
        del st.session_state[base_key]
        st.rerun()


def records(table: FileRows) -> list[dict]:
    return [dict(zip(table.header, row)) for row in table.rows]


try:
    base_table: FileRows | None = read_table(base_content, res.path)
except FileProblem as exc:
    base_table, unreadable = None, exc


def saved(entry: storage.Version, diff: TableDiff) -> None:
    # Rerun so every widget starts from the new version; the message survives it,
    # and the tabs (keyed) stay where the editor was.
    del st.session_state[base_key]
    st.session_state["edit_flash"] = {"text": editing.done_text(res.title, entry.action, change_words(diff, lang),
                                                                 lang),
                                      "table": name, "version": entry.version}
    st.rerun()


def problems_table(problems: list) -> None:
    # Locations and messages quote the file's own cells: shown as text.
    st.table(ui.md_frame(pd.DataFrame([{t("edit.col.severity", lang): t(f"severity.{p.severity}", lang),
                                        t("edit.col.where", lang): p.where(lang),
                                        t("edit.col.problem", lang): p.message(lang)} for p in problems])),
             hide_index=True, width=WIDE)


def styled(frame: pd.DataFrame, css: pd.DataFrame, table: bool = True):
    """``frame`` coloured by ``css`` (same shape); for ``st.table`` (an HTML table that
    screen readers and the browser's search read, cells rendered as Markdown) escaped."""
    shown = ui.md_frame(frame) if table else frame
    return shown.style.apply(lambda _: css.set_axis(shown.columns, axis=1), axis=None)


def show_diff(diff: TableDiff, before: list[dict]) -> None:
    """The change in human terms: row by row with colours, and each moved office
    on a small map with its distance and direction."""
    st.table(styled(*review_frame(diff, titles, lang)), hide_index=True, width=WIDE)
    if name == "offices":
        from dashboard.maps import map_html
        from dashboard.moves import move_map, move_text, moved_offices

        places = dict(zip(page.data["municipalities"]["code"],
                          (place_name(r, lang) for _, r in page.data["municipalities"].iterrows())))
        names = {r.get("id"): r.get("name_en", "") for r in before}
        for office, move in moved_offices(diff, before):
            label = names.get(office) or office
            st.markdown(ui.md_escape(f"{label}: {move_text(move, places, lang)}"))
            ui.static_map(map_html(move_map(move, label, lang, page.data)), lang, height=260)
            st.caption(t("edit.move.map", lang))


def review_and_save(raw: FileRows, key: str) -> None:
    """Validate the candidate table, show what is wrong or what would change, and
    save it (with a reason) only when valid and the table is still at ``base``."""
    report, diff = proposal(store, name, raw)
    if report.problems:
        problems_table(report.problems)
    if diff is None:
        st.error(t("edit.invalid", lang, errors=len(report.errors)))
        return
    if diff.empty:
        st.info(t("edit.no_changes", lang))
        return
    st.markdown(f"**{t('edit.preview', lang)}:** {ui.md_escape(change_words(diff, lang))}")
    show_diff(diff, records(base_table) if base_table else [])
    with st.expander(t("edit.grid_title", lang)):
        table = report.tables[name]
        st.dataframe(styled(*highlighted_grid(table.header, table.rows, diff, titles), table=False), hide_index=True)
    reason = st.text_input(t("edit.reason", lang), key=f"reason_{key}_{name}_{base}")
    if not reason.strip():
        st.caption(t("edit.reason_needed", lang))
    if st.button(t("edit.save", lang), type="primary", disabled=not reason.strip(), key=f"save_{key}_{name}_{base}"):
        try:
            entry = store.save_table(name, raw, user["name"], reason, expect_version=base)
        except storage.StorageError as exc:
            st.error(ui.md_escape(exc.message(lang)))
        else:
            saved(entry, diff)


def version_csv(version: str) -> bytes:
    old = read_table(store.version_bytes(name, version), res.path)
    return csv_for_excel(pd.DataFrame(old.rows, columns=old.header))


def version_records(version: str) -> list[dict] | None:
    try:
        return records(read_table(store.version_bytes(name, version), res.path))
    except FileProblem:
        return None


@st.cache_data(max_entries=32, show_spinner=False)
def summaries(_store, store_name: str, table: str, versions: tuple[str, ...]) -> list[str]:
    # Keyed on the version ids: a version's content never changes.
    return editing.version_summaries(versions, partial(_store.version_bytes, table), resources_by_name[table])


def column_config(spec: editing.ColumnSpec):
    common = {"label": spec.label, "help": ui.md_escape(spec.help) or None, "required": spec.required}
    if spec.kind == "select":
        return st.column_config.SelectboxColumn(options=list(spec.options), **common,
                                                format_func=lambda v, labels=spec.labels: labels.get(v, v))
    if spec.kind == "number":
        return st.column_config.NumberColumn(min_value=spec.minimum, max_value=spec.maximum, **common,
                                             step=1 if spec.integer else None, format="%d" if spec.integer else None)
    return st.column_config.TextColumn(validate=spec.pattern, **common)


# The saved file itself can be invalid when it was changed outside this page; a
# valid upload or edit replaces it (the package is checked as it will be).
saved_errors = [p for p in page.data.problems if p.file == res.path and p.severity == ERROR]
if saved_errors:
    st.warning(t("edit.saved_invalid", lang, count=len(saved_errors)), icon=":material/warning:")
    problems_table(saved_errors)

upload_tab, edit_tab, history_tab, *place_tab = st.tabs(
    [t("edit.tab.upload", lang), t("edit.tab.edit", lang), t("edit.tab.history", lang)]
    + ([t("place.tab", lang)] if name == "offices" else []), key=f"edit_tabs_{name}", on_change="rerun")
with upload_tab:
    upload = st.file_uploader(t("edit.upload", lang, limit=MAX_FILE_BYTES // 1024 // 1024), type=["csv", "xlsx"],
                              key=f"upload_{name}_{base}")
    if upload is not None:
        try:
            review_and_save(read_table(upload.getvalue(), upload.name, res.max_rows), "upload")
        except FileProblem as exc:
            st.error(ui.md_escape(exc.problem.describe(lang)))

with edit_tab:
    if base_table is None:
        st.error(ui.t_md("edit.unreadable", lang, problem=unreadable.problem.message(lang),
                         tab=t("edit.tab.upload", lang)))
    else:
        specs = editing.column_specs(res, page.data, lang)
        # The base version is in the key: edits are positional, and must never land on
        # the rows of another version (streamlit#17026). The edits are applied to the
        # table's own text, so cells not edited stay exactly as written.
        editor_key = f"editor_{name}_{base}"
        edits = st.session_state.get(editor_key) or {}
        # The edited cells are named in a leading read-only column (editing.marked_grid):
        # Streamlit cannot colour an editable cell.
        mark = st.column_config.TextColumn(t("edit.grid.mark", lang), help=t("edit.grid.mark_help", lang),
                                           disabled=True, pinned=True, width=150)
        st.data_editor(editing.marked_grid(editing.grid_frame(base_table, specs),
                                           editing.edited_columns(base_table, edits), titles),
                       num_rows="dynamic", hide_index=True, key=editor_key,
                       column_config={editing.MARK: mark, **{s.name: column_config(s) for s in specs}})
        candidate = editing.apply_edits(base_table, edits)
        if candidate.rows != base_table.rows:
            review_and_save(candidate, "editor")

with history_tab:
    versions = store.history(name)
    if not versions:
        st.info(t("edit.no_history", lang))
    else:
        ids = tuple(v.version for v in versions)
        st.table(ui.md_frame(editing.history_frame(versions, summaries(store, repr(store), name, ids), version,
                                                   lang)), hide_index=True, width=WIDE)
        default = len(versions) - 2 if len(versions) > 1 else 0
        chosen = st.selectbox(
            t("edit.history.choose", lang), list(range(len(versions)))[::-1], index=len(versions) - 1 - default,
            key=f"history_choice_{name}",
            format_func=lambda i: (f"{editing.when_text(versions[i].time)} · {versions[i].user} · "
                                   f"{editing.action_text(versions[i].action, lang)} · {versions[i].version}"))
        picked = versions[chosen]
        current_records = records(base_table) if base_table and base == version else version_records(version)
        with st.expander(t("edit.history.compare", lang)):
            old = version_records(picked.version)
            if picked.version == version:
                st.info(t("edit.history.is_current", lang))
            elif old is not None and current_records is not None:
                st.caption(t("edit.history.compare_title", lang))
                st.table(styled(*review_frame(diff_records(old, current_records, res.primary_key), titles, lang)),
                         hide_index=True, width=WIDE)
        # Read only when clicked: a long history must not slow every rerun.
        st.download_button(t("edit.download", lang), partial(version_csv, picked.version),
                           file_name=f"omik_{name}_{picked.version}.csv", key=f"dl_{name}", on_click="ignore")
        confirm_key = f"confirm_restore_{name}"
        if user["may_restore"] and picked.version != version:
            if st.button(t("edit.restore", lang), key=f"restore_{name}"):
                st.session_state[confirm_key] = picked.version
            if st.session_state.get(confirm_key) == picked.version:
                with st.container(border=True):
                    st.markdown(ui.md_escape(t("edit.restore_confirm", lang, version=picked.version,
                                               when=editing.when_text(picked.time))))
                    restored = version_records(picked.version)
                    diff = diff_records(current_records or [], restored or [], res.primary_key)
                    show_diff(diff, current_records or [])
                    why = st.text_input(t("edit.restore_reason", lang), key=f"restore_reason_{name}")
                    yes, no = st.columns(2)
                    if yes.button(t("edit.restore_yes", lang), type="primary", key=f"restore_yes_{name}"):
                        del st.session_state[confirm_key]
                        try:
                            saved(store.restore(name, picked.version, user["name"], why.strip() or None,
                                                expect_version=base), diff)
                        except storage.StorageError as exc:
                            st.error(ui.md_escape(exc.message(lang)))
                    if no.button(t("edit.cancel", lang), key=f"restore_no_{name}"):
                        del st.session_state[confirm_key]
                        st.rerun()

NEW_TEAM = "+new"  # never an office id: ids start with a letter or digit
def place_on_map() -> None:
    """Place or move an office by clicking the map: the point (and its municipality)
    becomes an edit of the base version, reviewed and saved like any other."""
    from streamlit_folium import st_folium

    from dashboard.i18n import place_name
    from dashboard.maps import chosen_point_layer, placing_map
    from dashboard.moves import default_precision
    from dashboard.places import BadPoint, clicked_point, coordinate_text, municipality_at, placed_table

    try:
        current = read_table(base_content, resources_by_name[name].path)
    except FileProblem as exc:
        st.error(ui.md_escape(exc.problem.describe(lang)))
        return
    offices = {row["id"]: row for row in (dict(zip(current.header, cells)) for cells in current.rows) if row.get("id")}
    st.caption(t("place.intro", lang))
    choice = st.selectbox(
        t("place.office", lang), [NEW_TEAM, *offices], key=f"place_office_{base}",
        format_func=lambda o: t("place.new", lang) if o == NEW_TEAM else f"{offices[o]['name_en']} ({o})")
    # Kept per base version: after a save the next placement starts with no point.
    point_key = f"place_point_{base}"

    def remember_click() -> None:
        clicked = (st.session_state.get("place_map") or {}).get("last_clicked")
        if clicked:
            try:
                st.session_state[point_key] = clicked_point(clicked)
            except BadPoint as exc:  # refused in words below; the last good point stays
                st.session_state[f"{point_key}_bad"] = exc

    bad = st.session_state.pop(f"{point_key}_bad", None)
    if bad is not None:
        st.error(ui.t_md("place.bad_point", lang, axis=t(f"place.axis.{bad.axis}", lang),
                         value=ui.shorten(repr(bad.value))))
    point = st.session_state.get(point_key)
    st_folium(placing_map(page.data, lang), key="place_map", height=460, use_container_width=True,
              returned_objects=["last_clicked"], on_change=remember_click,
              feature_group_to_add=chosen_point_layer(*point, t("place.new", lang) if choice == NEW_TEAM
                                                      else offices[choice]["name_en"]) if point else None)
    if point is None:
        st.info(t("place.no_point", lang))
        return
    lat, lon = point
    code = municipality_at(lat, lon)
    municipalities = page.data["municipalities"].set_index("code")
    where = dict(lat=coordinate_text(lat), lon=coordinate_text(lon))
    if code is None:  # the validator refuses it below, as it refuses any such coordinate
        st.warning(t("place.point_outside", lang, **where))
    else:
        shown = place_name(municipalities.loc[code], lang) if code in municipalities.index else code
        st.markdown(ui.t_md("place.point", lang, municipality=shown, **where))
    office = offices.get(choice, {})
    sources = dict(zip(page.data["sources"]["id"], page.data["sources"]["title"]))

    def source_select(label: str, key: str, value: str | None) -> str:
        options = list(sources)
        return st.selectbox(label, options, index=options.index(value) if value in sources else None,
                            format_func=lambda s: f"{sources[s]} ({s})", key=f"{key}_{base}") or ""

    precisions = ["building", "town_centre"]
    values = {
        # Keyed on the point: each click proposes the precision its distance from the
        # town centre suggests (moves.default_precision); the editor may change it.
        "location_precision": st.radio(
            t("place.precision", lang), precisions, horizontal=True, key=f"place_precision_{base}_{lat}_{lon}",
            index=precisions.index(default_precision(lat, lon, code)),
            format_func=lambda p: t(f"detail.precision.{p}", lang)),
        "location_source_id": source_select(t("place.location_source", lang), "place_location_source",
                                            office.get("location_source_id")),
    }
    if code is not None:
        values["municipality_code"] = code
    office_id = choice
    if choice == NEW_TEAM:
        office_id = st.text_input(t("place.new_id", lang), key=f"place_id_{base}").strip()
        values.update({column: st.text_input(t(f"place.{column}", lang), key=f"place_{column}_{base}")
                       for column in ("name_en", "name_sq", "name_sr")})
        values["source_id"] = source_select(t("place.source", lang), "place_source", None)
        values["as_of"] = st.text_input(t("place.as_of", lang), key=f"place_as_of_{base}")
        values["kind"] = "field_team"
        if code in municipalities.index:
            values["region_id"] = municipalities.loc[code, "region_id"]
        if not office_id:
            return  # nothing to review until the new team has an id
    review_and_save(placed_table(current, office_id, lat, lon, values, new=choice == NEW_TEAM), "place")


# Drawn only while its tab is open: a map drawn in a hidden tab had no size and
# opened on the whole world.
if place_tab and place_tab[0].open:
    with place_tab[0]:
        place_on_map()

page.finish()
