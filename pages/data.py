from functools import partial

import pandas as pd
import streamlit as st

from dashboard import storage, ui
from dashboard.cache import app_store
from dashboard.export import csv_for_excel
from dashboard.i18n import t
from dashboard.problems import ERROR, FileProblem
from dashboard.reading import MAX_FILE_BYTES, FileRows, read_table
from dashboard.schema import resources
from dashboard.stores import proposal

page = ui.page_start("edit.title", "edit.intro")
lang = page.lang
user = ui.signed_in_user(lang)
if user is None:
    page.finish()
    st.stop()

store = app_store()
resources_by_name = {r.name: r for r in resources(store.descriptor_dir)}
name = st.selectbox(t("edit.table", lang), list(resources_by_name), format_func=lambda n: resources_by_name[n].title,
                    key="edit_table")
version, content = store.read_current(name)
# The version this session started editing from. Edits and uploads stay tied to it,
# so when someone else saves meanwhile, the work on screen is kept and its save is
# refused as stale, instead of vanishing or overwriting theirs.
base_key = f"edit_base_{name}"
if base_key not in st.session_state:
    st.session_state[base_key] = (version, content)
base, base_content = st.session_state[base_key]
st.caption(t("edit.version", lang, version=base))
if base != version:
    st.warning(t("edit.changed_meanwhile", lang, base=base, current=version), icon=":material/warning:")
    if st.button(t("edit.start_again", lang), key="start_again"):
        del st.session_state[base_key]
        st.rerun()


def saved(entry: storage.Version) -> None:
    # Rerun so every widget starts from the new version; the message survives it.
    del st.session_state[base_key]
    st.session_state["edit_flash"] = t("edit.saved", lang, version=entry.version)
    st.rerun()


if "edit_flash" in st.session_state:
    st.success(st.session_state.pop("edit_flash"))


def problems_table(problems: list) -> None:
    # Locations and messages quote the file's own cells: shown as text.
    st.table(ui.md_frame(pd.DataFrame([{t("edit.col.severity", lang): t(f"severity.{p.severity}", lang),
                                        t("edit.col.where", lang): p.where(lang),
                                        t("edit.col.problem", lang): p.message(lang)} for p in problems])),
             hide_index=True)


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
    st.markdown(f"**{t('edit.preview', lang)}**")
    st.code("\n".join(diff.lines(lang)), language="diff")  # a code block shows text as text
    with st.form(f"save_{key}"):
        reason = st.text_input(t("edit.reason", lang))
        if st.form_submit_button(t("edit.save", lang), type="primary"):
            try:
                entry = store.save_table(name, raw, user["name"], reason, expect_version=base)
            except storage.StorageError as exc:
                st.error(ui.md_escape(exc.message(lang)))
            else:
                saved(entry)


def version_csv(version: str) -> bytes:
    old = read_table(store.version_bytes(name, version), resources_by_name[name].path)
    return csv_for_excel(pd.DataFrame(old.rows, columns=old.header))


# The saved file itself can be invalid when it was changed outside this page; a
# valid upload or edit replaces it (the package is checked as it will be).
saved_errors = [p for p in page.data.problems if p.file == resources_by_name[name].path and p.severity == ERROR]
if saved_errors:
    st.warning(t("edit.saved_invalid", lang, count=len(saved_errors)), icon=":material/warning:")
    problems_table(saved_errors)

upload_tab, edit_tab, history_tab, *place_tab = st.tabs(
    [t("edit.tab.upload", lang), t("edit.tab.edit", lang), t("edit.tab.history", lang)]
    + ([t("place.tab", lang)] if name == "offices" else []))
with upload_tab:
    upload = st.file_uploader(t("edit.upload", lang, limit=MAX_FILE_BYTES // 1024 // 1024), type=["csv", "xlsx"],
                              key=f"upload_{name}_{base}")
    if upload is not None:
        try:
            review_and_save(read_table(upload.getvalue(), upload.name, resources_by_name[name].max_rows), "upload")
        except FileProblem as exc:
            st.error(ui.md_escape(exc.problem.describe(lang)))

with edit_tab:
    try:
        current = read_table(base_content, resources_by_name[name].path)
    except FileProblem as exc:
        st.error(ui.t_md("edit.unreadable", lang, problem=exc.problem.message(lang), tab=t("edit.tab.upload", lang)))
    else:
        frame = pd.DataFrame(current.rows, columns=current.header, dtype="string")
        # The base version is in the key: edits are positional, and must never land on
        # the rows of another version (streamlit#17026).
        edited = st.data_editor(frame, num_rows="dynamic", hide_index=True, key=f"editor_{name}_{base}")
        candidate = FileRows(current.filename, list(edited.columns), edited.fillna("").astype(str).values.tolist(),
                             list(range(2, len(edited) + 2)))
        if candidate.rows != current.rows:
            review_and_save(candidate, "editor")

with history_tab:
    versions = store.history(name)
    if not versions:
        st.info(t("edit.no_history", lang))
    for v in reversed(versions):
        cols = st.columns([3, 1, 1])
        cols[0].markdown(f"`{v.version}` · {ui.md_escape(v.time[:19].replace('T', ' '))} · "
                         f"{ui.md_escape(v.user)}: {ui.md_escape(v.reason)}")
        # Read only when clicked: a long history must not slow every rerun.
        cols[1].download_button(t("edit.download", lang), partial(version_csv, v.version),
                                file_name=f"omik_{name}_{v.version}.csv", key=f"dl_{v.time}", on_click="ignore")
        if user["may_restore"] and v.version != version:
            if cols[2].button(t("edit.restore", lang), key=f"restore_{v.time}"):
                try:
                    saved(store.restore(name, v.version, user["name"]))
                except storage.StorageError as exc:
                    st.error(ui.md_escape(exc.message(lang)))

NEW_TEAM = "+new"  # never an office id: ids start with a letter or digit


def place_on_map() -> None:
    """Place or move an office by clicking the map: the point (and its municipality)
    becomes an edit of the base version, reviewed and saved like any other."""
    from streamlit_folium import st_folium

    from dashboard.i18n import place_name
    from dashboard.maps import chosen_point_layer, placing_map
    from dashboard.places import coordinate_text, municipality_at, placed_table

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
            st.session_state[point_key] = (clicked["lat"], clicked["lng"])

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
        "location_precision": st.radio(
            t("place.precision", lang), precisions, horizontal=True, key=f"place_precision_{base}",
            index=precisions.index(office.get("location_precision") if office.get("location_precision") in precisions
                                   else "town_centre"),
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


if place_tab:
    with place_tab[0]:
        place_on_map()

page.finish()
