"""What a new version of a table changes: rows added, removed, and changed cell by
cell, matched on the table's primary key."""
from __future__ import annotations

from dataclasses import dataclass, field

from .i18n import DEFAULT_LANG, t


@dataclass
class TableDiff:
    key_columns: list[str]
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[tuple[tuple, str, str, str]] = field(default_factory=list)  # (key, column, old, new)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def lines(self, lang: str = DEFAULT_LANG) -> list[str]:
        """The diff for a person, one line per change (+ added, - removed, ~ changed)."""
        def key_text(key):
            return ", ".join(f"{c}={v}" for c, v in zip(self.key_columns, key))
        out = [f"+ {t('diff.added', lang)}: {key_text(tuple(r[c] for c in self.key_columns))}" for r in self.added]
        out += [f"- {t('diff.removed', lang)}: {key_text(tuple(r[c] for c in self.key_columns))}" for r in self.removed]
        out += [f"~ {t('diff.changed', lang)}: {key_text(k)}: {col}: {old!r} -> {new!r}"
                for k, col, old, new in self.changed]
        return out or [t("diff.none", lang)]


def diff_records(old: list[dict], new: list[dict], key_columns: list[str]) -> TableDiff:
    """Compare two versions of a table (rows as ``{column: text}``)."""
    def keyed(rows):
        return {tuple(r[c] for c in key_columns): r for r in rows}

    before, after = keyed(old), keyed(new)
    diff = TableDiff(list(key_columns))
    diff.added = [after[k] for k in after if k not in before]
    diff.removed = [before[k] for k in before if k not in after]
    for k in after:
        if k in before:
            for column in after[k]:
                if before[k].get(column, "") != after[k][column]:
                    diff.changed.append((k, column, before[k].get(column, ""), after[k][column]))
    return diff
