"""A problem found in a data file, located the way a person finds it in Excel."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .i18n import DEFAULT_LANG, render, t

# How bad a problem is: an error keeps a table out (the file cannot be saved, the
# pages show it empty); a warning is shown and the table is used. Also the message
# keys ``severity.error`` / ``severity.warning`` and the ``--json`` output's values.
Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where.

    ``row`` is the spreadsheet row number as Excel shows it (the header is row 1);
    ``None`` for a problem with the whole file. ``code`` names the message in the
    catalogue (``problem.<code>``); ``params`` fills its placeholders.
    """

    file: str
    code: str
    severity: Severity = ERROR
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict = field(default_factory=dict)

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """The problem in plain words, without the location."""
        return t(f"problem.{self.code}", lang, column=self.column, value=self.value,
                 **{k: render(v, lang) for k, v in self.params.items()})

    def where(self, lang: str = DEFAULT_LANG) -> str:
        """The location: file, row and column, as far as they are known."""
        parts = [self.file]
        if self.row is not None:
            parts.append(t("where.row", lang, row=self.row))
        if self.column is not None:
            parts.append(t("where.column", lang, column=self.column))
        return ", ".join(parts)

    def describe(self, lang: str = DEFAULT_LANG) -> str:
        """One line for a person: severity, location and message."""
        label = t(f"severity.{self.severity}", lang)
        return f"{label}: {self.where(lang)}: {self.message(lang)}"

    def as_dict(self, lang: str = DEFAULT_LANG) -> dict:
        """The problem as JSON-ready data (the ``--json`` output)."""
        return {
            "severity": self.severity, "code": self.code, "file": self.file,
            "row": self.row, "column": self.column, "value": self.value,
            "message": self.message(lang),
            **({"expected": render(self.params["expected"], lang)} if "expected" in self.params else {}),
        }


class FileProblem(Exception):
    """Raised when a file cannot be read as a table at all."""

    def __init__(self, problem: Problem):
        super().__init__(problem.describe())
        self.problem = problem


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)
