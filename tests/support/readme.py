"""README.md read as a contract: its fenced code blocks, inline code spans, tables
and the shell commands they show, each with the line it is on, so that a test that
finds the README out of step with the code can say which line drifted.

Only what the README's own Markdown uses is understood: ATX headings (``## ...``),
fenced blocks (three backticks and a language), inline code spans (which may wrap
onto the next line), and pipe tables whose cells may hold ``|`` inside backticks.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^```(\S*)\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
SPAN = re.compile(r"`([^`]+)`")
TABLE_RULE = re.compile(r"^\|[\s\-:|]+\|\s*$")  # the line under a table's header: | --- | --- |
# Shell words that end one command and start another (``a && b``, ``a || b``, ...).
OPERATORS = {"&&", "||", "|", ";", "&", ">", ">>", "<", "(", ")"}


@dataclass(frozen=True)
class Span:
    """An inline code span (or a logical line of a code block), where it is."""
    text: str
    line: int  # 1-based line in README.md where it starts
    section: str  # the heading it is under ("" before the first)


@dataclass(frozen=True)
class Block:
    """A fenced code block; ``line`` is the opening fence's."""
    lang: str
    line: int
    section: str
    body: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.body)

    def logical_lines(self) -> list[Span]:
        """Its lines with shell continuations (a trailing ``\\``) joined, blank
        lines and whole-line comments left out."""
        out: list[Span] = []
        pending, start = "", 0
        for offset, raw in enumerate(self.body, start=self.line + 1):
            if not pending:
                start = offset
            if raw.rstrip().endswith("\\"):
                pending += raw.rstrip()[:-1] + " "
                continue
            text = (pending + raw).strip()
            pending = ""
            if text and not text.startswith("#"):
                out.append(Span(text, start, self.section))
        return out


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    line: int

    def spans(self, column: int) -> list[str]:
        """The inline code spans of one cell, in order."""
        return SPAN.findall(self.cells[column]) if column < len(self.cells) else []


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    line: int
    section: str


@dataclass(frozen=True)
class Command:
    """One shell command shown in the README: ``program`` is what it runs
    (``dashboard`` for ``python -m dashboard``, ``pytest``, ``streamlit run``,
    ``scripts/setup`` or a script path such as ``bench/load.py``) and ``args`` the
    words after it, with optional ``[...]`` parts kept (brackets dropped)."""
    program: str
    args: tuple[str, ...]
    line: int
    section: str
    source: str  # the line as written
    mention: bool = False  # named in the prose (`db load [DIR]`), not a whole command line

    @property
    def options(self) -> list[str]:
        """The ``--options`` it writes (without any ``=value``)."""
        return [a.split("=", 1)[0] for a in self.args if a.startswith("--")]


@dataclass
class Readme:
    lines: list[str]
    blocks: list[Block] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    headings: list[Span] = field(default_factory=list)

    def where(self, line: int) -> str:
        """``README.md line N: <that line>``, for failure messages."""
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return f"README.md line {line}: {text}"

    def table(self, *header: str) -> Table:
        """The table whose header starts with these column names (case-insensitive)."""
        want = tuple(h.lower() for h in header)
        for table in self.tables:
            if tuple(h.lower() for h in table.header[:len(want)]) == want:
                return table
        raise LookupError(f"README.md has no table with the columns {' | '.join(header)}")

    def section_text(self, heading: str) -> str:
        """The text of the section under ``heading`` (to the next heading)."""
        for index, h in enumerate(self.headings):
            if h.text == heading:
                end = self.headings[index + 1].line - 1 if index + 1 < len(self.headings) else len(self.lines)
                return "\n".join(self.lines[h.line:end])
        raise LookupError(f"README.md has no heading {heading!r}")

    def commands(self) -> list[Command]:
        """Every command in a shell code block (``bash`` or ``sh``) and in an
        inline code span that runs one of the programs ``Command`` knows."""
        found: list[Command] = []
        for block in self.blocks:
            if block.lang in ("bash", "sh", "shell", "console"):
                for line in block.logical_lines():
                    found += commands_in(line)
        for span in self.spans:
            found += commands_in(span)
        return found


def parse(text: str) -> Readme:
    lines = text.splitlines()
    readme = Readme(lines)
    section = ""
    prose = list(lines)  # the text outside code blocks, blocks blanked (line numbers kept)
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if fence:
            end = index + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            readme.blocks.append(Block(fence.group(1), index + 1, section, tuple(lines[index + 1:end])))
            for blank in range(index, min(end + 1, len(lines))):
                prose[blank] = ""
            index = end + 1
            continue
        heading = HEADING.match(lines[index])
        if heading:
            section = heading.group(2)
            readme.headings.append(Span(section, index + 1, section))
        elif lines[index].startswith("|") and index + 1 < len(lines) and TABLE_RULE.match(lines[index + 1]):
            header = tuple(_cells(lines[index]))
            start, index = index, index + 2
            rows = []
            while index < len(lines) and lines[index].startswith("|"):
                rows.append(Row(tuple(_cells(lines[index])), index + 1))
                index += 1
            readme.tables.append(Table(header, tuple(rows), start + 1, section))
            continue
        index += 1
    readme.spans = _spans(prose, readme.headings)
    return readme


def _cells(line: str) -> list[str]:
    """A table row's cells; a ``|`` inside a code span is text, not a border."""
    cells, current, in_code = [], "", False
    for char in line.strip().strip("|"):
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += char
    cells.append(current.strip())
    return cells


def _spans(prose: list[str], headings: list[Span]) -> list[Span]:
    """Inline code spans of the prose, a span that wraps onto the next line joined
    with one space (Markdown allows that; a paragraph break ends it)."""
    text = "\n".join(prose)
    starts = [0]
    for line in prose:
        starts.append(starts[-1] + len(line) + 1)
    spans = []
    for match in re.finditer(r"`([^`]+)`", text):
        if "\n\n" in match.group(1):
            continue  # not a span: an unmatched backtick across paragraphs
        line = next(n for n, start in enumerate(starts, start=1) if start > match.start()) - 1
        section = ""
        for heading in headings:
            if heading.line <= line:
                section = heading.text
        spans.append(Span(" ".join(match.group(1).split()), line, section))
    return spans


def shell_words(text: str) -> list[list[str]]:
    """``text`` as shell commands, each a list of words: split at ``&&``, ``||``,
    ``|``, ``;`` and redirections; comments dropped; the brackets of optional
    parts (``[--region prizren]``) dropped and what they hold kept."""
    text = re.sub(r"(?<![\w$])\[|\](?!\w)", " ", text)
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|<>()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        words = list(lexer)
    except ValueError:  # an unbalanced quote: not a command
        return []
    commands, current = [], []
    for word in words:
        if word in OPERATORS or set(word) <= set(";&|<>()"):
            if current:
                commands.append(current)
            current = []
        else:
            current.append(word)
    if current:
        commands.append(current)
    return commands


def commands_in(where: Span) -> list[Command]:
    """The commands of known programs in one line of shell."""
    found = []
    for words in shell_words(where.text):
        program, args = _program(words)
        if program:
            found.append(Command(program, tuple(args), where.line, where.section, where.text))
    return found


def _program(words: list[str]) -> tuple[str | None, list[str]]:
    for index, word in enumerate(words):
        name = Path(word).name
        rest = words[index + 1:]
        if re.fullmatch(r"python(3(\.\d+)?)?", name):
            if rest[:2] == ["-m", "dashboard"]:
                return "dashboard", rest[2:]
            if rest[:2] == ["-m", "pytest"]:
                return "pytest", rest[2:]
            if rest and rest[0].endswith(".py"):
                return rest[0], rest[1:]
            return None, []
        if name == "streamlit" and rest[:1] == ["run"]:
            return "streamlit run", rest[1:]
        if word == "scripts/setup" and index > 0 and words[index - 1] in ("bash", "sh"):
            return "scripts/setup", rest
    return None, []


def read(path: Path) -> Readme:
    return parse(path.read_text(encoding="utf-8"))
