"""The failed sign-in counter in PostgreSQL: shared by every server process."""
import datetime as dt
import subprocess
import sys
import textwrap

import pytest

from conftest import FIXTURES
from dashboard import auth

pytestmark = pytest.mark.postgres
ROOT = FIXTURES.parent.parent


def test_failures_in_one_process_pause_the_name_in_another(pg_store):
    script = textwrap.dedent(f"""
        from dashboard.postgres import PostgresStore
        limiter = PostgresStore({pg_store.url!r}, {str(pg_store.descriptor_dir)!r}).limiter()
        assert all(limiter.attempt("ana", "203.0.113.7") == 0 for _ in range({auth.MAX_FAILURES}))
    """)
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120)
    limiter = pg_store.limiter()
    assert 0 < limiter.attempt("ana", "203.0.113.7") <= auth.WINDOW_S
    assert limiter.attempt("ana", "198.51.100.1") == 0  # another address is not locked out
    assert limiter.attempt("bo", "203.0.113.7") == 0


def test_the_pause_ends_with_the_window_and_a_success_clears_the_name(pg_store):
    moment = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]
    limiter = type(pg_store.limiter())(pg_store, clock=lambda: moment[0])
    for _ in range(auth.MAX_FAILURES):
        assert limiter.attempt("ana", "a") == 0
    assert limiter.attempt("ana", "a") == pytest.approx(auth.WINDOW_S)
    moment[0] += dt.timedelta(seconds=auth.WINDOW_S + 1)
    assert limiter.attempt("ana", "a") == 0
    limiter.succeeded("ana", "a")
    assert all(limiter.attempt("ana", "a") == 0 for _ in range(auth.MAX_FAILURES - 1))


def test_one_address_trying_many_names_is_paused(pg_store):
    limiter = pg_store.limiter()
    assert all(limiter.attempt(f"user{i}", "a") == 0 for i in range(auth.MAX_FAILURES_PER_ADDRESS))
    assert limiter.attempt("someone else", "a") > 0
