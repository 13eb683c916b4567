"""Reading files as staff save them."""
import pytest

from conftest import FIXTURES
from dashboard.paths import DATA_DIR
from dashboard.problems import FileProblem
from dashboard.reading import MAX_FILE_BYTES, decode, read_table, sniff_delimiter

GOOD = FIXTURES / "good"


@pytest.mark.parametrize("name, original, delimiter", [
    ("offices_utf8_comma.csv", "offices.csv", ","),
    ("offices_utf8_bom_semicolon.csv", "offices.csv", ";"),
    ("offices_cp1250_semicolon.csv", "offices.csv", ";"),
    ("heads_of_mission_cp1252_comma.csv", "heads_of_mission.csv", ","),
    ("offices_tab.csv", "offices.csv", "\t"),
])
def test_csv_in_any_accepted_encoding_reads_as_the_original(name, original, delimiter):
    table = read_table(GOOD / name)
    original = read_table(DATA_DIR / original)
    assert table.delimiter == delimiter
    assert (table.header, table.rows) == (original.header, original.rows)


def test_bom_is_recognised():
    assert read_table(GOOD / "offices_utf8_bom_semicolon.csv").encoding == "utf-8-sig"


def test_cp1250_keeps_serbian_letters():
    table = read_table(GOOD / "offices_cp1250_semicolon.csv")
    names = {row[table.header.index("name_sr")] for row in table.rows}
    assert "Regionalni centar Priština" in names
    assert "Sedište, Priština" in names


def test_xlsx_cells_become_text_and_formulas_stay_text(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["name", "value"])
    book.active.append(["=1+1", 503.0])
    book.save(tmp_path / "t.xlsx")
    table = read_table(tmp_path / "t.xlsx")
    assert table.rows == [["=1+1", "503"]]
    assert table.encoding is None


def test_rows_are_numbered_as_in_excel_even_after_blank_rows():
    table = read_table(b"id,title\na,A\n\n,\nb,B\n", "sources.csv")
    assert table.rows == [["a", "A"], ["b", "B"]]
    assert table.row_numbers == [2, 5]


def test_windows_1252_wins_when_text_is_western():
    text, enc = decode("Café, crème brûlée".encode("cp1252"))
    assert enc == "cp1252" and "brûlée" in text


def test_windows_1250_wins_for_serbian_latin():
    text, enc = decode("Đakovica, Gnjilane, Peć".encode("cp1250"))
    assert enc == "cp1250" and text == "Đakovica, Gnjilane, Peć"


def test_delimiter_is_whatever_splits_the_header_most():
    assert sniff_delimiter("a;b;c\n1,5;2;3") == ";"
    assert sniff_delimiter('a,"b;c",d\n') == ","


@pytest.mark.parametrize("data, code", [
    (b"", "empty-file"),
    (b"  \r\n\r\n", "empty-file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary-file"),
    (b"PK\x03\x04garbage", "bad-xlsx"),
])
def test_unreadable_files_raise_a_plain_problem(data, code):
    with pytest.raises(FileProblem) as exc:
        read_table(data, "offices.csv")
    assert exc.value.problem.code == code
    assert exc.value.problem.file == "offices.csv"


def test_files_over_the_limit_are_refused_before_reading(tmp_path):
    big = tmp_path / "offices.csv"
    big.write_bytes(b"a" * (MAX_FILE_BYTES + 1))
    with pytest.raises(FileProblem) as exc:
        read_table(big)
    assert exc.value.problem.code == "too-large"
    assert "5 MB" in exc.value.problem.message()
