"""The browser benchmark's CPU profile (bench/page_ready.py --cpu): a page's busy
main-thread time, by the script that spent it. The benchmark itself runs by hand
(README, "Benchmark"); what it reads from a profile is checked here."""
from __future__ import annotations

from bench.page_ready import main_thread_cpu


def _frame(name: str, url: str = "") -> dict:
    return {"functionName": name, "url": url, "scriptId": "0", "lineNumber": 0, "columnNumber": 0}


def test_busy_time_is_counted_by_script_without_its_content_hash_and_idle_time_is_not():
    profile = {
        "nodes": [{"id": 1, "callFrame": _frame("(idle)")},
                  {"id": 2, "callFrame": _frame("Np", "http://127.0.0.1:1/static/js/StreamlitMarkdown.oOG-xoxw.js")},
                  {"id": 3, "callFrame": _frame("(program)")},
                  {"id": 4, "callFrame": _frame("", "http://127.0.0.1:1/app/static/leaflet/leaflet.js")}],
        # each sample is charged the time since the one before it (µs)
        "samples": [1, 2, 2, 3, 4, 1],
        "timeDeltas": [5000, 200, 300, 1000, 400, 9000],
    }
    assert main_thread_cpu(profile) == {"StreamlitMarkdown.js": 0.5, "(program)": 1.0, "leaflet.js": 0.4}
