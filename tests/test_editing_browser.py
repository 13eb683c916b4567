"""The Update data page in a browser, walked through as an editor does it (issue 25's
"done when"): sign in, the to-do shows the overdue tables, update staffing by upload,
read the change in human terms, save with a reason, read what changed, see it as
current in the history, restore it (confirmed), see the restore in the history; and
axe on the signed-in page at 1280 and 390 px; and the edit grid marking the cells
an editor changed, with every pending edit kept. Screenshots are kept in
test-results/editing/ (git-ignored) for review."""
import json

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import PageLog
from dashboard.paths import ROOT
from support.browser import READY_SELECTOR, app_with_one_editor
from test_browser import MAIN_HEIGHT, SIDEWAYS_SCROLL, WIDTHS, axe_failures, open_page

pytestmark = pytest.mark.browser

RESULTS = ROOT / "test-results" / "editing"
PASSWORD = "a test password 123"


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory):
    """The app on a copy of the data, with one administrator (test-only credentials)."""
    server = app_with_one_editor(tmp_path_factory.mktemp("editing"), "root", "admin", PASSWORD)
    RESULTS.mkdir(parents=True, exist_ok=True)
    yield server
    server.stop()


def signed_in(browser, server, width: int = 1280):
    context = browser.new_context(**WIDTHS[width])
    page = context.new_page()
    page.log = PageLog(page, server.url)
    open_page(page, server.url, "data")
    page.get_by_label("Username").fill("root")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as root (administrator).").wait_for(timeout=30_000)
    page.wait_for_selector(READY_SELECTOR, timeout=60_000)
    return context, page


def ready(page) -> None:
    page.wait_for_selector(READY_SELECTOR, timeout=60_000)


def shot(page, name: str) -> None:
    """The whole page (Streamlit scrolls inside its main area: the screen is made as
    tall as the page for the picture)."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], page.evaluate(MAIN_HEIGHT))})
    page.screenshot(path=str(RESULTS / f"{name}.png"))
    page.set_viewport_size(size)


def history_rows(page, newest_says: str) -> list[str]:
    """The history table's rows, newest first, as text, once its newest row says
    ``newest_says``: after a save the page reruns and replaces the table, so the
    rows are read in the same step that sees the newest one (CI had read an empty
    table between two steps)."""
    return page.wait_for_function(
        """says => { const table = [...document.querySelectorAll('[data-testid="stTable"]')]
                                    .find(t => t.innerText.includes('What was done'));
                     const rows = table ? [...table.querySelectorAll('tbody tr')].map(r => r.innerText) : [];
                     return rows.length && rows[0].includes(says) ? rows : null; }""",
        arg=newest_says, timeout=30_000).json_value()


def test_an_editor_updates_staffing_from_the_to_do_and_restores_it(browser, admin_server, tmp_path):
    context, page = signed_in(browser, admin_server)
    main = page.locator('[data-testid="stMain"]')

    # the to-do: the overdue tables first, each with its Update button
    page.get_by_role("heading", name="What needs updating").wait_for(timeout=30_000)
    rows = page.locator('[class*="st-key-todo_row_"]')
    first_three = [rows.nth(i).inner_text() for i in range(3)]
    assert all("Overdue" in row for row in first_three), first_three
    assert {row.split("\n")[0] for row in first_three} == {"Staffing", "Budget", "Indicators"}
    assert "Editing version" not in main.inner_text()
    shot(page, "1-todo")

    # update staffing by upload
    page.locator(".st-key-todo_row_staffing").get_by_role("button", name="Update").click()
    page.get_by_role("heading", name="Staffing").wait_for(timeout=30_000)
    staffing = admin_server.data_dir / "staffing.csv"
    before = staffing.read_bytes()
    upload = tmp_path / "staffing.csv"
    upload.write_bytes(before.replace(b"posts,total,503", b"posts,total,510", 1))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))

    # the change in human terms, and Save disabled until a reason is given
    page.get_by_text("What will change: 1 cell").wait_for(timeout=30_000)
    review = page.locator('[data-testid="stTable"]', has_text="Before").inner_text()
    assert "2016/2020 · posts · total" in review and "Value" in review and "503" in review and "510" in review
    save = page.get_by_role("button", name="Save", exact=True)
    assert save.is_disabled()
    shot(page, "2-review")
    page.get_by_label("Reason for this change").fill("2026 fact sheet")
    page.get_by_label("Reason for this change").press("Enter")
    page.wait_for_function("() => ![...document.querySelectorAll('button')]"
                           ".find(b => b.innerText.trim() === 'Save').disabled", timeout=30_000)
    save.click()

    # what changed, in words, on the same tab; the version as detail
    page.get_by_text("Staffing updated (1 cell)").wait_for(timeout=30_000)
    page.get_by_role("link", name="View on Staffing ›").wait_for(timeout=30_000)
    assert page.get_by_role("tab", name="Upload a file").get_attribute("aria-selected") == "true"
    assert b"posts,total,510" in staffing.read_bytes()
    shot(page, "3-saved")

    # the history: the save is current
    open_tab(page, "History")
    rows = history_rows(page, "2026 fact sheet")
    assert "● current" in rows[0] and "root" in rows[0] and "2026 fact sheet" in rows[0] and "+0 ~1 −0" in rows[0]
    assert "CET" in rows[0] or "CEST" in rows[0]
    assert "Original" in rows[-1]
    shot(page, "4-history")

    # restore the original, after confirming what it changes
    page.get_by_role("button", name="Restore").click()
    page.get_by_text("Restoring saves it as a new version").wait_for(timeout=30_000)
    shot(page, "5-restore-confirm")
    assert staffing.read_bytes() != before  # nothing restored before confirming
    page.get_by_role("button", name="Confirm restore").click()
    page.get_by_text("Staffing restored (1 cell)").wait_for(timeout=30_000)
    assert staffing.read_bytes() == before
    assert page.get_by_role("tab", name="History").get_attribute("aria-selected") == "true"
    rows = history_rows(page, "Restored")
    assert "● current" in rows[0] and "Restored" in rows[0] and "● current" not in rows[1]
    shot(page, "6-restored")
    audit = [json.loads(line) for line in (admin_server.data_dir / ".audit.jsonl").read_text().splitlines()]
    assert [line["action"] for line in audit] == ["save", "restore"]
    assert page.log.page_errors == [] and page.log.external_requests == []
    context.close()



# The grid's geometry (Streamlit's defaults): rows 35 px high under a 35 px header;
# a narrow row-selection column, then the pinned "Edited" column.
ROW_PX, MARK_X = 35, 45
CHANGED_YELLOW = (0xFF, 0xF3, 0xBF)  # diffing.COLOURS["changed"]


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG's relative luminance of a colour."""
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def watch_runs(page) -> None:
    """Set ``window.omikRan`` once a run of the page's script is seen."""
    # Any change of the state is a run (it rests at notRunning); a callback may see
    # only the end of a quick run, so the change itself is what counts.
    page.evaluate("""() => { window.omikRan = false;
        new MutationObserver(() => { window.omikRan = true; }).observe(
            document.querySelector('[data-testid="stApp"]'),
            {attributes: true, attributeFilter: ['data-test-script-state']}); }""")


def open_tab(page, name: str) -> None:
    """Open the tab ``name`` as an editor does, once the page has settled. Its click
    reruns the page (the tabs' on_change); clicked while an earlier run was still
    drawing, that run's end drew the first tab again (a loaded machine's clean-clone
    run lost a test so), and the page then holds the tab as its value already, so the
    next click only shows it, with no run (another such run waited for that run in
    vain): the tab is clicked until, with no run going, it is the one open."""
    tab = page.get_by_role("tab", name=name)
    for _ in range(3):
        ready(page)
        watch_runs(page)
        tab.click()
        # the click's own run has ended, or the click opened the tab without one
        page.wait_for_function(
            """name => (window.omikRan || [...document.querySelectorAll('[role="tab"]')].some(
                            t => t.innerText.trim() === name && t.getAttribute('aria-selected') === 'true'))
                       && document.querySelector('[data-testid="stApp"]').dataset.testScriptState === 'notRunning'""",
            arg=name, timeout=60_000)
        ready(page)
        if tab.get_attribute("aria-selected") == "true":
            return
    raise AssertionError(f"the tab {name!r} did not stay open after three clicks")


EDIT_TAB = "Edit in the page"


def edit_cell(page, grid, row: int, column: int, text: str, then: str) -> None:
    """Type ``text`` into the grid's cell ``column`` (0 = the "Edited" column) of
    ``row``, as an editor does by keyboard, and wait for the page to say ``then``."""
    editor = page.locator("#portal textarea, #portal input").first
    # The canvas takes a click only once it is drawn where the box says (on a busy
    # machine a phone's layout can still be settling, and a rerun can hide the grid
    # for a moment: it has no box then): until the cell's editor opens, select the
    # cell again and ask for it. A run that was drawing when the tab was opened may
    # still draw the first tab again (on a loaded machine, after open_tab saw the
    # tab stay open): the tab is then opened again, as an editor would.
    for attempt in range(5):
        ready(page)
        if page.get_by_role("tab", name=EDIT_TAB).get_attribute("aria-selected") != "true":
            open_tab(page, EDIT_TAB)
        grid.wait_for(state="visible", timeout=30_000)
        box = grid.bounding_box()
        try:
            if box is None:
                raise PlaywrightTimeout("the grid has no box yet")
            page.mouse.click(box["x"] + MARK_X, box["y"] + ROW_PX * (row + 1) + ROW_PX // 2)
            # Each key waits for the grid to have moved (its accessible table marks the
            # selected cell): on a loaded machine keys sent at once could reach the grid
            # before the click had selected a cell, and Enter then opened the "Edited"
            # cell's read-only editor (two clean-clone runs lost the test so).
            # (cells are "glide-cell-{column}-{row}", the first column the pinned "Edited")
            first = int(grid.locator('td[role="gridcell"]').first.get_attribute("id").split("-")[2])
            for step in range(column + 1):
                if step:
                    page.keyboard.press("ArrowRight")
                grid.locator(f'td[id="glide-cell-{first + step}-{row}"][aria-selected="true"]').wait_for(
                    state="attached", timeout=10_000)
            # and an editable cell (a run redrawing the grid may hold it read-only a moment)
            grid.locator(f'td[id="glide-cell-{first + column}-{row}"][aria-readonly="false"]').wait_for(
                state="attached", timeout=30_000)
            page.keyboard.press("Enter")
            editor.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 4:
                raise
            page.keyboard.press("Escape")
    editor.fill(text)
    editor.press("Enter")
    page.get_by_text(then).wait_for(timeout=30_000)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_grid_marks_the_cells_an_editor_changed_and_keeps_every_pending_edit(browser, admin_server, width):
    """Two cells in different rows, then a third: each edit stays, and the grid's
    leading "Edited" column names each changed row's columns on a yellow ground."""
    import io

    from PIL import Image

    context, page = signed_in(browser, admin_server, width)
    try:
        page.locator(".st-key-todo_row_budget").get_by_role("button", name="Update").click()
        page.get_by_role("heading", name="Budget").wait_for(timeout=30_000)
        open_tab(page, EDIT_TAB)
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        edit_cell(page, grid, 0, 2, "18300001", "What will change: 1 cell")  # Amount
        edit_cell(page, grid, 2, 7, "a checked note", "What will change: 2 cells")  # Note
        edit_cell(page, grid, 1, 2, "30300001", "What will change: 3 cells")
        ready(page)
        review = page.locator('[data-testid="stTable"]', has_text="Before").inner_text()
        for old, new in (("18300000", "18300001"), ("30300000", "30300001"), ("The fact sheet", "a checked note")):
            assert old in review and new in review, review  # nothing lost on the way
        grid.scroll_into_view_if_needed()
        png = grid.screenshot(path=str(RESULTS / f"7-grid-marks-{width}.png"))
        picture = Image.open(io.BytesIO(png)).convert("RGB")
        marks = [picture.getpixel((MARK_X, ROW_PX * (row + 1) + 5)) for row in range(5)]
        assert marks[:3] == [CHANGED_YELLOW] * 3 and CHANGED_YELLOW not in marks[3:], marks
        # Streamlit fades a read-only cell's text: the mark's darkest ink still
        # reads at 4.5:1 or more on the yellow (axe cannot see into the canvas)
        ink = min((picture.getpixel((x, y)) for x in range(MARK_X - 10, MARK_X + 100)
                   for y in range(ROW_PX + 5, 2 * ROW_PX - 5)), key=luminance)
        assert (luminance(CHANGED_YELLOW) + 0.05) / (luminance(ink) + 0.05) >= 4.5, ink
        # the grid's cells are drawn on a canvas: what each mark says is checked
        # in tests/test_data_page.py; here, that the editor sees them
        shot(page, f"7-edited-in-the-page-{width}")
        axe_clean(page, width, "edit-marks")
        assert page.log.page_errors == []
    finally:
        context.close()


def axe_clean(page, width: int, name: str) -> None:
    ready(page)
    if width == 390:
        assert page.evaluate(SIDEWAYS_SCROLL) == [0, 0]
    page.set_viewport_size({"width": width, "height": page.evaluate(MAIN_HEIGHT)})
    failing = axe_failures(page)
    page.screenshot(path=str(RESULTS / f"axe-{name}-{width}.png"))
    assert failing == "[]", failing


@pytest.mark.parametrize("width", [1280, 390])
def test_the_signed_in_page_has_no_serious_accessibility_violations(browser, admin_server, width):
    """axe on the to-do, and on a table's history and review, at desktop and phone width."""
    from dashboard import storage
    from dashboard.reading import read_table

    budget = admin_server.data_dir / "budget.csv"
    if not storage.history(admin_server.data_dir, "budget"):  # a version to restore (test data only)
        typo = read_table(budget.read_bytes().replace(b"17462600", b"17462601"), "budget.csv")
        storage.save_table(admin_server.data_dir, "budget", typo, "bo", "typo test")
    context, page = signed_in(browser, admin_server, width)
    try:
        page.get_by_role("heading", name="What needs updating").wait_for(timeout=30_000)
        axe_clean(page, width, "todo")
        page.locator(".st-key-todo_row_budget").get_by_role("button", name="Update").click()
        page.get_by_role("heading", name="Budget").wait_for(timeout=30_000)
        open_tab(page, "History")
        page.locator('[data-testid="stTable"]', has_text="What was done").wait_for(timeout=30_000)
        page.get_by_role("button", name="Restore").click()
        page.get_by_text("Restoring saves it as a new version").wait_for(timeout=30_000)
        axe_clean(page, width, "history")
        assert page.log.page_errors == []
    finally:
        context.close()
