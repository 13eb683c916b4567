"""Save and load times per storage backend, side by side in one run.

Usage: .venv/bin/python bench/storage.py [--saves N] [--loads N]

Copies the embedded data package to a temporary folder (the files backend) and loads
it into a throwaway PostgreSQL server started for the run (Debian's binaries,
loopback only). Then, on each backend in turn, in alternating rounds so a slow spell
of the machine weighs on both:

- save: ``Store.save_table`` of the staffing table, alternating two contents (so no
  save is a "no change"), validation of the whole package included;
- read: the package's raw tables (``Store.package_files``);
- load: the whole package read, validated and typed (``Store.load_dataset``, what a
  page run does when the data changed).

It prints p50/p95 in milliseconds and the PostgreSQL / files ratio of each median.
"""
from __future__ import annotations

import argparse
import functools
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from dashboard.paths import DATA_DIR  # noqa: E402
from dashboard.postgres import PostgresStore, upgrade  # noqa: E402
from dashboard.reading import read_table  # noqa: E402
from dashboard.stores import FileStore  # noqa: E402
from support.postgres import PostgresServer  # noqa: E402


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--saves", type=int, default=40)
    parser.add_argument("--loads", type=int, default=40)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="omik-bench-storage-"))
    server = PostgresServer()
    try:
        files_dir = work / "data"
        shutil.copytree(DATA_DIR, files_dir, ignore=shutil.ignore_patterns(".*"))
        schema_dir = work / "schema"
        schema_dir.mkdir()
        shutil.copy(DATA_DIR / "datapackage.json", schema_dir)
        database = PostgresStore(server.create_database("bench"), schema_dir)
        upgrade(database.engine)
        database.load_package(files_dir)
        stores = {"files": FileStore(files_dir), "PostgreSQL": database}

        original = (files_dir / "staffing.csv").read_bytes()
        contents = [read_table(original.replace(b"posts,total,503", f"posts,total,{n}".encode()), "staffing.csv")
                    for n in (510, 511)]
        times: dict[str, dict[str, list[float]]] = {name: {"save": [], "read": [], "load": []} for name in stores}
        for i in range(max(args.saves, args.loads)):
            for name, store in stores.items():
                if i < args.saves:
                    save = functools.partial(store.save_table, "staffing", contents[i % 2], "bench", "benchmark")
                    times[name]["save"].append(timed(save))
                if i < args.loads:
                    times[name]["read"].append(timed(store.package_files))
                    times[name]["load"].append(timed(store.load_dataset))

        print(f"{'operation':<8} {'backend':<11} {'p50 ms':>8} {'p95 ms':>8} {'× files':>8}")
        for operation in ("save", "read", "load"):
            base = statistics.median(times["files"][operation])
            for name in stores:
                values = times[name][operation]
                median = statistics.median(values)
                print(f"{operation:<8} {name:<11} {median:8.1f} {percentile(values, 0.95):8.1f} {median / base:8.2f}")
        database.engine.dispose()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
