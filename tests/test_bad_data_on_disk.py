"""A data file that became invalid on disk (a NUL in the middle, random bytes, a row
pasted twice): every page still runs, says which table has problems (and shows it
empty rather than unchecked), and the Update data page lets an editor replace it."""
import random

import pytest

from conftest import run_page
from dashboard.paths import DATA_DIR
from dashboard.schema import resources
from dashboard.ui import md_escape
from dashboard.validation import validate_package
from test_pages import PAGES

TABLES = [r.path for r in resources(DATA_DIR)]


def damage(data_dir, table: str, how: str) -> None:
    path = data_dir / table
    data = path.read_bytes()
    if how == "nul":
        path.write_bytes(data[: len(data) // 2] + b"\x00" + data[len(data) // 2:])
    elif how == "duplicate":  # the last row copied again, as a spreadsheet paste does
        path.write_bytes(data + data.rstrip(b"\n").rsplit(b"\n", 1)[-1] + b"\n")
    else:
        path.write_bytes(random.Random(table).randbytes(3000))


@pytest.mark.parametrize("how", ["nul", "random", "duplicate"])
@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_survives_a_damaged_table(page, table, how, data_copy, monkeypatch):
    damage(data_copy, table, how)
    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    at = run_page(page)
    assert any("problems" in w.value and md_escape(table) in w.value for w in at.warning)


@pytest.mark.parametrize("how", ["nul", "random"])
def test_an_editor_sees_what_is_wrong_with_the_saved_table_and_replaces_it(how, data_copy, monkeypatch):
    from dashboard import storage
    from test_data_page import HASH, PASSWORD, data_page, sign_in

    good = (data_copy / "offices.csv").read_bytes()
    damage(data_copy, "offices.csv", how)
    # while offices.csv is invalid, no table can be saved: the package would stay invalid
    with pytest.raises(storage.InvalidData):
        storage.save_table(data_copy, "budget", storage.read_table(data_copy / "budget.csv"), "bo", "test")

    at = sign_in(data_page(data_copy, monkeypatch, {"ana": {"password_hash": HASH, "role": "editor"}}), "ana", PASSWORD)
    at.selectbox(key="edit_table").set_value("offices").run()
    assert not at.exception
    assert any("The saved version of this table has" in w.value for w in at.warning)
    listed = at.table[0].value.to_string().replace("\\", "")  # shown as text: Markdown-escaped
    assert "offices.csv" in listed
    assert ("row " in listed and "control character" in listed) if how == "nul" else "binary data" in listed
    if how == "random":
        assert any(e.value.startswith("The saved file cannot be read") for e in at.error)

    uploader = next(u for u in at.file_uploader if (u.key or "").startswith("upload_offices_"))
    uploader.upload("offices.csv", good, "text/csv").run()
    [reason] = [w for w in at.text_input if w.label.startswith("Reason for this change")]
    reason.input("repair the damaged file")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert (data_copy / "offices.csv").read_bytes() == good
    assert not [p for p in validate_package(data_copy).errors]
