"""A copy of the data package with Markdown, HTML and link payloads in every free
text: the data an editor with bad intent (or a pasted web page) could save. Test-only.

Every cell of a free-text column (text with no enum, no pattern and no foreign key)
gets a payload, alone, before or after its own text, so the payloads sit at
different offsets of different fields of every table; ids, enums, dates, numbers and
keys stay as they are, and the package still validates.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from dashboard.paths import DATA_DIR

EVIL_HOST = "evil.example"
PAYLOADS = [
    "[Sign in again](https://evil.example/phish)",
    "![x](https://evil.example/pixel.png)",
    "<img src=https://evil.example/i.png>",
    "https://evil.example/bare",
    "www.evil.example",
    "admin@evil.example",
    ":red[alert] :material/warning:",
    "$x^2$",
    "**bold**",
    "<script>alert(1)</script>",
    # the same in other encodings: entities, capitals, an angle-bracket autolink, a reference link
    "&#91;entity&#93;(https://evil.example/entity)",
    "[CAPS](HTTPS://EVIL.EXAMPLE/CAPS)",
    "<https://evil.example/angle>",
    "[ref][r] [r]: https://evil.example/ref",
    ":smile: :streamlit: -> <= --",
    '" onmouseover="alert(1)',
]
# A web address the validator accepts, in the only column that holds addresses.
SOURCE_URL = "https://evil.example/source"
JAVASCRIPT_URL = "javascript:alert(1)"


def free_text_fields(resource: dict) -> list[str]:
    schema = resource["schema"]
    keyed = {f for key in schema.get("foreignKeys", []) for f in key["fields"]}
    return [f["name"] for f in schema["fields"]
            if f.get("type", "string") == "string" and f["name"] not in keyed
            and not {"enum", "pattern"} & set(f.get("constraints", {}))]


def _with_payload(text: str, payload: str, offset: int, in_key: bool) -> str:
    if offset == 0 and not in_key:  # alone (a key keeps its own text, so it stays unique)
        return payload
    return f"{payload} {text}".strip() if offset == 1 else f"{text} {payload}".strip()


def make_hostile_package(target: Path, javascript_url: bool = False) -> Path:
    """The real package copied to ``target`` with payloads in every free-text cell
    and every table's title; ``javascript_url`` also puts a ``javascript:`` address
    in sources.csv (which makes the package invalid: the app must still not link it)."""
    shutil.copytree(DATA_DIR, target)
    descriptor_path = target / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    for n, resource in enumerate(descriptor["resources"]):
        resource["title"] = f"{resource.get('title', resource['name'])} {PAYLOADS[n % len(PAYLOADS)]}"
        path = target / resource["path"]
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        header = list(rows[0]) if rows else None
        key = set(resource["schema"].get("primaryKey", []))
        for i, row in enumerate(rows):
            for j, name in enumerate(free_text_fields(resource)):
                payload = PAYLOADS[(i + j + n) % len(PAYLOADS)]
                row[name] = _with_payload(row[name], payload, (i + j) % 3, name in key)
            if resource["name"] == "sources":
                row["url"] = JAVASCRIPT_URL if javascript_url and i == 0 else SOURCE_URL if i % 2 else row["url"]
        if header:
            out = io.StringIO()
            writer = csv.DictWriter(out, header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            path.write_text(out.getvalue(), encoding="utf-8")
    descriptor_path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    return target
