"""README.md is a contract: every command, option, URL parameter, page, embed view,
file path and code name it documents exists and behaves as written.

Everything is read from README.md itself (its code blocks, code spans and tables,
through ``support.readme``), never from a copy kept here, so the README cannot
drift from the code without a test naming the line that drifted. Each check is a
function returning the drifts it finds; the tests at the end feed some of them a
mutated README to show that each can fail.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

import pytest

import dashboard
from dashboard import embeds
from dashboard.cli import build_parser
from dashboard.cli import main as cli_main
from dashboard.i18n import t
from dashboard.paths import DATA_DIR, ROOT
from support.readme import Command, Readme, parse, read, shell_words

README = read(ROOT / "README.md")

# Paths README names that a checkout does not have: each deployment's own state and
# secrets. Each must be git-ignored (checked below), so it can never be committed.
DEPLOYMENT_STATE = {
    ".streamlit/secrets.toml", "deploy/.env", "deploy/secrets.toml",
    "data/.history/", "data/.history/<table>/", "data/.audit.jsonl",
}
# Top-level names that make a code span a repository path (besides what the
# checkout holds), so a path whose folder was removed is still checked.
REPO_ROOTS = {"app.py", "pages", "dashboard", "bench", "data", "geo", "static", "scripts", "deploy", "tests",
              ".streamlit", ".ci", "assets"}
# What the test suite writes (git-ignored), there or not depending on which tests ran
TEST_OUTPUT = "test-results"
UNKNOWN = "atlantis"  # README's own example of an unknown value (`?region=atlantis`)
FILE_SUFFIXES = (".py", ".csv", ".json", ".jsonl", ".toml", ".js", ".md", ".cfg", ".yaml", ".txt", ".pdf",
                 ".xlsx", ".dump", ".html")


# --- 1. the opening commands ---------------------------------------------------------

def opening_problems(readme: Readme, ci_script: str) -> list[str]:
    """The first two code blocks are the two ways in (run the app; run the tests),
    before any section, and ``.ci/run`` runs exactly the second."""
    problems = []
    first_section = readme.headings[1].line if len(readme.headings) > 1 else len(readme.lines)
    if len(readme.blocks) < 2 or readme.blocks[1].line > first_section:
        return ["README.md: the run and test commands must be its first two code blocks, before the first section"]
    run, test = readme.blocks[0], readme.blocks[1]
    run_programs = [c.program for c in readme.commands() if c.line == run.line + 1]
    if run_programs != ["scripts/setup", "streamlit run"]:
        problems.append(f"{readme.where(run.line + 1)}: expected `bash scripts/setup && ... streamlit run app.py`")
    test_commands = [c for c in readme.commands() if c.line == test.line + 1]
    if [(c.program, c.args) for c in test_commands] != [("scripts/setup", ("--test",)), ("pytest", ())]:
        problems.append(f"{readme.where(test.line + 1)}: expected `bash scripts/setup --test && ... -m pytest`")
    ci_commands = [line.strip() for line in ci_script.splitlines()
                   if line.strip() and not line.startswith(("#", "set ", "cd "))]
    if ci_commands != [test.text.strip()]:
        problems.append(f"{readme.where(test.line + 1)}: .ci/run runs {ci_commands}, not exactly this command")
    for span in readme.spans:  # the test command written out again in the prose
        if "scripts/setup --test &&" in span.text and span.text != test.text.strip():
            problems.append(f"{readme.where(span.line)}: `{span.text}` differs from the test command")
    if "--test" not in (ROOT / "scripts" / "setup").read_text(encoding="utf-8"):
        problems.append(f"{readme.where(test.line + 1)}: scripts/setup has no --test option")
    return problems


def test_opening_commands_are_the_first_blocks_and_ci_runs_the_test_command():
    problems = opening_problems(README, (ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


# --- 2. python -m dashboard ----------------------------------------------------------

def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    # argparse has no public accessor for a parser's subcommands.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def command_parser(words: list[str]) -> tuple[argparse.ArgumentParser, list[str], str | None]:
    """The (sub)parser that ``python -m dashboard WORDS`` reaches, the subcommand
    words, and the first word that should have been a subcommand and is not."""
    parser, names = build_parser(), []
    for word in words:
        subs = _subcommands(parser)
        if not subs:
            break
        if word not in subs:
            return parser, names, word
        parser, names = subs[word], [*names, word]
    if _subcommands(parser):
        return parser, names, ""
    return parser, names, None


def cli_problems(readme: Readme) -> list[str]:
    """Every ``python -m dashboard ...`` README shows names a subcommand, only
    options of that subcommand (exactly as written: argparse would accept an
    abbreviation), and parses. A bare ``db load [DIR]`` in the prose is a mention:
    its names are checked."""
    problems = []
    for command in _dashboard_commands(readme):
        parser, names, missing = command_parser(list(command.args))
        if missing is not None:
            problems.append(f"{readme.where(command.line)}: `python -m dashboard {' '.join(names)}` has no "
                            f"subcommand {missing!r} (it has {', '.join(_subcommands(parser))})")
            continue
        for option in command.options:
            if option not in _options(parser):
                problems.append(f"{readme.where(command.line)}: `{' '.join(names)}` has no option {option} "
                                f"(it has {', '.join(sorted(_options(parser)))})")
        if not command.mention and not problems:
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
                try:
                    build_parser().parse_args(list(command.args))
                except SystemExit as exc:
                    if exc.code:
                        problems.append(f"{readme.where(command.line)}: does not parse: "
                                        f"{stderr.getvalue().strip().splitlines()[-1]}")
    return problems


def _dashboard_commands(readme: Readme) -> list[Command]:
    commands = [c for c in readme.commands() if c.program == "dashboard"]
    # `db load [DIR]`, `db export`: prose naming a db subcommand without the program
    for span in readme.spans:
        if re.fullmatch(r"db [a-z]+( .*)?", span.text):
            commands.append(Command("dashboard", tuple(span.text.replace("[", "").replace("]", "").split()[:2]),
                                    span.line, span.section, span.text, mention=True))
    return commands


def test_every_dashboard_command_and_option_exists():
    commands = _dashboard_commands(README)
    assert len({c.args[0] for c in commands}) >= 8  # the parser found them: a README change must not hide them
    problems = cli_problems(README)
    assert not problems, "\n".join(problems)


# What README says a command does on the repository's own data. Each is checked
# against the sentence that says it, so rewording the sentence fails here first.
OUTCOMES = {
    "validate": (0, r"Exit status: 0 valid, 1 invalid, 2 a usage error"),
    "freshness": (1, r"On today's data the yearly tables \([^)]*\) are\s+overdue"),
    "briefing": (0, r"briefing --out briefing\.pdf"),
    "history": (0, r"`history` prints every version"),
    "hash-password": (0, r"a hash from `\.venv/bin/python -m dashboard hash-password`"),
}


def run_cli(argv: list[str], stdin: str = "") -> tuple[int, str]:
    """``python -m dashboard ARGV`` in this process: exit code and output."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), \
            contextlib.ExitStack() as stack:
        stack.callback(setattr, sys, "stdin", sys.stdin)
        sys.stdin = io.StringIO(stdin)
        try:
            code = cli_main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue()


def runnable(command: Command, tmp_path: Path) -> list[str] | None:
    """The command's words to run here, or None when it is not cheap and
    side-effect free, or shows a file this checkout does not have (an example)."""
    if command.mention or command.args[0] not in OUTCOMES:
        return None
    try:
        args = build_parser().parse_args(list(command.args))
    except SystemExit:  # does not parse: cli_problems says so
        return None
    if command.args[0] == "validate" and not all((ROOT / p).exists() for p in args.paths):
        return None
    words = list(command.args)
    if "--out" in words:  # the briefing goes to a temporary folder
        words[words.index("--out") + 1] = str(tmp_path / Path(words[words.index("--out") + 1]).name)
    return words


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    """The commands' environment: files (no database), a copy of the data (a
    history read may complete an interrupted save), the repository as the
    working folder (README's relative paths)."""
    monkeypatch.delenv("OMIK_DATABASE_URL", raising=False)
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy, ignore=shutil.ignore_patterns(".lock"))
    monkeypatch.setenv("OMIK_DATA_DIR", str(copy))
    monkeypatch.chdir(ROOT)
    return tmp_path


def cli_run_problems(readme: Readme, tmp_path: Path, only: int | None = None) -> list[str]:
    """Each cheap command README shows, run: it exits as README says (``only``: the
    commands on that line alone)."""
    problems, ran = [], {}
    text = "\n".join(readme.lines)
    for command in _dashboard_commands(readme):
        if only is not None and command.line != only:
            continue
        words = runnable(command, tmp_path)
        if words is None:
            continue
        expected, sentence = OUTCOMES[words[0]]
        if not re.search(sentence, text):
            problems.append(f"README.md: the sentence that says what `{words[0]}` does is gone "
                            f"(expected /{sentence}/); update OUTCOMES in tests/test_readme.py")
            continue
        if tuple(words) not in ran:
            ran[tuple(words)] = run_cli(words, stdin="a long enough password\n")
        code, output = ran[tuple(words)]
        if code != expected:
            problems.append(f"{readme.where(command.line)}: exit {code}, README says {expected}:\n{output[-800:]}")
        elif words[0] == "briefing":
            pdf = Path(words[words.index("--out") + 1])
            if not pdf.read_bytes().startswith(b"%PDF"):
                problems.append(f"{readme.where(command.line)}: wrote no PDF")
    if not ran:
        problems.append("README.md: no cheap `python -m dashboard` command was found to run")
    return problems


def test_documented_commands_behave_as_written(cli_env):
    problems = cli_run_problems(README, cli_env)
    assert not problems, "\n".join(problems)


def test_the_overdue_tables_are_those_readme_names(cli_env):
    match = re.search(r"On today's data the yearly tables \(([^)]*)\) are\s+overdue", "\n".join(README.lines))
    assert match, "README.md no longer says which tables are overdue on today's data"
    named = set(re.split(r",\s*(?:and\s+)?|\s+and\s+", match.group(1)))
    code, output = run_cli(["freshness", "--json"])
    overdue = {item["table"] for item in json.loads(output[output.index("["):]) if item["status"] == "overdue"}
    line = "\n".join(README.lines)[:match.start()].count("\n") + 1
    assert (code, overdue) == (1, named), f"{README.where(line)}: freshness says {code}, overdue: {sorted(overdue)}"


@pytest.mark.parametrize("sentence, cases", [
    # "Bad arguments (unknown region or language, a non-`.pdf` name, a missing folder) exit 2"
    (r"Bad arguments \(unknown region or language, a\s+non-`\.pdf` name, a missing folder\) exit 2",
     [["briefing", "--out", "{tmp}/b.pdf", "--region", UNKNOWN], ["briefing", "--out", "{tmp}/b.pdf", "--lang", "xx"],
      ["briefing", "--out", "{tmp}/b.txt"], ["briefing", "--out", "{tmp}/missing/b.pdf"]]),
    # "2 a usage error (a bad `--today` or `--lang`, not a data folder, a database and `--data` together)"
    (r"2 a usage error \(a bad `--today` or `--lang`, not a data\s+folder, a database and `--data` together\)",
     [["freshness", "--today", "2027-13-01"], ["freshness", "--lang", "xx"], ["freshness", "--data", "{tmp}"],
      ["freshness", "--data", "{tmp}/data", "--database"]]),
])
def test_documented_usage_errors_exit_2(cli_env, monkeypatch, sentence, cases):
    assert re.search(sentence, "\n".join(README.lines)), f"README.md no longer says /{sentence}/"
    for case in cases:
        words = [w.format(tmp=cli_env) for w in case]
        if "--database" in words:  # "a database and --data together": a URL that is never connected to
            words.remove("--database")
            monkeypatch.setenv("OMIK_DATABASE_URL", "postgresql://omik@127.0.0.1:9/omik")
        code, output = run_cli(words)
        monkeypatch.delenv("OMIK_DATABASE_URL", raising=False)
        assert code == 2, (words, output)
        assert "Traceback" not in output


# --- 3. bench/*.py ------------------------------------------------------------------

@cache
def script_help(script: str) -> tuple[int, str]:
    result = subprocess.run([sys.executable, script, "--help"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    return result.returncode, result.stdout + result.stderr


def bench_problems(readme: Readme) -> list[str]:
    problems = []
    scripts = [c for c in readme.commands() if c.program.startswith("bench/")]
    for command in scripts:
        if not (ROOT / command.program).is_file():
            problems.append(f"{readme.where(command.line)}: there is no {command.program}")
            continue
        code, help_text = script_help(command.program)
        if code != 0:
            problems.append(f"{readme.where(command.line)}: `{command.program} --help` exits {code}:\n"
                            f"{help_text[-600:]}")
            continue
        known = set(re.findall(r"(?<![\w-])--[a-z][\w-]*", help_text))
        problems += [f"{readme.where(command.line)}: {command.program} has no option {option}"
                     for option in command.options if option not in known]
    if not scripts:
        problems.append("README.md: no `bench/*.py` command found")
    return problems


def test_every_benchmark_command_and_option_exists():
    problems = bench_problems(README)
    assert not problems, "\n".join(problems)


# --- options named in the prose -------------------------------------------------------

def command_options(command: Command) -> set[str]:
    if command.program == "dashboard":
        return _options(command_parser(list(command.args))[0])
    if command.program.startswith("bench/") and (ROOT / command.program).is_file():
        return set(re.findall(r"(?<![\w-])--[a-z][\w-]*", script_help(command.program)[1]))
    return set()


def streamlit_option_problems(readme: Readme) -> list[str]:
    """``--client.showErrorDetails full`` and the like are Streamlit settings."""
    from streamlit import config

    problems = []
    mentions = [(c.line, o) for c in readme.commands() if c.program == "streamlit run" for o in c.options]
    mentions += [(s.line, s.text.split()[0]) for s in readme.spans if re.match(r"--[a-z]+\.[A-Za-z]+", s.text)]
    for line, option in mentions:
        try:
            config.get_option(option[2:])
        except RuntimeError:
            problems.append(f"{readme.where(line)}: Streamlit has no setting {option[2:]}")
    return problems


def option_mention_problems(readme: Readme) -> list[str]:
    """An option named in the prose (`--resource`) is an option of a command shown
    in the same section, or of any command README shows when its section has none."""
    problems = []
    commands = [c for c in readme.commands() if c.program == "dashboard" or c.program.startswith("bench/")]
    everywhere = set().union(*(command_options(c) for c in commands))
    for span in readme.spans:
        match = re.fullmatch(r"(--[a-z][\w-]*)(?: \S+)?", span.text)
        if not match:
            continue
        here = [c for c in commands if c.section == span.section]
        known = set().union(*(command_options(c) for c in here)) if here else everywhere
        if match.group(1) not in known:
            where = "the commands of this section" if here else "any command README shows"
            problems.append(f"{readme.where(span.line)}: {match.group(1)} is not an option of {where}")
    return problems


def test_options_named_in_the_prose_exist():
    problems = option_mention_problems(README) + streamlit_option_problems(README)
    assert not problems, "\n".join(problems)


# --- 4. pages, URL parameters and embed views -------------------------------------------

@cache
def app_pages() -> dict[str, tuple[str, str]]:
    """The app's navigation (``ui.frame.PAGES``): address -> (page file stem, English title)."""
    from dashboard.ui.frame import PAGES

    pages = {f"/{path}": (Path(script).stem, t(title, "en")) for script, title, _, path in PAGES}
    assert len(pages) == len(list((ROOT / "pages").glob("*.py"))), "a page in pages/ is missing from the navigation"
    return pages


def page_table_problems(readme: Readme) -> list[str]:
    """README's table of pages lists every page of the app, at its address, by its title."""
    problems, listed = [], set()
    table = readme.table("page", "address", "what")
    for row in table.rows:
        [address] = row.spans(1) or [""]
        listed.add(address)
        if address not in app_pages():
            problems.append(f"{readme.where(row.line)}: the app has no page at {address!r}")
        elif app_pages()[address][1] != row.cells[0]:
            problems.append(f"{readme.where(row.line)}: the page at {address} is called "
                            f"{app_pages()[address][1]!r}, not {row.cells[0]!r}")
    problems += [f"{readme.where(table.line)}: the page {address} ({title}) is missing from this table"
                 for address, (_, title) in app_pages().items() if address not in listed]
    return problems


def test_the_page_table_lists_every_page():
    problems = page_table_problems(README)
    assert not problems, "\n".join(problems)


def _elements(node):
    proto = getattr(node, "proto", None)
    if proto is not None:
        yield type(node).__name__, proto.SerializeToString(deterministic=True)
    for key in sorted(getattr(node, "children", None) or {}):
        yield from _elements(node.children[key])


def rendered(at) -> list:
    """What a page run drew, element by element, to compare two runs."""
    return [*_elements(at.main), *_elements(at.sidebar)]


def notices(at, key: str, lang: str) -> list[str]:
    """The "unknown value" notices the run shows for parameter ``key``."""
    template = re.escape(t("state.ignored_param", lang, name="\0N", value="\0V"))
    pattern = re.compile(template.replace("\0N", re.escape(key)).replace("\0V", ".*"))
    return [c.value for c in at.caption if pattern.search(c.value.replace("\\", ""))]


def _query(example: str) -> dict[str, str | list[str]]:
    parsed = parse_qs(example.lstrip("?"), keep_blank_values=True)
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


def _same(state_value, value) -> bool:
    if isinstance(state_value, list) or isinstance(value, list):
        values = value if isinstance(value, list) else [value]
        return sorted(map(str, state_value)) == sorted(map(str, values))
    return str(state_value) == str(value)


class Runs:
    """Page runs under AppTest, each kept (a check only reads them), and the
    parameterless ones as baselines."""

    def __init__(self):
        from conftest import run_page

        self.run_page, self.baselines, self.done = run_page, {}, {}

    def __call__(self, page: str, params: dict):
        key = (page, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items())))
        if key not in self.done:
            self.done[key] = self.run_page(page, **params)
        return self.done[key]

    def baseline(self, page: str):
        if page not in self.baselines:
            first, second = self.run_page(page), self.run_page(page)
            # A baseline that differs between two runs could not show a parameter applied.
            self.baselines[page] = (first, rendered(first) == rendered(second))
        return self.baselines[page]


def param_problems(readme: Readme, runs: Runs, only: int | None = None) -> list[str]:
    """For each row of README's table of URL parameters and each page it is on: its
    example applies (the widget holds the value, or the page differs from the page
    without it) with no notice; an unknown value gives the default view with the
    notice README says (or none); each value the row lists is accepted. ``only``:
    the row on that line alone."""
    problems = []
    table = readme.table("parameter", "on", "example", "values", "an unknown value")
    for row in table.rows:
        if only is not None and row.line != only:
            continue
        [key] = row.spans(0)
        where = readme.where(row.line)
        if row.cells[1].startswith("every page"):
            addresses = [a for a in app_pages() if a not in row.spans(1)]
        else:
            addresses = row.spans(1)
        example = _query(row.spans(2)[0]) if row.spans(2) else {}
        if key not in example:
            problems.append(f"{where}: the example does not set `{key}`")
            continue
        lang = example.get("lang", "en")
        expect_notice = "no notice" not in row.cells[4]
        for index, address in enumerate(addresses):
            if address not in app_pages():
                problems.append(f"{where}: the app has no page at {address!r}")
                continue
            page = app_pages()[address][0]
            base, reproducible = runs.baseline(page)
            at = runs(page, example)
            if notices(at, key, lang):
                problems.append(f"{where}: {address}{row.spans(2)[0]} shows the unknown-value notice")
            elif key in at.session_state:
                if not _same(at.session_state[key], example[key]):
                    problems.append(f"{where}: {address}{row.spans(2)[0]} leaves {key} at "
                                    f"{at.session_state[key]!r}")
            elif not reproducible:
                problems.append(f"{where}: {address} draws differently on each run, so the test cannot tell "
                                f"whether {key} applies")
            elif f"`{example[key]}` (the default" in row.cells[3]:
                continue  # the default value draws the default view: no notice is all it can show
            elif rendered(at) == rendered(base):
                problems.append(f"{where}: {address}{row.spans(2)[0]} shows the same as {address} without it")
            at = runs(page, {**example, key: UNKNOWN})
            shown = notices(at, key, "en")
            if expect_notice and not shown:
                problems.append(f"{where}: {address}?{key}={UNKNOWN} shows no notice (README: {row.cells[4]})")
            if not expect_notice and shown:
                problems.append(f"{where}: {address}?{key}={UNKNOWN} shows a notice (README: {row.cells[4]})")
            if key in at.session_state and key in base.session_state \
                    and at.session_state[key] != base.session_state[key]:
                problems.append(f"{where}: {address}?{key}={UNKNOWN} is not the default view "
                                f"({key} = {at.session_state[key]!r})")
            values = [v for v in row.spans(3) if not v.startswith("/")]  # not a page's address
            for value in values if index == 0 else ():  # the values it lists, on its first page
                at = runs(page, {**example, key: value})
                if notices(at, key, "en") or (key in at.session_state and not _same(at.session_state[key], value)):
                    problems.append(f"{where}: {address}?{key}={value} is not accepted")
    return problems


@pytest.fixture(scope="module")
def runs():
    return Runs()


def test_every_url_parameter_applies_where_readme_says(runs):
    problems = param_problems(README, runs)
    assert not problems, "\n".join(problems)


def param_mention_problems(readme: Readme) -> list[str]:
    """A parameter written in the prose (`?year=2002`, `region=`) is in the table."""
    table = readme.table("parameter", "on", "example", "values", "an unknown value")
    known = {row.spans(0)[0] for row in table.rows}
    known |= {k for row in table.rows for s in row.spans(2) for k in _query(s)}  # e.g. Streamlit's own embed=true
    problems = []
    for span in readme.spans:
        for key in re.findall(r"[?&]([a-z_]+)=|^([a-z_]+)=$", span.text):
            name = key[0] or key[1]
            if span.text.startswith(("?", "/")) or span.text.endswith("="):
                if name not in known:
                    problems.append(f"{readme.where(span.line)}: `{span.text}` names a parameter the table "
                                    "of URL parameters does not have")
    return problems


def embed_view_problems(readme: Readme) -> list[str]:
    """The `view` row lists exactly the views of ``dashboard.embeds``."""
    table = readme.table("parameter", "on", "example", "values", "an unknown value")
    rows = [row for row in table.rows if row.spans(0) == ["view"]]
    if not rows:
        return [f"{readme.where(table.line)}: the table has no `view` row (the embed views)"]
    documented = rows[0].spans(3)
    problems = [f"{readme.where(rows[0].line)}: {view!r} is not a view of dashboard.embeds"
                for view in documented if view not in embeds.VIEWS]
    problems += [f"{readme.where(rows[0].line)}: the embed view {view!r} is missing"
                 for view in embeds.VIEWS if view not in documented]
    return problems


def test_parameters_in_the_prose_and_embed_views_are_in_the_table():
    problems = param_mention_problems(README) + embed_view_problems(README)
    assert not problems, "\n".join(problems)


# --- 5. paths, names, settings -------------------------------------------------------

def _expand(path: str) -> list[str]:
    """``locales/{en,sq,sr}.json`` -> three paths; ``<table>`` -> a glob."""
    match = re.search(r"\{([^{}]+)\}", path)
    if match:
        return [p for option in match.group(1).split(",")
                for p in _expand(path[:match.start()] + option + path[match.end():])]
    return [re.sub(r"<[^>]+>", "*", path)]


def _exists(path: str) -> bool:
    return all(any(ROOT.glob(p.rstrip("/"))) if "*" in p else (ROOT / p).exists() for p in _expand(path))


def _looks_like_repo_path(word: str) -> bool:
    if re.search(r"\s|://", word) or word.startswith(("/", "~", "../", "$", "-")):
        return False
    if "/" not in word.rstrip("/"):
        return word.rstrip("/") in REPO_ROOTS  # `app.py`, `data/`
    head = word.split("/")[0]
    return head != TEST_OUTPUT and (head in REPO_ROOTS or (ROOT / head).exists())


def path_problems(readme: Readme) -> list[str]:
    """Every repository path README writes in code exists, or is deployment state
    that git ignores; in the "What is where" table a bare file name is in its row's
    folder."""
    problems = []
    mentions = [(s.line, s.text) for s in readme.spans]
    for block in readme.blocks:
        if block.lang in ("bash", "sh"):
            for line in block.logical_lines():
                mentions += [(line.line, w) for words in shell_words(line.text) for w in words]
    table = readme.table("path", "what")
    for row in table.rows:
        first = row.spans(0)[0]
        folder = first if first.endswith("/") else first.rsplit("/", 1)[0] + "/" if "/" in first else ""
        for cell in range(len(row.cells)):
            for span in row.spans(cell):
                if span != first and "/" not in span.rstrip("/") and not re.search(r"^/|\s", span) \
                        and span.rstrip("/") not in REPO_ROOTS:
                    mentions.append((row.line, folder + span))  # `map.py` in the pages/ row
    for line, word in mentions:
        if not _looks_like_repo_path(word):
            continue
        if word in DEPLOYMENT_STATE:
            continue
        if not _exists(word):
            problems.append(f"{readme.where(line)}: `{word}` does not exist")
    return problems


def test_every_path_readme_names_exists():
    problems = path_problems(README)
    assert not problems, "\n".join(problems)


def test_the_deployment_state_readme_names_is_git_ignored():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for path in sorted(DEPLOYMENT_STATE):
        assert any(path in span.text for span in README.spans), f"{path} is allowed but README never names it"
        concrete = re.sub(r"<[^>]+>", "x", path).rstrip("/") + ("/x" if path.endswith("/") else "")
        result = subprocess.run(["git", "check-ignore", "-q", concrete], cwd=ROOT)
        assert result.returncode == 0, f"{path} is named as deployment state but git does not ignore it"


@cache
def dashboard_modules() -> set[str]:
    return {m.name for m in pkgutil.iter_modules(dashboard.__path__)}


STREAMLIT_SECTIONS = {"client", "server", "runner", "browser", "theme", "global", "logger", "magic"}


def _resolve(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for part in parts[cut:]:
                target = getattr(target, part)
        except AttributeError:
            return False
        return True
    return False


def name_problems(readme: Readme) -> list[str]:
    """Every code name README writes (`maps.map_html`, `dashboard.auth`,
    `st.iframe`), every Streamlit setting (`client.showErrorDetails = "none"`, which
    must also be what .streamlit/config.toml says) and every `OMIK_*` variable
    exists."""
    from streamlit import config

    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    sources = "\n".join(p.read_text(encoding="utf-8", errors="replace") for folder in
                        ("dashboard", "tests", "bench", "deploy", "scripts", ".streamlit", "pages")
                        for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix != ".pyc"
                        and "__pycache__" not in p.parts and p != Path(__file__))
    problems = []
    for span in readme.spans:
        text, where = span.text, readme.where(span.line)
        setting = re.fullmatch(r"([a-z]+\.)?([a-zA-Z]+)(?: = (.+))?", text)
        dotted = re.fullmatch(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(\(.*\))?", text)
        if setting and (setting.group(1) or setting.group(3)) and \
                (setting.group(1) is None or setting.group(1)[:-1] in STREAMLIT_SECTIONS):
            section = setting.group(1)[:-1] if setting.group(1) else next(
                (s for s, values in settings.items() if setting.group(2) in values), None)
            if section is None:
                problems.append(f"{where}: .streamlit/config.toml does not set {setting.group(2)}")
                continue
            try:
                config.get_option(f"{section}.{setting.group(2)}")
            except RuntimeError:
                problems.append(f"{where}: Streamlit has no setting {section}.{setting.group(2)}")
                continue
            if setting.group(3) is not None:
                said = tomllib.loads(f"v = {setting.group(3)}")["v"]
                if settings.get(section, {}).get(setting.group(2)) != said:
                    problems.append(f"{where}: .streamlit/config.toml sets {section}.{setting.group(2)} to "
                                    f"{settings.get(section, {}).get(setting.group(2))!r}")
        elif dotted and not text.endswith(FILE_SUFFIXES):
            head = text.split(".")[0]
            if head == "st":
                name = "streamlit" + dotted.group(1)[2:]
            elif head == "dashboard":
                name = dotted.group(1)
            elif head in dashboard_modules():
                name = f"dashboard.{dotted.group(1)}"
            else:
                problems.append(f"{where}: `{text}` is neither a module of dashboard/, nor st.*, nor a "
                                "Streamlit setting")
                continue
            if not _resolve(name):
                problems.append(f"{where}: `{text}` does not exist ({name})")
        for variable in re.findall(r"\bOMIK_[A-Z0-9_]+", text):
            if variable not in sources:
                problems.append(f"{where}: nothing reads {variable}")
    return problems


def test_every_code_name_setting_and_variable_exists():
    problems = name_problems(README)
    assert not problems, "\n".join(problems)


def data_table_problems(readme: Readme) -> list[str]:
    """README's table of the data lists exactly the package's tables."""
    table = readme.table("table", "rows")
    resources = {r["path"] for r in json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
                 ["resources"]}
    listed = {span: row.line for row in table.rows for span in row.spans(0)}
    problems = [f"{readme.where(line)}: {name} is not a table of data/datapackage.json"
                for name, line in listed.items() if name not in resources]
    problems += [f"{readme.where(table.line)}: the table {name} is missing" for name in sorted(resources - set(listed))]
    return problems


def test_the_data_table_lists_every_table():
    problems = data_table_problems(README)
    assert not problems, "\n".join(problems)


# --- each check can fail --------------------------------------------------------------

def mutated(old: str, new: str) -> Readme:
    text = "\n".join(README.lines)
    assert old in text, f"the mutation's text {old!r} is no longer in README.md: choose another"
    return parse(text.replace(old, new, 1))


def line_of(text: str) -> int:
    return next(n for n, line in enumerate(README.lines, start=1) if text in line)


@pytest.mark.parametrize("check, old, new", [
    (lambda r: opening_problems(r, (ROOT / ".ci" / "run").read_text()), "--test && .venv/bin/python -m pytest\n",
     "--test && .venv/bin/python -m pytest -x\n"),
    (cli_problems, "dashboard freshness --json", "dashboard freshness --jsn"),
    (cli_problems, "dashboard freshness --json", "dashboard freshnes --json"),
    (cli_problems, "dashboard freshness --json", "dashboard freshness --js"),  # an abbreviation argparse accepts
    (cli_problems, "`db load [DIR]`", "`db reload [DIR]`"),
    (bench_problems, "bench/storage.py [--saves 40]", "bench/storage.py [--rounds 40]"),
    (bench_problems, "bench/storage.py [--saves 40]", "bench/storrage.py [--saves 40]"),
    (option_mention_problems, "name, or `--resource`)", "name, or `--table`)"),
    (streamlit_option_problems, "--client.showErrorDetails full", "--client.showErrorDetail full"),
    (page_table_problems, "| Budget | `/budget` |", "| Budget | `/budgets` |"),
    (page_table_problems, "| Budget | `/budget` |", "| Budgets | `/budget` |"),
    (page_table_problems, "| Budget | `/budget` |", "| Budget | `/elections` |"),
    (param_mention_problems, "(`?year=2002`;", "(`?years=2002`;"),
    (embed_view_problems, "`milestones_per_year` |", "`milestones_by_year` |"),
    (path_problems, "`deploy/haproxy.cfg`", "`deploy/haproxy.conf`"),
    (path_problems, "(`page_ready.py`)", "(`pageready.py`)"),
    (path_problems, "`dashboard/locales/{en,sq,sr}.json` | every", "`dashboard/locales/{en,sq,de}.json` | every"),
    (name_problems, "`maps.map_html`", "`maps.map_htm`"),
    (name_problems, "`st.iframe`", "`st.ifram`"),
    (name_problems, '`client.showErrorDetails = "none"`', '`client.showErrorDetails = "full"`'),
    (name_problems, "`OMIK_DATA_DIR`", "`OMIK_DATA_FOLDER`"),
    (data_table_problems, "| `facts.csv` |", "| `fact.csv` |"),
])
def test_each_check_names_the_line_that_drifted(check, old, new):
    assert not check(mutated(old, old))  # unchanged: no drift
    problems = check(mutated(old, new))
    line = line_of(old.splitlines()[0])
    assert any(f"README.md line {line}:" in p for p in problems), problems


def test_a_command_that_no_longer_behaves_as_written_fails(cli_env):
    # README would say validating a bad fixture exits 0: it exits 1.
    readme = mutated("validate data/datapackage.json", "validate tests/fixtures/bad/staffing_negative_count.csv")
    line = line_of("validate data/datapackage.json")
    problems = cli_run_problems(readme, cli_env, only=line)
    assert any(p.startswith(f"README.md line {line}:") and ": exit 1, README says 0" in p for p in problems), problems


@pytest.mark.parametrize("old, new, says", [
    ("| `?region=prizren` |", "| `?region=prizrenx` |", "shows the unknown-value notice"),
    ("`prizren` (on `/embed`", "`prizren`, `kosovo` (on `/embed`", "?region=kosovo is not accepted"),
    ("| as above | English, with no notice |", "| as above | English, with a notice |", "shows no notice"),
    ("| `view` | `/embed` |", "| `view` | `/budget` |", "/budget?view=atlantis shows no notice"),
])
def test_a_parameter_that_does_not_apply_as_written_fails(runs, old, new, says):
    readme = mutated(old, new)
    assert not param_problems(mutated(old, old), runs, only=line_of(old))
    problems = param_problems(readme, runs, only=line_of(old))
    assert any(f"README.md line {line_of(old)}:" in p and says in p for p in problems), problems
