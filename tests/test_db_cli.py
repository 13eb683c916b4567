"""``python -m dashboard db ...`` against a real PostgreSQL server: upgrade, load,
export, and a plain line for every address that cannot be used."""
import socket

import pytest

from conftest import FIXTURES
from dashboard import schema
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
    assert code == 0 and f"loaded {len(schema.resources())} tables" in out
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


SECRET = "s3cret-Pa55"
# Every place of an address that can carry a password, as written by hand: where
# SQLAlchemy's parser puts it, where libpq also reads one (the query), and where an
# unencoded @ : / ? # or % moves it for one parser or the other.
SECRET_URLS = {
    "userinfo": "postgresql://omik:{s}@127.0.0.1:{port}/omik",
    "query password": "postgresql://omik@127.0.0.1:{port}/omik?password={s}",
    "query password after another": "postgresql://omik@127.0.0.1:{port}/omik?sslmode=disable&password={s}",
    "query PASSWORD": "postgresql://omik@127.0.0.1:{port}/omik?PASSWORD={s}",
    "query percent-encoded key": "postgresql://omik@127.0.0.1:{port}/omik?%70assword={s}",
    "query sslpassword and sslkey": "postgresql://omik@127.0.0.1:{port}/omik?sslpassword={s}&sslkey=/keys/{s}",
    "query with an @": "postgresql://omik@127.0.0.1:{port}/omik?password=a@{s}",
    "unencoded @ in the password": "postgresql://omik:{s}@x@127.0.0.1:{port}/omik",
    "unencoded @ before it": "postgresql://omik:a@{s}@127.0.0.1:{port}/omik",
    "several @ and :": "postgresql://omik:a:b@{s}:c@127.0.0.1:{port}/omik",
    "unencoded :": "postgresql://omik:{s}:more@127.0.0.1:{port}/omik",
    "unencoded /": "postgresql://omik:{s}/x@127.0.0.1:{port}/omik",
    "unencoded ?": "postgresql://omik:{s}?x@127.0.0.1:{port}/omik",
    "unencoded #": "postgresql://omik:{s}#x@127.0.0.1:{port}/omik",
    "percent-encoded": "postgresql://omik:%73{s}%40@127.0.0.1:{port}/omik",
    "fragment": "postgresql://omik@127.0.0.1:{port}/omik#{s}",
    "port not a number": "postgresql://omik:{s}@127.0.0.1:notaport/omik",
    "password as the port": "postgresql://omik:{s}/omik",
    "unclosed IPv6 bracket": "postgresql://omik:{s}@[::1/omik",
    "uninstalled driver": "postgresql+nosuch://omik:{s}@127.0.0.1:{port}/omik",
    "psycopg2, not installed": "postgresql+psycopg2://omik:{s}@127.0.0.1:{port}/omik",
    "MySQL": "mysql://omik:{s}@localhost/omik",
    "postgres://": "postgres://omik:{s}@127.0.0.1:{port}/omik",
    "not a URL": "not a url {s}",
    "key=value string": "host=127.0.0.1 password={s}",
}


@pytest.mark.parametrize("command", [["db", "upgrade"], ["history", "staffing"]], ids=" ".join)
@pytest.mark.parametrize("template", SECRET_URLS.values(), ids=SECRET_URLS)
def test_no_password_in_any_message_wherever_it_is_written(monkeypatch, capsys, command, template):
    code, out = run(monkeypatch, capsys, template.format(s=SECRET, port=closed_port()), *command)
    assert code == 2 and len(out.strip().splitlines()) == 1, out
    assert SECRET not in out and "Traceback" not in out


@pytest.mark.parametrize("template", SECRET_URLS.values(), ids=SECRET_URLS)
def test_the_redaction_hides_every_secret_and_keeps_what_locates_the_server(template):
    from dashboard.postgres import safe_url

    shown = safe_url(template.format(s=SECRET, port=5432))
    assert SECRET not in shown and shown.isprintable()
    assert safe_url(f"postgresql://omik:{SECRET}@db.example.org:5432/omik?sslmode=require&password={SECRET}") == \
        "postgresql://omik:***@db.example.org:5432/omik?sslmode=require&password=***"


def test_db_load_checks_the_files_against_the_apps_schema_not_their_own(monkeypatch, capsys, pg_url, data_copy,
                                                                         tmp_path):
    import json

    run(monkeypatch, capsys, pg_url, "db", "upgrade")
    descriptor = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    staffing = next(r for r in descriptor["resources"] if r["name"] == "staffing")
    for field in staffing["schema"]["fields"]:
        field.pop("constraints", None)  # a folder's own, relaxed schema
    next(r for r in descriptor["resources"] if r["name"] == "sources")["path"] = "/proc/self/environ"
    (data_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (data_copy / "staffing.csv").write_bytes((FIXTURES / "bad" / "staffing_negative_count.csv").read_bytes())
    code, out = run(monkeypatch, capsys, pg_url, "db", "load", str(data_copy))
    assert code == 1 and "-116 is negative" in out and "PATH=" not in out

    (data_copy / "staffing.csv").write_bytes((DATA_DIR / "staffing.csv").read_bytes())
    (tmp_path / "outside.csv").write_bytes((DATA_DIR / "regions.csv").read_bytes())
    (data_copy / "regions.csv").unlink()
    (data_copy / "regions.csv").symlink_to(tmp_path / "outside.csv")
    code, out = run(monkeypatch, capsys, pg_url, "db", "load", str(data_copy))
    assert code == 2 and "not a file inside" in out and len(out.strip().splitlines()) == 1
    code, out = run(monkeypatch, capsys, pg_url, "history", "staffing")
    assert code == 2 and "db load" in out  # nothing was loaded

    (data_copy / "regions.csv").unlink()
    (data_copy / "regions.csv").write_bytes((DATA_DIR / "regions.csv").read_bytes())
    code, out = run(monkeypatch, capsys, pg_url, "db", "load", str(data_copy))  # its own descriptor is ignored
    assert code == 0 and f"loaded {len(schema.resources())} tables" in out
