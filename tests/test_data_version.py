"""The data version (``loading.fingerprint``) that keys every cache: it changes with
every way a table or the descriptor can change, without reading the files."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import run_page
from dashboard import storage
from dashboard.loading import fingerprint


def _same_size_other_bytes(path: Path) -> bytes:
    """The file's bytes with one changed, the length kept (the descriptor stays
    valid JSON: one indenting space becomes a tab)."""
    data = path.read_bytes()
    if path.suffix == ".json":
        return data.replace(b"\n ", b"\n\t", 1)
    i = len(data.rstrip(b"\r\n")) - 1
    return data[:i] + (b"0" if data[i:i + 1] != b"0" else b"1") + data[i + 1:]


def _save(path: Path) -> None:
    storage.write_atomic(path, _same_size_other_bytes(path))


def _in_place_with_old_times(path: Path) -> None:
    # cp -p / rsync -t: new bytes written into the same inode, the old times put back.
    info = path.stat()
    path.write_bytes(_same_size_other_bytes(path))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def _replaced_by_copy_with_old_times(path: Path) -> None:
    # git checkout or an editor: a new file, with a preserved modification time.
    info = path.stat()
    other = path.with_name(path.name + ".new")
    other.write_bytes(_same_size_other_bytes(path))
    os.utime(other, ns=(info.st_atime_ns, info.st_mtime_ns))
    os.replace(other, path)


def _removed(path: Path) -> None:
    path.unlink()


@pytest.mark.parametrize("change", [_save, _in_place_with_old_times, _replaced_by_copy_with_old_times, _removed])
@pytest.mark.parametrize("file", ["staffing.csv", "sources.csv", "datapackage.json"])
def test_every_change_to_a_table_or_the_descriptor_is_a_new_version(data_copy, change, file):
    if file == "datapackage.json" and change is _removed:
        pytest.skip("without its descriptor there is no package to version")
    before = fingerprint(data_copy)
    assert fingerprint(data_copy) == before  # nothing changed, nothing new
    change(data_copy / file)
    assert fingerprint(data_copy) != before


def test_files_that_are_not_tables_do_not_count(data_copy):
    before = fingerprint(data_copy)
    (data_copy / "notes.txt").write_text("not part of the package")
    storage.write_atomic(data_copy / "README.md", b"anything")
    assert fingerprint(data_copy) == before


def test_the_version_reads_no_file(data_copy, monkeypatch):
    # Every page run checks it: a stat per file, never their bytes.
    fingerprint(data_copy)  # the descriptor parsed once (schema caches it by mtime)
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k))
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: opened.append(self))
    fingerprint(data_copy)
    assert opened == []



# --- the shared data is read-only ------------------------------------------------

PAGES = sorted(p.stem for p in (Path(__file__).parent.parent / "pages").glob("*.py"))


def _snapshot(data):
    return {name: frame.copy(deep=True) for name, frame in data.tables.items()}


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_no_page_changes_the_data_every_session_shares(lang):
    import pandas as pd

    from dashboard import cache

    data = cache.dataset()  # the very object every session's pages get (st.cache_resource)
    before = _snapshot(data)
    figures = {name: cache.figures_table(name, lang).copy(deep=True) for name in ("staffing", "budget", "indicators")}
    for page in PAGES:
        run_page(page, lang=lang)
    assert cache.dataset() is data
    for name, frame in data.tables.items():
        pd.testing.assert_frame_equal(frame, before[name], obj=f"table {name}")
    for name, frame in figures.items():
        pd.testing.assert_frame_equal(cache.figures_table(name, lang), frame, obj=f"figure table {name}")


# --- one check per page run ---------------------------------------------------------

def _asks_for_its_data_many_times():
    import streamlit as st

    from dashboard import cache

    store = cache.app_store()
    versions = {cache.data_version(store) for _ in range(5)}
    data = cache.dataset()
    cache.figures_table("staffing")
    cache.figures_table("budget", "sq")
    st.write(f"{len(versions)} {len(data['staffing'])}")


def test_the_version_and_the_secrets_are_read_once_per_page_run_and_again_on_the_next(data_copy, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from dashboard import cache
    from dashboard.stores import FileStore

    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    checks, secrets_read = [], []
    real = FileStore.fingerprint
    monkeypatch.setattr(FileStore, "fingerprint", lambda self: checks.append(1) or real(self))
    real_secrets = cache.read_secrets
    monkeypatch.setattr(cache, "read_secrets", lambda: secrets_read.append(1) or real_secrets())
    at = AppTest.from_function(_asks_for_its_data_many_times, default_timeout=60)
    at.run()
    assert not at.exception and len(checks) == 1 and len(secrets_read) == 1
    rows = int(at.markdown[0].value.split()[1])
    staffing = data_copy / "staffing.csv"
    staffing.write_text(staffing.read_text(encoding="utf-8").rstrip("\n").rsplit("\n", 1)[0] + "\n",
                        encoding="utf-8")  # a save (one row fewer) between two runs
    at.run()
    assert len(checks) == 2 and len(secrets_read) == 2
    assert at.markdown[0].value == f"1 {rows - 1}"  # the next run saw it
