"""
Docs that cannot drift: what the README and .env.example say about the code is checked
against the code.

- Every environment variable the code reads is listed in .env.example and in the README's
  settings table, and every variable listed there is still read.
- Every app of the project is in the README's layout table; every dependency in the
  README's dependencies table, and every row there still a dependency.
- Every dotted name the README gives (``discussions.threads.flatten``) and every
  ``manage.py`` command it names exists.
"""

import ast
import importlib
import json
import re
from pathlib import Path

from django.apps import apps
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
SKIPPED = {"tests", "bench", "node_modules", ".venv", "migrations", "staticfiles"}
READERS = {"env_bool", "env_int", "env_list", "getenv"}
# Variables read on behalf of the code by a library it calls.
IMPLICIT = {"dj_database_url.config": "DATABASE_URL"}


def project_files():
    for path in ROOT.rglob("*.py"):
        if not SKIPPED & set(path.relative_to(ROOT).parts):
            yield path


def variables_read() -> dict[str, str]:
    """Each environment variable the code reads -> the first file reading it."""
    found: dict[str, str] = {}
    for path in project_files():
        for node in ast.walk(ast.parse(path.read_text())):
            name = None
            if isinstance(node, ast.Call):
                function = ast.unparse(node.func)
                is_reader = function in {"os.environ.get", "os.getenv"} or (
                    function.rsplit(".", 1)[-1] in READERS
                )
                if is_reader and node.args and isinstance(node.args[0], ast.Constant):
                    name = node.args[0].value
                name = name or IMPLICIT.get(function)
            elif (
                isinstance(node, ast.Subscript)
                and ast.unparse(node.value) == "os.environ"
                and isinstance(node.slice, ast.Constant)
            ):
                name = node.slice.value
            if isinstance(name, str):
                found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def settings_table() -> set[str]:
    """The variables named in the first column of the README's settings table."""
    rows = README.split("### Settings", 1)[1].split("\n\n", 2)[1].splitlines()[2:]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_every_variable_the_code_reads_is_documented_and_nothing_else():
    read = variables_read()
    assert len(read) > 30, "the scan found too little: is it looking in the right place?"
    assert {name for name in read if name not in env_example()} == set(), ".env.example"
    assert {name for name in read if name not in settings_table()} == set(), "README settings"
    assert env_example() - set(read) == set(), ".env.example lists variables nobody reads"
    assert settings_table() - set(read) == set(), "the README lists variables nobody reads"


def table_after(heading: str) -> str:
    return README.split(heading, 1)[1].split("\n\n", 2)[1]


def test_every_app_is_in_the_layout_table():
    layout = table_after("## How the code is laid out")
    ours = [config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()]
    missing = [name for name in [*ours, "core", "config"] if f"`{name}/`" not in layout]
    assert missing == []


def requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[\[<>=!~ ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def test_every_dependency_is_in_the_dependencies_table_and_nothing_else():
    table = table_after("## Dependencies and why each is there").lower()
    listed = set()
    for row in table.splitlines()[2:]:
        first_cell = row.split("|")[1]
        for name in first_cell.split(","):
            listed.add(re.sub(r"\s.*", "", name.strip()).replace("_", "-"))
    wanted = requirement_names(ROOT / "requirements.in") | requirement_names(
        ROOT / "requirements-dev.in"
    )
    # The front-end packages (package.json), named in the table with "(npm)".
    npm = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    wanted |= {name.lower() for name in npm}
    aliases = {"psycopg": "psycopg", "django": "django"}
    assert {aliases.get(name, name) for name in wanted} - listed == set()
    assert listed - wanted == set(), "the README lists packages that are no dependency"


def test_every_dotted_name_and_command_in_the_readme_exists():
    local = {config.name for config in apps.get_app_configs()} | {"config", "core"}
    missing = []
    for dotted in set(re.findall(r"`([a-z_]+(?:\.[A-Za-z_]+)+)`", README)):
        if dotted.split(".")[0] not in local or dotted.endswith((".py", ".html", ".css", ".js")):
            continue
        module, _, attribute = dotted.rpartition(".")
        try:
            target = importlib.import_module(dotted)
        except ImportError:
            try:
                target = getattr(importlib.import_module(module), attribute, None)
            except ImportError:
                target = None
        if target is None:
            missing.append(dotted)
    commands = set(get_commands())
    missing += [
        f"manage.py {name}"
        for name in set(re.findall(r"manage\.py ([a-z_]+)", README))
        if name not in commands
    ]
    assert missing == []
