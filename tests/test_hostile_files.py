"""Files that are damaged, disguised or built to exhaust the server: each is refused
with a plain problem (file, and row and column where there is one), never a
traceback, a hang or a save. Every payload is built here, at test time."""
import csv
import io
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from dashboard import reading, storage
from dashboard.cli import main
from dashboard.paths import DATA_DIR, ROOT
from dashboard.problems import FileProblem
from dashboard.reading import MAX_COLUMNS, FileRows, read_table
from dashboard.schema import resource, resources
from dashboard.validation import validate_file, validate_package

OFFICES = resource("offices")


# --- control characters and NUL bytes ------------------------------------------

def offices_bytes(encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """The real offices table, its first note padded past 100 KB (so that a byte at
    offset 8191, 8192 or 100000 falls inside that cell: row 2, column "note")."""
    table = read_table(DATA_DIR / "offices.csv")
    rows = [list(r) for r in table.rows]
    rows[0][-1] = ("A long synthetic note for a file over 100 KB. " * 2700).strip()
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([table.header, *rows])
    return buffer.getvalue().encode(encoding)


ENCODINGS = {"utf8-comma": ("utf-8", ","), "cp1250-semicolon": ("cp1250", ";"), "bom-semicolon": ("utf-8-sig", ";")}
OFFSETS = [0, 8191, 8192, 100_000, "end"]


def with_nul(variant: str, offset) -> tuple[bytes, int, str]:
    """The file with a NUL inserted at ``offset``, and the row and column it lands in."""
    data = offices_bytes(*ENCODINGS[variant])
    if offset == "end":
        return data + b"\x00", len(OFFICES_ROWS) + 2, "id"
    assert len(data) > 100_001
    return data[:offset] + b"\x00" + data[offset:], (1 if offset == 0 else 2), (None if offset == 0 else "note")


OFFICES_ROWS = read_table(DATA_DIR / "offices.csv").rows


def control_problem(report):
    [problem] = [p for p in report.errors if p.code == "control-character"]
    return problem


@pytest.mark.parametrize("variant", ENCODINGS)
def test_the_padded_file_is_valid_without_the_nul(variant):
    assert validate_file(offices_bytes(*ENCODINGS[variant]), filename="offices.csv").valid


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("variant", ENCODINGS)
def test_a_nul_anywhere_is_refused_at_its_row_and_column(variant, offset):
    data, row, column = with_nul(variant, offset)
    report = validate_file(data, filename="offices.csv")
    assert not report.valid
    problem = control_problem(report)
    assert (problem.file, problem.row) == ("offices.csv", row)
    if column is None:  # in the header: the label itself, with the NUL shown
        assert problem.column.startswith("\\x00")
    else:
        assert problem.column == column
    assert "\\x00" in problem.value and "\x00" not in problem.describe()
    assert "control character" in problem.message()


@pytest.mark.parametrize("offset", [8191, 8192, 100_000])
@pytest.mark.parametrize("variant", ENCODINGS)
def test_the_reader_keeps_the_whole_file_so_the_nul_is_found_where_it_is(variant, offset):
    data, row, column = with_nul(variant, offset)
    table = read_table(data, "offices.csv")
    assert "\x00" in table.rows[table.row_numbers.index(row)][table.header.index(column)]


@pytest.mark.parametrize("offset", OFFSETS)
def test_the_cli_refuses_a_nul_anywhere(offset, tmp_path, capsys):
    data, row, _ = with_nul("utf8-comma", offset)
    (tmp_path / "offices.csv").write_bytes(data)
    assert main(["validate", str(tmp_path / "offices.csv"), "--resource", "offices"]) == 1
    out = capsys.readouterr().out
    assert f"Error: offices.csv, row {row}" in out and "\\x00" in out and "\x00" not in out


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("variant", ["utf8-comma", "cp1250-semicolon"])
def test_a_save_with_a_nul_is_refused_and_changes_nothing(variant, offset, data_copy):
    data, _, _ = with_nul(variant, offset)
    before = (data_copy / "offices.csv").read_bytes()
    with pytest.raises(storage.InvalidData) as exc:
        storage.save_table(data_copy, "offices", read_table(data, "offices.csv"), "tester", "test")
    assert "control-character" in {p.code for p in exc.value.report.errors}
    assert (data_copy / "offices.csv").read_bytes() == before
    assert not (data_copy / ".history").exists() and not (data_copy / ".audit.jsonl").exists()


@pytest.mark.parametrize("char", ["\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"])
def test_other_control_characters_in_a_cell_are_refused(char):
    text = (DATA_DIR / "offices.csv").read_text(encoding="utf-8").replace("Abdyl Frashëri", f"Abdyl{char}Frashëri")
    problem = control_problem(validate_file(text.encode(), filename="offices.csv"))
    assert (problem.row, problem.column) == (2, "address")
    assert problem.value.startswith(f"Abdyl\\x{ord(char):02x}Frashëri")


def test_tabs_and_line_breaks_inside_a_quoted_cell_are_text():
    text = (DATA_DIR / "offices.csv").read_text(encoding="utf-8").replace("Abdyl Frashëri", "Abdyl\tFrashëri\r\nstreet")
    assert validate_file(text.encode(), filename="offices.csv").valid


def test_a_control_character_typed_in_the_page_editor_is_refused():
    rows = [list(r) for r in OFFICES_ROWS]
    rows[1][OFFICES.field_names.index("name_en")] += "\x0b"  # Word's line break, pasted
    raw = FileRows("offices.csv", OFFICES.field_names, rows, list(range(2, len(rows) + 2)))
    problem = control_problem(validate_package(DATA_DIR, {"offices": raw}))
    assert (problem.row, problem.column) == (3, "name_en")


@pytest.mark.parametrize("data", [
    random.Random(1).randbytes(20_000),
    (DATA_DIR / "offices.csv").read_bytes() * 6 + random.Random(2).randbytes(100_000),
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
], ids=["random", "text-then-random", "png"])
def test_binary_files_are_refused_as_binary(data):
    with pytest.raises(FileProblem) as exc:
        read_table(data, "offices.csv")
    assert exc.value.problem.code == "binary-file"


# --- not a regular file ----------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    # A subprocess with a generous timeout: a regression fails here instead of
    # hanging the suite on a FIFO that has no writer.
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "offices.csv"
    os.mkfifo(path)
    return path


def test_validate_refuses_a_fifo_without_waiting_for_a_writer(fifo):
    result = run_cli("validate", str(fifo))
    assert result.returncode == 1, result.stderr
    assert "offices.csv" in result.stdout and "not a regular file" in result.stdout


def test_validate_refuses_a_link_to_a_fifo(fifo, tmp_path):
    link = tmp_path / "link" / "offices.xlsx"
    link.parent.mkdir()
    link.symlink_to(fifo)
    result = run_cli("validate", str(link))
    assert result.returncode == 1 and "not a regular file" in result.stdout


def test_import_and_diff_refuse_a_fifo_as_validate_does(fifo, data_copy):
    for args in (["import", str(fifo), "--resource", "offices", "--user", "t", "--reason", "r",
                  "--data", str(data_copy)],
                 ["diff", "offices", str(fifo), "--data", str(data_copy)]):
        result = run_cli(*args)
        assert result.returncode == 1 and "not a regular file" in result.stdout, result.stderr


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null", "."], ids=["device", "empty-device", "folder"])
def test_read_table_refuses_anything_but_a_regular_file(path):
    with pytest.raises(FileProblem) as exc:
        read_table(Path(path), "offices.csv")
    assert exc.value.problem.code == "not-a-file"
    assert exc.value.problem.describe().startswith("Error: offices.csv: This is not a regular file")


# --- row and column limits -------------------------------------------------------

def test_every_table_states_a_row_limit_above_its_rows_and_far_below_100000():
    for res in resources():
        rows = len(read_table(DATA_DIR / res.path).rows)
        assert 10 * max(rows, 10) <= res.max_rows <= 5_000, res.name


def regions_file(extra_rows: int) -> bytes:
    lines = (DATA_DIR / "regions.csv").read_text(encoding="utf-8").splitlines()
    template = lines[1].split(",")
    synthetic = [",".join([f"test-{i}", *template[1:]]) for i in range(extra_rows)]
    return ("\n".join(lines + synthetic) + "\n").encode()


def test_a_table_at_its_row_limit_is_read():
    limit = resource("regions").max_rows
    assert len(read_table(regions_file(limit - 5), "regions.csv", limit).rows) == limit


@pytest.mark.parametrize("extra", [96, 1000, 40_000])
def test_a_file_over_its_tables_row_limit_is_refused_naming_the_limit(extra):
    limit = resource("regions").max_rows
    report = validate_file(regions_file(extra), filename="regions.csv")
    [problem] = report.errors
    assert (problem.code, problem.file) == ("too-many-rows", "regions.csv")
    assert problem.message() == (f"The table has more than {limit} rows of data; at most {limit} are accepted. "
                                 "Check that this is the right file for this table.")


def test_the_reader_stops_at_the_first_row_past_the_limit(monkeypatch):
    produced = []

    def counting_reader(source, **kwargs):
        for record in csv.reader(source, **kwargs):
            produced.append(isinstance(source, io.StringIO))  # not the header line's delimiter sniffing
            yield record

    monkeypatch.setattr(reading, "csv", SimpleNamespace(reader=counting_reader, Error=csv.Error))
    with pytest.raises(FileProblem) as exc:
        read_table(regions_file(40_000), "regions.csv", resource("regions").max_rows)
    assert exc.value.problem.code == "too-many-rows"
    assert sum(produced) == resource("regions").max_rows + 2


def test_an_edit_in_the_page_over_the_limit_is_refused_with_its_count():
    limit = resource("regions").max_rows
    raw = read_table(regions_file(limit + 2), "regions.csv")  # read without a limit
    [problem] = validate_package(DATA_DIR, {"regions": raw}).errors
    assert problem.code == "too-many-rows"
    assert f"{limit + 7} rows" in problem.message() and f"at most {limit}" in problem.message()


@pytest.mark.parametrize("line", ["a," * 10_000, ",".join(["x"] * (MAX_COLUMNS + 1))],
                         ids=["10000-cells", "one-too-many"])
def test_a_csv_row_wider_than_any_table_is_refused_at_its_row(line):
    data = (DATA_DIR / "offices.csv").read_bytes() + line.encode() + b"\n"
    with pytest.raises(FileProblem) as exc:
        read_table(data, "offices.csv")
    assert (exc.value.problem.code, exc.value.problem.row) == ("too-many-columns", len(OFFICES_ROWS) + 2)


def test_empty_cells_right_of_the_table_are_ignored():
    lines = (DATA_DIR / "offices.csv").read_text(encoding="utf-8").splitlines()
    padded = "\n".join(line + "," * 500 for line in lines) + "\n"
    table = read_table(padded.encode(), "offices.csv")
    assert len(table.header) == MAX_COLUMNS and table.header[:15] == OFFICES.field_names


# --- XLSX: bombs and damage ------------------------------------------------------

def workbook(rows: list[list] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows or [["id", "title"], ["a", "A"]]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(data: bytes, replace: dict[str, bytes | str] | None = None, add: dict[str, bytes] | None = None,
          drop: tuple[str, ...] = ()) -> bytes:
    """``data`` (a zip) with parts replaced, added or dropped."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename not in drop:
                dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, content in add.items():
            dst.writestr(name, content)
    return out.getvalue()


def part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode()


SHEET = "xl/worksheets/sheet1.xml"


def sheet_with_rows(rows_xml: str) -> bytes:
    data = workbook()
    xml = part(data, SHEET)
    start, end = xml.index("<sheetData>"), xml.index("</sheetData>")
    return rezip(data, {SHEET: xml[:start] + "<sheetData>" + rows_xml + xml[end:]})


def inline_row(number: int, values: list[str], first_column: int = 1) -> str:
    from openpyxl.utils import get_column_letter

    cells = "".join(f'<c r="{get_column_letter(first_column + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def read_xlsx_problem(data: bytes, max_rows: int | None = 5000):
    with pytest.raises(FileProblem) as exc:
        read_table(data, "sources.xlsx", max_rows)
    assert exc.value.problem.file == "sources.xlsx"
    assert "{" not in exc.value.problem.describe()
    return exc.value.problem


def test_a_plain_workbook_still_reads():
    table = read_table(sheet_with_rows(inline_row(1, ["id", "title"]) + inline_row(3, ["a", "A"])), "sources.xlsx")
    assert (table.header, table.rows, table.row_numbers) == (["id", "title"], [["a", "A"]], [3])


def test_a_workbook_that_unpacks_past_the_limit_is_refused_unopened():
    # 60 MB of zeros packs to about 60 KB: a 5 MB upload can unpack to gigabytes.
    problem = read_xlsx_problem(rezip(workbook(), add={"xl/media/image1.png": bytes(60 * 1024 * 1024)}))
    assert problem.code == "xlsx-too-large"
    assert "up to 50 MB unpacked" in problem.message()


def test_a_part_packed_like_a_bomb_is_refused_unopened():
    problem = read_xlsx_problem(rezip(workbook(), replace={SHEET: part(workbook(), SHEET) + " " * (5 * 1024 * 1024)}))
    assert problem.code == "xlsx-unusual"
    assert SHEET in problem.message() and "at most 100 times" in problem.message()


def test_a_workbook_of_too_many_parts_is_refused_unopened():
    problem = read_xlsx_problem(rezip(workbook(), add={f"xl/media/p{i}.bin": b"x" for i in range(1001)}))
    assert problem.code == "xlsx-unusual" and "1010 parts" in problem.message()


def test_a_sheet_of_many_rows_is_refused_at_the_first_row_past_the_limit(monkeypatch):
    converted = []
    original = reading._xlsx_record
    monkeypatch.setattr(reading, "_xlsx_record", lambda values: converted.append(1) or original(values))
    rows = "".join(inline_row(n, [f"r{n}", "T"]) for n in range(1, 100_002))
    problem = read_xlsx_problem(sheet_with_rows(rows), max_rows=5000)
    assert problem.code == "too-many-rows" and "more than 5000" in problem.message()
    assert len(converted) == 5002


def test_a_row_number_past_excels_last_row_is_refused():
    rows = inline_row(1, ["id", "title"]) + inline_row(1_000_000_000, ["a", "A"])
    assert read_xlsx_problem(sheet_with_rows(rows)).code == "bad-xlsx"


@pytest.mark.parametrize("width", [MAX_COLUMNS + 1, 16_384])
def test_a_sheet_row_wider_than_any_table_is_refused_at_its_row(width):
    rows = inline_row(1, ["id", "title"]) + inline_row(2, ["x"] * width)
    problem = read_xlsx_problem(sheet_with_rows(rows))
    assert (problem.code, problem.row) == ("too-many-columns", 2)


def test_a_sheet_that_claims_every_cell_of_excel_reads_its_real_cells():
    data = workbook()
    xml = part(data, SHEET).replace('<dimension ref="A1:B2" />', '<dimension ref="A1:XFD1048576" />')
    assert 'A1:XFD1048576' in xml
    assert read_table(rezip(data, {SHEET: xml}), "sources.xlsx").rows == [["a", "A"]]


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
          + "]>")
ENTITY_PAYLOADS = {
    "billion-laughs": (LAUGHS, "&lol9;"),
    "external-file": ('<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"),
    "external-parameter": ('<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>', "a"),
    # harmless, but the standard library would expand it: refused only by defusedxml
    "internal": ('<!DOCTYPE x [<!ENTITY e "expanded">]>', "&e;"),
}


@pytest.mark.parametrize("payload", ENTITY_PAYLOADS)
@pytest.mark.parametrize("target", [SHEET, "xl/workbook.xml", "docProps/core.xml"])
def test_xml_entities_are_refused_wherever_they_are(payload, target):
    doctype, reference = ENTITY_PAYLOADS[payload]
    data = workbook()
    xml = part(data, target)
    if target == SHEET:
        xml = xml.replace("<t>a</t>", f"<t>{reference}</t>")
    assert xml.count("<") > 2
    problem = read_xlsx_problem(rezip(data, {target: doctype + xml}))
    assert problem.code == "bad-xlsx"


def test_openpyxl_parses_with_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML, "defusedxml is a pinned requirement: run scripts/setup"


def _no_sheets(data: bytes) -> bytes:
    xml = part(data, "xl/workbook.xml")
    without = xml[:xml.index("<sheets>")] + "<sheets />" + xml[xml.index("</sheets>") + len("</sheets>"):]
    return rezip(data, {"xl/workbook.xml": without})


@pytest.mark.parametrize("damage, code", [
    (lambda d: d[: len(d) // 2], "bad-xlsx"),
    (lambda d: d[:-22], "bad-xlsx"),
    (lambda d: rezip(d, {SHEET: part(d, SHEET)[:400]}), "bad-xlsx"),
    (lambda d: rezip(d, {SHEET: part(d, SHEET).replace("</row>", "", 1)}), "bad-xlsx"),
    (lambda d: rezip(d, {SHEET: b"\x00\xff garbage"}), "bad-xlsx"),
    (lambda d: rezip(d, drop=(SHEET,)), "xlsx-no-sheet"),  # openpyxl skips a sheet it cannot find
    (lambda d: rezip(d, drop=("xl/workbook.xml",)), "bad-xlsx"),
    (lambda d: rezip(d, {"[Content_Types].xml": "<Types"}), "bad-xlsx"),
    (_no_sheets, "xlsx-no-sheet"),
], ids=["half", "no-directory-end", "truncated-sheet", "unclosed-row", "sheet-garbage", "no-sheet-part",
        "no-workbook-part", "bad-content-types", "no-sheets"])
def test_a_damaged_workbook_gives_a_plain_problem(damage, code):
    assert read_xlsx_problem(damage(workbook())).code == code


def test_a_damaged_workbook_is_a_problem_for_the_validator_and_the_cli(tmp_path, capsys):
    path = tmp_path / "offices.xlsx"
    path.write_bytes(rezip(workbook(), {SHEET: part(workbook(), SHEET)[:400]}))
    assert [p.code for p in validate_file(path).errors] == ["bad-xlsx"]
    assert main(["validate", str(path)]) == 1
    assert "Error: offices.xlsx: The file looks like an Excel workbook but cannot be opened" in capsys.readouterr().out
