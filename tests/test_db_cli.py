"""``python -m dashboard db ...`` against a real PostgreSQL server: upgrade, load,
export, and a plain line for every address that cannot be used."""
import socket

import pytest

from conftest import FIXTURES
from dashboard.cli import main
from dashboard.paths import DATA_DIR

pytestmark = pytest.mark.postgres


def run(monkeypatch, capsys, url, *args):
    monkeypatch.setenv("OMIK_DATABASE_URL", url)
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_upgrade_load_export_gives_back_the_same_files(monkeypatch, capsys, pg_url, tmp_path):
    assert run(monkeypatch, capsys, pg_url, "db", "upgrade")[0] == 0
    assert run(monkeypatch, capsys, pg_url, "db", "upgrade")[0] == 0  # again: nothing to do
    code, out = run(monkeypatch, capsys, pg_url, "db", "load")
    assert code == 0 and "loaded 12 tables" in out
    code, out = run(monkeypatch, capsys, pg_url, "db", "load")
    assert code == 0 and "nothing to do" in out
    code, out = run(monkeypatch, capsys, pg_url, "db", "export", str(tmp_path / "out"))
    assert code == 0
    for original in DATA_DIR.iterdir():
        if original.is_file() and not original.name.startswith("."):
            assert (tmp_path / "out" / original.name).read_bytes() == original.read_bytes(), original.name


def test_the_other_commands_use_the_database_when_configured(monkeypatch, capsys, pg_url, tmp_path):
    run(monkeypatch, capsys, pg_url, "db", "upgrade")
    run(monkeypatch, capsys, pg_url, "db", "load")
    edited = tmp_path / "staffing.csv"
    edited.write_bytes((DATA_DIR / "staffing.csv").read_bytes().replace(b"posts,total,503", b"posts,total,510"))
    code, out = run(monkeypatch, capsys, pg_url, "diff", "staffing", str(edited))
    assert code == 0 and "'503' -> '510'" in out
    code, out = run(monkeypatch, capsys, pg_url, "import", str(edited), "--resource", "staffing", "--user", "ana",
                    "--reason", "test")
    assert code == 0 and "saved staffing" in out
    code, out = run(monkeypatch, capsys, pg_url, "history", "staffing")
    assert code == 0 and len(out.splitlines()) == 2 and "ana: test" in out
    assert b"posts,total,503" in (DATA_DIR / "staffing.csv").read_bytes()  # the files were not touched
    code, out = run(monkeypatch, capsys, pg_url, "history", "staffing", "--data", str(DATA_DIR))
    assert code == 2 and "OMIK_DATABASE_URL is set" in out


def test_an_invalid_package_is_not_loaded(monkeypatch, capsys, pg_url, data_copy):
    run(monkeypatch, capsys, pg_url, "db", "upgrade")
    (data_copy / "staffing.csv").write_bytes((FIXTURES / "bad" / "staffing_negative_count.csv").read_bytes())
    code, out = run(monkeypatch, capsys, pg_url, "db", "load", str(data_copy))
    assert code == 1 and "staffing.csv" in out
    code, out = run(monkeypatch, capsys, pg_url, "history", "staffing")
    assert code == 2 and "db load" in out


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "load"], ["history", "staffing"],
                                     ["db", "export", "/tmp/never-written"]])
@pytest.mark.parametrize("url, expected", [
    ("postgresql://omik:s3cret-pw@127.0.0.1:{port}/omik", "cannot reach the database"),
    ("mysql://omik:s3cret-pw@localhost/omik", "is not a PostgreSQL address"),
    ("not a url s3cret-pw", "is not a PostgreSQL address"),
])
def test_an_unusable_address_is_one_plain_line_without_the_password(monkeypatch, capsys, command, url, expected):
    code, out = run(monkeypatch, capsys, url.format(port=closed_port()), *command)
    assert code == 2 and expected in out
    assert "s3cret-pw" not in out and "Traceback" not in out and len(out.strip().splitlines()) == 1


def test_a_database_that_was_never_upgraded_says_what_to_run(monkeypatch, capsys, pg_url):
    code, out = run(monkeypatch, capsys, pg_url, "history", "staffing")
    assert code == 2 and "db upgrade" in out and len(out.strip().splitlines()) == 1


def test_db_commands_need_the_address(monkeypatch, capsys):
    monkeypatch.delenv("OMIK_DATABASE_URL", raising=False)
    assert main(["db", "upgrade"]) == 2
    assert "OMIK_DATABASE_URL" in capsys.readouterr().err
