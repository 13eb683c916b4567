"""The field_presence table (issue 23) goes wherever a table goes: both storage
backends, an upgrade of a database loaded before the table existed, the command
line, the package zip, freshness and the Sources page."""
import csv
import io
import json
import zipfile

import pytest
from sqlalchemy import delete, select

from conftest import run_page
from dashboard import storage
from dashboard.cli import main
from dashboard.export import package_zip
from dashboard.reading import read_table
from dashboard.schema import resource

TABLE = "field_presence"


def current_csv(store) -> list[dict[str, str]]:
    _version, content = store.read_current(TABLE)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def as_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_the_table_is_declared_with_types_keys_and_a_rule():
    res = resource(TABLE)
    assert res.primary_key == ["municipality_code", "source_id"]
    keys = {fk["fields"][0]: fk["reference"]["resource"] for fk in res.descriptor["schema"]["foreignKeys"]}
    assert keys == {"municipality_code": "municipalities", "region_id": "regions", "source_id": "sources"}
    assert res.field("basis").constraints["enum"] == ["stated", "inferred"]
    assert res.descriptor["updateFrequency"] == "when_sources_change"
    assert res.max_rows == 5_000


def test_a_field_presence_edit_saves_on_each_backend(store):
    rows = current_csv(store)
    kept = [r for r in rows if r["source_id"] != "profile_gracanice_2018"]
    version = store.save_table(TABLE, read_table(as_csv(kept), "field_presence.csv"), "ana", "one profile is enough")
    assert store.read_current(TABLE)[0] == version.version
    assert len(store.load_dataset()[TABLE]) == len(rows) - 6
    assert f"{TABLE}.csv" in zipfile.ZipFile(io.BytesIO(package_zip(store.package_files()))).namelist()


@pytest.mark.parametrize("column, value", [("municipality_code", "atlantis"), ("basis", "guessed"),
                                           ("source_id", "no_such_source")])
def test_a_bad_field_presence_row_is_refused_by_name_on_each_backend(store, column, value):
    rows = current_csv(store)
    rows[0][column] = value
    with pytest.raises(storage.InvalidData) as refused:
        store.save_table(TABLE, read_table(as_csv(rows), "field_presence.csv"), "ana", "x")
    assert any(p.file == "field_presence.csv" and p.column == column for p in refused.value.report.errors)
    assert len(current_csv(store)) == len(rows)  # nothing saved


def test_db_load_adds_the_table_to_a_database_loaded_before_it_existed(pg_store, data_copy):
    from dashboard.postgres import current_tables, table_versions

    with pg_store.connect(write=True) as conn:  # as a database loaded by the code before issue 23
        conn.execute(delete(current_tables).where(current_tables.c.table_name == TABLE))
        conn.execute(delete(table_versions).where(table_versions.c.table_name == TABLE))
    assert not pg_store.load_dataset().valid
    with pg_store.connect() as conn:
        before = dict(conn.execute(select(current_tables.c.table_name, current_tables.c.version_id)).all())
    assert pg_store.load_package(data_copy) == 1
    with pg_store.connect() as conn:
        after = dict(conn.execute(select(current_tables.c.table_name, current_tables.c.version_id)).all())
    assert {name: after[name] for name in before} == before  # nothing else changed
    assert pg_store.load_dataset().valid and len(pg_store.load_dataset()[TABLE]) == 50
    assert pg_store.load_package(data_copy) == 0


def test_db_load_refuses_a_new_table_that_does_not_fit_the_database(pg_store, data_copy):
    from dashboard.postgres import current_tables, table_versions

    with pg_store.connect(write=True) as conn:
        conn.execute(delete(current_tables).where(current_tables.c.table_name == TABLE))
        conn.execute(delete(table_versions).where(table_versions.c.table_name == TABLE))
        # the database's municipalities were edited since: one code the files still cite is gone
        (content,) = conn.execute(select(table_versions.c.content).where(
            table_versions.c.table_name == "municipalities")).one()
        lines = [line for line in content.splitlines() if not line.startswith("decan,")]
        conn.execute(table_versions.update().where(table_versions.c.table_name == "municipalities")
                     .values(content="\n".join(lines) + "\n"))
    with pytest.raises(storage.InvalidData):
        pg_store.load_package(data_copy)
    with pg_store.connect() as conn:
        assert TABLE not in {r.table_name for r in conn.execute(select(current_tables.c.table_name))}


def test_the_command_line_validates_and_dates_the_table(capsys, data_copy):
    assert main(["validate", str(data_copy / "field_presence.csv")]) == 0
    capsys.readouterr()
    main(["freshness", "--json", "--data", str(data_copy)])
    tables = json.loads(capsys.readouterr().out)
    entry = next(t for t in (tables if isinstance(tables, list) else tables["tables"]) if t.get("table") == TABLE
                 or t.get("name") == TABLE)
    assert "when_sources_change" in json.dumps(entry)


def test_the_sources_page_lists_the_table():
    at = run_page("sources")
    labels = " ".join(e.label for e in at.expander)
    assert "Field presence" in labels
