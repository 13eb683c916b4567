"""Which data store the configuration names (dashboard.settings): ``[connections.omik]``
as Streamlit documents it (``url``, or the parts of one), else $OMIK_DATABASE_URL,
else the files; anything else in the section is refused with one plain sentence,
never taken for "no database", and no message or log line carries the password."""
import logging

import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from dashboard import settings
from dashboard.i18n import t
from dashboard.paths import ROOT
from dashboard.postgres import driver_url
from dashboard.storage import StorageError

SECRET = "s3cret-Pa55"
URL = f"postgresql://omik:{SECRET}@127.0.0.1:5432/omik"
PARTS = {"dialect": "postgresql", "username": "omik", "password": SECRET, "host": "127.0.0.1", "port": 5432,
         "database": "omik"}

REFUSED = {
    "URL in capitals": {"URL": URL},
    "Url": {"Url": URL},
    "misspelt host": {**{k: v for k, v in PARTS.items() if k != "host"}, "hostname": "127.0.0.1"},
    "empty url": {"url": ""},
    "blank url": {"url": "   "},
    "url a number": {"url": 5432},
    "url a list": {"url": [URL]},
    "url a table": {"url": {"value": URL}},
    "empty section": {},
    "url and parts": {"url": URL, "host": "127.0.0.1"},
    "url and a password": {"url": "postgresql://omik@127.0.0.1/omik", "password": SECRET},
    "no dialect": {k: v for k, v in PARTS.items() if k != "dialect"},
    "no username": {k: v for k, v in PARTS.items() if k != "username"},
    "no host": {k: v for k, v in PARTS.items() if k != "host"},
    "only a password": {"password": SECRET},
    "empty dialect": {**PARTS, "dialect": ""},
    "empty host": {**PARTS, "host": " "},
    "host a number": {**PARTS, "host": 127},
    "password a number": {**PARTS, "password": 1234},
    "port text": {**PARTS, "port": "fivefour"},
    "port negative": {**PARTS, "port": "-1"},
    "port a fraction": {**PARTS, "port": 5432.5},
    "port true": {**PARTS, "port": True},
    "port in Arabic digits": {**PARTS, "port": "٥٤٣٢"},
    "query not a table": {**PARTS, "query": "sslmode=require"},
    "query value a number": {**PARTS, "query": {"connect_timeout": 5}},
    "create_engine_kwargs": {"url": URL, "create_engine_kwargs": {"isolation_level": "AUTOCOMMIT"}},
    "autocommit": {"url": URL, "autocommit": True},
    "a string section": URL,
    "a list section": [URL],
}


@pytest.mark.parametrize("section", REFUSED.values(), ids=REFUSED)
def test_a_connection_the_app_cannot_read_is_refused_without_the_password(section):
    with pytest.raises(StorageError, match=r"connections\.omik|a table of settings") as exc:
        settings.database_url({"connections": {"omik": section}}, environ={"OMIK_DATABASE_URL": URL})
    assert SECRET not in str(exc.value) and "does not fall back to the files" in str(exc.value)
    assert len({exc.value.message(lang) for lang in ("en", "sq", "sr")}) == 3


@pytest.mark.parametrize("connections", ["postgresql://x", ["omik"], 7])
def test_a_connections_entry_that_is_not_a_table_is_refused(connections):
    with pytest.raises(StorageError, match=r"\[connections\] in the secrets must be a table"):
        settings.database_url({"connections": connections}, environ={})


ACCEPTED = {
    "url": ({"url": URL}, URL),
    "url with spaces around": ({"url": f"  {URL}\n"}, URL),
    "Streamlit's documented parts": (PARTS, URL),
    "port as text": ({**PARTS, "port": "5432"}, URL),
    "no port, no database": ({k: v for k, v in PARTS.items() if k not in ("port", "database")},
                             f"postgresql://omik:{SECRET}@127.0.0.1"),
    "driver and query": ({**PARTS, "driver": "psycopg", "query": {"sslmode": "require"}},
                         f"postgresql+psycopg://omik:{SECRET}@127.0.0.1:5432/omik?sslmode=require"),
}


@pytest.mark.parametrize("section, expected", ACCEPTED.values(), ids=ACCEPTED)
def test_streamlits_documented_forms_are_read(section, expected):
    assert settings.database_url({"connections": {"omik": section}}, environ={}) == expected


@pytest.mark.parametrize("password", ["p@ss:w/rd?#%", "ë č ž", "a@b@c", "%40"], ids=repr)
def test_a_password_in_the_parts_form_needs_no_encoding(password):
    url = settings.database_url({"connections": {"omik": {**PARTS, "password": password}}}, environ={})
    assert make_url(url).password == password and make_url(driver_url(url)).password == password


def test_without_the_section_the_environment_then_the_files_decide():
    assert settings.database_url({}, environ={"OMIK_DATABASE_URL": URL}) == URL
    assert settings.database_url({"connections": {"other": {"url": "x"}}}, environ={"OMIK_DATABASE_URL": URL}) == URL
    assert settings.database_url({}, environ={}) is None
    assert settings.database_url({}, environ={"OMIK_DATABASE_URL": ""}) is None


def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PAGE_CASES = {
    "URL in capitals": {"URL": URL},
    "empty url": {"url": ""},
    "documented parts, server down": {**PARTS, "port": "{port}"},
    "password in the query, server down": {"url": "postgresql://omik@127.0.0.1:{port}/omik?password=" + SECRET},
    "unencoded @ in the password": {"url": f"postgresql://omik:{SECRET}@x@127.0.0.1:{{port}}/omik"},
    "port not a number": {"url": f"postgresql://omik:{SECRET}@127.0.0.1:{SECRET}/omik"},
    "unclosed IPv6 bracket": {"url": f"postgresql://omik:{SECRET}@[::1/omik"},
    "another driver": {"url": f"postgresql+nosuch://omik:{SECRET}@127.0.0.1/omik"},
    "MySQL": {"url": f"mysql://omik:{SECRET}@127.0.0.1/omik"},
}


@pytest.mark.parametrize("section", PAGE_CASES.values(), ids=PAGE_CASES)
def test_the_pages_say_one_plain_sentence_and_never_fall_back_to_the_files(section, data_copy, monkeypatch, caplog):
    port = str(closed_port())
    section = {k: v.replace("{port}", port) if isinstance(v, str) else v for k, v in section.items()}
    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))  # a complete package of files, which must not be shown
    monkeypatch.delenv("OMIK_DATABASE_URL", raising=False)
    caplog.set_level(logging.INFO)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["connections"] = {"omik": section}
    at.switch_page("pages/staffing.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [t("data.unavailable")]
    assert not at.table and not at.dataframe
    assert SECRET not in caplog.text and "Traceback" not in caplog.text
